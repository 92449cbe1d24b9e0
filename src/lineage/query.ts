/**
 * Lineage questions, both ways: where did a target row come from (run, source row, contract
 * digest, crosswalk versions and, given the contract, the rules its fields went through), and
 * what happened to a legacy row in each run. The answer is the documented `ferry.lineage/v1`
 * JSON shape (docs/lineage.md); keys, codes and digests only.
 */
import type { LineageEntry, LineageQuery } from '../connectors/connector.js';
import { openTarget } from '../connectors/registry.js';
import { contractDigest } from '../contract/canonical.js';
import { loadContract, type ContractSource } from '../contract/load.js';
import { ruleParts, stepParts, type LoadedContract } from '../contract/model.js';
import { FerryError } from '../errors.js';

export const LINEAGE_FORMAT = 'ferry.lineage/v1';

/** How one target field was produced, summarised from the contract (names only, no values). */
export interface FieldRules {
  field: string;
  from: string[];
  /** True when the field is a constant or default rather than a source column. */
  constant: boolean;
  steps: string[];
  crosswalk: string | null;
  rules: string[];
}

export interface LineageAnswer extends LineageEntry {
  /** The mapping's fields, when `--contract` was given and it maps this target table. */
  fields?: FieldRules[];
  /** Whether the given contract is the exact version (digest) the run used. */
  contractMatches?: boolean;
}

export interface LineageReport {
  format: typeof LINEAGE_FORMAT;
  target: string;
  query: LineageQuery;
  entries: LineageAnswer[];
}

/** Parses `TABLE:KEY` (the key may itself contain `:` and, for composite keys, `|`). */
export function parseTableKey(text: string, flag: string): { table: string; key: string } {
  const at = text.indexOf(':');
  if (at <= 0 || at === text.length - 1) {
    throw new FerryError('usage', 'lineage.bad_key', `${flag} takes TABLE:KEY, e.g. patient:1042 (composite keys joined with |, e.g. episode:1042|3)`);
  }
  return { table: text.slice(0, at), key: text.slice(at + 1) };
}

/** The field-by-field rules of a mapping, as names. */
export function mappingRules(loaded: LoadedContract, targetTable: string): FieldRules[] | undefined {
  const mapping = loaded.contract.mappings[targetTable];
  if (!mapping) return undefined;
  return Object.entries(mapping.fields)
    .filter(([, f]) => f.status !== 'rejected')
    .map(([field, f]) => ({
      field,
      from: f.from === undefined ? [] : Array.isArray(f.from) ? f.from : [f.from],
      constant: f.from === undefined,
      steps: f.steps.map((s) => stepParts(s).name),
      crosswalk: f.crosswalk ?? null,
      rules: f.rules.map((r) => ruleParts(r).name),
    }));
}

/** Answers a lineage query against a target, enriched from the contract when one is given. */
export async function lookupLineage(o: { targetUrl: string; query: LineageQuery } & Partial<ContractSource>): Promise<LineageReport> {
  const loaded = o.contract ?? (o.contractFile ? await loadContract(o.contractFile) : undefined);
  const digest = loaded ? contractDigest(loaded) : undefined;
  const target = await openTarget(o.targetUrl);
  try {
    if (!target.lineage) throw new FerryError('usage', 'lineage.unsupported', `${target.kind} targets keep no lineage`);
    const found = await target.lineage(o.query);
    const entries: LineageAnswer[] = found.map((e) => {
      if (!loaded) return e;
      const fields = e.outcome === 'loaded' ? mappingRules(loaded, e.targetTable) : undefined;
      return { ...e, contractMatches: e.contractDigest === digest, ...(fields ? { fields } : {}) };
    });
    return { format: LINEAGE_FORMAT, target: target.displayUrl, query: o.query, entries };
  } finally {
    await target.close();
  }
}

/** A run's ledger status as a reader needs it: `reconciling` is a run whose rows are all loaded but not yet proved. */
export function runStatusLabel(status: string): string {
  return status === 'reconciling' ? 'reconciling: loaded, reconciliation pending' : status;
}

/** A plain-text answer for terminals. */
export function formatLineage(r: LineageReport): string {
  const q = r.query;
  const lines: string[] = [];
  if (r.entries.length === 0) {
    lines.push(`no lineage for ${q.by} row ${q.table}:${q.key} in ${r.target} (lineage is written by runs without --no-lineage)`);
    return lines.join('\n');
  }
  lines.push(`${q.by === 'target' ? 'target' : 'source'} row ${q.table}:${q.key} — ${r.entries.length} record(s)`);
  for (const e of r.entries) {
    const what =
      e.outcome === 'loaded'
        ? `loaded into ${e.targetTable}:${e.targetKey ?? '(no key)'}`
        : e.outcome === 'quarantined'
          ? `quarantined for ${e.targetTable} (${e.reasonCode})`
          : `excluded from ${e.targetTable} (${e.reasonCode})`;
    lines.push(`run ${e.runId} [${runStatusLabel(e.runStatus)}]: source ${e.sourceTable}:${e.sourceKey} ${what}`);
    lines.push(`  contract ${e.contractDigest.slice(0, 12)}…${e.contractMatches === undefined ? '' : e.contractMatches ? ' (the given contract)' : ' (not the given contract version)'}`);
    for (const c of e.crosswalks) lines.push(`  crosswalk ${c.name} ${c.version ?? '(no version)'} ${c.digest.slice(0, 12)}…`);
    for (const f of e.fields ?? []) {
      const parts = [f.constant ? 'constant/default' : `from ${f.from.join(' | ')}`];
      if (f.steps.length) parts.push(`steps ${f.steps.join(' → ')}`);
      if (f.crosswalk) parts.push(`crosswalk ${f.crosswalk}`);
      if (f.rules.length) parts.push(`rules ${f.rules.join(', ')}`);
      lines.push(`  ${f.field}: ${parts.join('; ')}`);
    }
  }
  return lines.join('\n');
}
