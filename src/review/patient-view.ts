/**
 * The side-by-side view of one sampled patient, built live and never stored: every legacy row
 * linked to the patient (pinned foreign keys, transitively), what the run did with it
 * (lineage), and for loaded rows the target row it became, field by field with the source
 * columns and values, the target value, the transform steps and the crosswalk (name and the
 * version the run recorded). Quarantined rows carry their reason codes. This is the one place
 * Ferry shows patient values; callers gate it by role and audit every view.
 */
import type { CrosswalkVersion, LineageEntry, Source, Target, Value } from '../connectors/connector.js';
import type { LoadedContract } from '../contract/model.js';
import { walkPatientRows } from '../engine/pilot.js';
import { keyRenderer } from '../engine/source-key.js';
import { FerryError } from '../errors.js';
import { mappingRules } from '../lineage/query.js';
import { checkRun, compareKeys, reviewRoot } from './sample.js';

/** A value as the view shows it: text, number or boolean; binary values as their size. */
export type ShownValue = string | number | boolean | null;

export interface FieldView {
  field: string;
  /** Source columns the field reads (empty for a constant or default). */
  from: string[];
  sourceValues: ShownValue[];
  targetValue: ShownValue;
  steps: string[];
  crosswalk: { name: string; version: string | null } | null;
  rules: string[];
}

export interface OutcomeView {
  targetTable: string;
  outcome: LineageEntry['outcome'];
  targetKey: string | null;
  /** Quarantined: every reason code with the field, step or rule that failed; excluded: the exclusion code. */
  reasons: Array<{ code: string; rule: string | null }>;
  /** Loaded rows: the fields as the target holds them; null when the target row is gone (rolled back or deleted since). */
  fields: FieldView[] | null;
}

export interface SourceRowView {
  table: string;
  key: string;
  /** Every pinned column of the legacy row with its value. */
  values: Array<{ column: string; value: ShownValue }>;
  /** What the run did with the row, per target table; empty when the run kept no lineage for it. */
  outcomes: OutcomeView[];
}

export interface PatientView {
  runId: string;
  root: string;
  patientKey: string;
  rows: SourceRowView[];
}

export interface PatientViewOptions {
  loaded: LoadedContract;
  source: Source;
  target: Target;
  /** The target read as a source (openSource on the target URL), for the loaded rows' values. */
  targetRows: Source;
  runId: string;
  patientKey: string;
  root?: string;
  sliceRows?: number;
  signal?: AbortSignal;
}

/** A value for display: binary as its size, big integers as text. */
export function shown(v: Value | undefined): ShownValue {
  if (v === undefined || v === null) return null;
  if (Buffer.isBuffer(v)) return `(${v.length} bytes of binary data)`;
  if (typeof v === 'bigint') return v.toString();
  return v;
}

/** Reads target rows by key (the pk's values), through `valuesIn` where the target can, else by scanning. */
async function targetRowsByKey(o: PatientViewOptions, table: string, keys: string[]): Promise<Map<string, Map<string, Value>>> {
  const def = o.loaded.contract.target.tables[table];
  const out = new Map<string, Map<string, Value>>();
  if (!def || keys.length === 0) return out;
  const columns = Object.keys(def.columns);
  const pk = def.primary_key;
  const render = keyRenderer(pk.map((c) => columns.indexOf(c)));
  const wanted = new Set(keys);
  const collect = async (valuesIn?: { column: string; values: string[] }) => {
    for await (const slice of o.targetRows.read(table, { columns, sliceRows: o.sliceRows ?? 5000, signal: o.signal, ...(valuesIn ? { valuesIn } : {}) })) {
      for (const row of slice.rows) {
        const key = render(row);
        if (wanted.has(key)) out.set(key, new Map(columns.map((c, i) => [c, row[i]])));
      }
    }
  };
  if (pk.length === 1) {
    try {
      await collect({ column: pk[0], values: keys });
      return out;
    } catch (err) {
      if (!(err instanceof FerryError && err.code === 'source.values_in_unsupported')) throw err;
    }
  }
  await collect();
  return out;
}

function fieldsOf(o: PatientViewOptions, entry: LineageEntry, sourceRow: ReadonlyMap<string, Value>, targetRow: ReadonlyMap<string, Value> | undefined): FieldView[] | null {
  if (!targetRow) return null;
  const versions = new Map<string, CrosswalkVersion>(entry.crosswalks.map((c) => [c.name, c]));
  return (mappingRules(o.loaded, entry.targetTable) ?? []).map((f) => ({
    field: f.field,
    from: f.from,
    sourceValues: f.from.map((c) => shown(sourceRow.get(c))),
    targetValue: shown(targetRow.get(f.field)),
    steps: f.steps,
    crosswalk: f.crosswalk ? { name: f.crosswalk, version: versions.get(f.crosswalk)?.version ?? null } : null,
    rules: f.rules,
  }));
}

/** Builds the side-by-side view of one patient of a run. */
export async function patientView(o: PatientViewOptions): Promise<PatientView> {
  await checkRun(o.target, o.runId, o.loaded);
  if (!o.target.lineage) throw new FerryError('usage', 'review.no_lineage', `${o.target.kind} targets keep no lineage, so a patient's rows cannot be followed`);
  const contract = o.loaded.contract;
  const root = reviewRoot(contract, o.root);
  const found: Array<{ table: string; key: string; values: Map<string, Value> }> = [];
  await walkPatientRows(contract, o.source, {
    root,
    patients: new Set([o.patientKey]),
    columns: () => 'all',
    sliceRows: o.sliceRows ?? 5000,
    signal: o.signal,
    onRow: (r) => found.push({ table: r.table, key: r.key, values: new Map([...r.at].map(([c, i]) => [c, r.row[i]])) }),
  });
  if (!found.some((r) => r.table === root)) throw new FerryError('not_found', 'review.patient_not_found', `patient ${root}:${o.patientKey} is not in the source`);

  const reasons = new Map<string, Array<{ targetTable: string; code: string; rule: string | null }>>();
  const wantedRows = new Set(found.map((r) => `${r.table}\u0000${r.key}`));
  for await (const q of o.target.quarantine(o.runId)) {
    const id = `${q.sourceTable}\u0000${q.sourceKey}`;
    if (!wantedRows.has(id)) continue;
    const list = reasons.get(id) ?? [];
    list.push({ targetTable: q.targetTable, code: q.reasonCode, rule: q.rule || null });
    reasons.set(id, list);
  }

  const lineage = new Map<string, LineageEntry[]>();
  for (const r of found) {
    const entries = await o.target.lineage({ by: 'source', table: r.table, key: r.key });
    lineage.set(
      `${r.table}\u0000${r.key}`,
      entries.filter((e) => e.runId === o.runId),
    );
  }
  // The loaded rows' target values, one read per target table.
  const byTable = new Map<string, string[]>();
  for (const entries of lineage.values())
    for (const e of entries) if (e.outcome === 'loaded' && e.targetKey !== null) (byTable.get(e.targetTable) ?? byTable.set(e.targetTable, []).get(e.targetTable)!).push(e.targetKey);
  const targetRows = new Map<string, Map<string, Map<string, Value>>>();
  for (const [table, keys] of byTable) targetRows.set(table, await targetRowsByKey(o, table, [...new Set(keys)]));

  const order = new Map([root, ...found.map((r) => r.table)].map((t, i) => [t, i]));
  found.sort((a, b) => order.get(a.table)! - order.get(b.table)! || compareKeys(a.key, b.key));
  const rows: SourceRowView[] = found.map((r) => {
    const id = `${r.table}\u0000${r.key}`;
    const outcomes = (lineage.get(id) ?? []).map((e): OutcomeView => ({
      targetTable: e.targetTable,
      outcome: e.outcome,
      targetKey: e.targetKey,
      reasons:
        e.outcome === 'quarantined'
          ? (reasons.get(id) ?? []).filter((q) => q.targetTable === e.targetTable).map((q) => ({ code: q.code, rule: q.rule }))
          : e.outcome === 'excluded' && e.reasonCode
            ? [{ code: e.reasonCode, rule: null }]
            : [],
      fields: e.outcome === 'loaded' && e.targetKey !== null ? fieldsOf(o, e, r.values, targetRows.get(e.targetTable)?.get(e.targetKey)) : null,
    }));
    return { table: r.table, key: r.key, values: [...r.values].map(([column, value]) => ({ column, value: shown(value) })), outcomes };
  });
  return { runId: o.runId, root, patientKey: o.patientKey, rows };
}

/** The view as plain text for terminals: legacy row, then each target field beside its source. */
export function formatPatientView(v: PatientView): string {
  const lines = [`patient ${v.root}:${v.patientKey} in run ${v.runId} — ${v.rows.length} legacy row(s)`];
  const text = (x: ShownValue) => (x === null ? '∅' : JSON.stringify(x));
  for (const r of v.rows) {
    lines.push('', `${r.table}:${r.key}`);
    if (r.outcomes.length === 0) lines.push('  no lineage in this run (not mapped, or the run kept no lineage)');
    for (const o of r.outcomes) {
      if (o.outcome === 'quarantined') {
        lines.push(`  quarantined for ${o.targetTable}: ${o.reasons.map((q) => `${q.code}${q.rule ? ` (${q.rule})` : ''}`).join(', ') || 'reason not recorded'}`);
        for (const c of r.values) lines.push(`    ${c.column} = ${text(c.value)}`);
      } else if (o.outcome === 'excluded') {
        lines.push(`  excluded from ${o.targetTable}: ${o.reasons.map((q) => q.code).join(', ')}`);
      } else {
        lines.push(`  loaded into ${o.targetTable}:${o.targetKey ?? '(no key)'}`);
        if (o.fields === null) lines.push('    the target row is no longer there');
        for (const f of o.fields ?? []) {
          const how = [f.steps.length ? `steps ${f.steps.join(' → ')}` : '', f.crosswalk ? `crosswalk ${f.crosswalk.name} ${f.crosswalk.version ?? '(no version)'}` : ''].filter(Boolean).join('; ');
          const from = f.from.length ? f.from.map((c, i) => `${c}=${text(f.sourceValues[i])}`).join(', ') : 'constant/default';
          lines.push(`    ${f.field}: ${text(f.targetValue)} ← ${from}${how ? `  [${how}]` : ''}`);
        }
      }
    }
  }
  return lines.join('\n');
}
