/**
 * Writes a pinned source schema into an existing contract's YAML text, table by table: the
 * `yaml` document model finds each table's text, and only that text is replaced, so every
 * comment, key order and line outside the replaced tables survives byte for byte (re-printing
 * the whole document would reflow folded and multi-line descriptions). Tables the contract pins but the source no longer has are kept (a mapping
 * may still name them); the caller reports them. Descriptions already written in the contract
 * are kept: they are what people know about the data, which no profile can recover.
 */
import { isMap, parseDocument, stringify, type Pair } from 'yaml';
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
  const replaced: string[] = [];
  const added: string[] = [];
  const next: Record<string, PinnedTable> = {};
  for (const [name, table] of Object.entries(tables)) {
    (before.includes(name) ? replaced : added).push(name);
    const old = doc.getIn(['source', 'tables', name]);
    next[name] = keepDescriptions(table, isMap(old) ? (old.toJSON() as OldTable) : undefined);
  }
  const kept = before.filter((n) => !(n in tables));
  const spliced = isMap(existing) && !existing.flow && existing.items.length > 0 ? splice(yamlText, existing.items as Pair[], next) : undefined;
  if (spliced !== undefined) return { text: spliced, replaced, added, kept };
  // No block map of tables to edit in place: write the section through the document model.
  if (!isMap(existing)) doc.setIn(['source', 'tables'], doc.createNode({}));
  for (const [name, table] of Object.entries(next)) doc.setIn(['source', 'tables', name], doc.createNode(table));
  return { text: doc.toString({ lineWidth: 0 }), replaced, added, kept };
}

/** The block text of one `name: table` entry, indented to sit at `column`. */
function tableText(name: string, table: PinnedTable, column: number): string {
  const pad = ' '.repeat(column);
  return stringify({ [name]: table }, { lineWidth: 0 })
    .split('\n')
    .map((line, i) => (i === 0 || line === '' ? line : pad + line))
    .join('\n');
}

/** Replaces each pinned table's own text in `text` and appends new tables after the last one; undefined when a table's text cannot be located. */
function splice(text: string, items: Pair[], tables: Record<string, PinnedTable>): string | undefined {
  const located = items.map((p) => ({
    name: String((p.key as { value?: unknown })?.value ?? p.key),
    start: (p.key as { range?: [number, number, number] })?.range?.[0],
    end: (p.value as { range?: [number, number, number] } | null)?.range?.[2],
  }));
  if (located.some((l) => l.start === undefined || l.end === undefined)) return undefined;
  const column = located[0]!.start! - (text.lastIndexOf('\n', located[0]!.start! - 1) + 1);
  const edits: Array<{ start: number; end: number; text: string }> = [];
  for (const l of located) if (l.name in tables) edits.push({ start: l.start!, end: l.end!, text: tableText(l.name, tables[l.name]!, column) });
  const fresh = Object.keys(tables).filter((n) => !located.some((l) => l.name === n));
  if (fresh.length > 0) {
    const at = located[located.length - 1]!.end!;
    const lead = text[at - 1] === '\n' ? '' : '\n';
    edits.push({ start: at, end: at, text: lead + fresh.map((n) => ' '.repeat(column) + tableText(n, tables[n]!, column)).join('') });
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
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
