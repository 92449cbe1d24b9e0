/**
 * Writes a pinned source schema into an existing contract's YAML text, table by table, through
 * the `yaml` document model so that every comment, key order and layout outside the replaced
 * tables survives. Tables the contract pins but the source no longer has are kept (a mapping
 * may still name them); the caller reports them. Descriptions already written in the contract
 * are kept: they are what people know about the data, which no profile can recover.
 */
import { isMap, parseDocument } from 'yaml';
import { FerryError, issue } from '../errors.js';
import type { PinnedTable } from './pinned-schema.js';

export interface PinResult {
  text: string;
  replaced: string[];
  added: string[];
  /** Tables pinned before that the source did not have: left as they were. */
  kept: string[];
}

/** Returns `yamlText` with `source.tables` updated from `tables`. */
export function pinIntoYaml(yamlText: string, tables: Record<string, PinnedTable>, file = 'contract.yaml'): PinResult {
  const doc = parseDocument(yamlText, { keepSourceTokens: false });
  if (doc.errors.length > 0) {
    throw new FerryError(
      'contract',
      'contract.yaml_syntax',
      `${file}: is not valid YAML; fix it before pinning`,
      doc.errors.map((e) => issue('contract.yaml_syntax', '', e.message, { file, line: e.linePos?.[0].line, column: e.linePos?.[0].col })),
    );
  }
  if (!isMap(doc.contents)) throw new FerryError('contract', 'contract.invalid', `${file}: expected a contract (a YAML map) at the top level`);
  const existing = doc.getIn(['source', 'tables']);
  const before = isMap(existing) ? existing.items.map((p) => String((p.key as { value?: unknown })?.value ?? p.key)) : [];
  if (!isMap(existing)) doc.setIn(['source', 'tables'], doc.createNode({}));
  const replaced: string[] = [];
  const added: string[] = [];
  for (const [name, table] of Object.entries(tables)) {
    (before.includes(name) ? replaced : added).push(name);
    const old = doc.getIn(['source', 'tables', name]);
    doc.setIn(['source', 'tables', name], doc.createNode(keepDescriptions(table, isMap(old) ? (old.toJSON() as OldTable) : undefined)));
  }
  const kept = before.filter((n) => !(n in tables));
  return { text: doc.toString({ lineWidth: 0 }), replaced, added, kept };
}

interface OldTable {
  description?: unknown;
  columns?: Record<string, { description?: unknown } | null>;
}

function keepDescriptions(table: PinnedTable, old: OldTable | undefined): PinnedTable {
  if (!old) return table;
  const columns = Object.fromEntries(
    Object.entries(table.columns).map(([name, col]) => {
      const d = old.columns?.[name]?.description;
      return [name, typeof d === 'string' ? { ...col, description: d } : col];
    }),
  );
  return {
    ...(typeof old.description === 'string' ? { description: old.description } : table.description ? { description: table.description } : {}),
    ...table,
    ...(typeof old.description === 'string' ? { description: old.description } : {}),
    columns,
  };
}
