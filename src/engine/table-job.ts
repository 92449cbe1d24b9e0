/**
 * One mapping, end to end: stream the source table, transform and validate every row, and
 * commit loaded rows, quarantine records and the checkpoint as one unit per batch. Every row
 * that is read ends loaded, quarantined or excluded by the contract's filter — never dropped.
 */
import type { Checkpoint, QuarantineRecord, Source, Target, TargetTableDef, Value } from '../connectors/connector.js';
import type { LoadedContract, Mapping } from '../contract/model.js';
import { FerryError } from '../errors.js';
import { compileFieldRules, compileRowRule, type FieldCheck, type RowCheck } from '../rules/compile.js';
import { compileField, isFailure, type CrosswalkObserver, type FieldProgram } from '../transform/compile.js';
import { compileConformer, type Conformer } from './conform.js';
import type { RunEventListener, TableCounts } from './events.js';
import type { RunObserver } from './observer.js';
import { compileFilter } from './filter.js';
import { loadJoin, type LookupCache } from './joins.js';
import { keyRenderer } from './source-key.js';

export interface TableJobOptions {
  runId: string;
  loaded: LoadedContract;
  table: string;
  def: TargetTableDef;
  source: Source;
  /** Absent in a dry run: everything happens except the write. */
  target?: Target;
  batchSize: number;
  /** Where a resumed run continues; undefined for a fresh start. */
  resumeFrom?: Checkpoint;
  /** Primary keys of the source rows in the pilot subset, when running a pilot on a linked table. */
  pilotKeys?: Set<string>;
  lookups: LookupCache;
  countTotal: boolean;
  signal?: AbortSignal;
  onEvent?: RunEventListener;
  observer?: CrosswalkObserver;
  /** Sees every committed batch's outcome (quality KPIs, lineage). */
  runObserver?: RunObserver;
  /** Today's date as YYYY-MM-DD, injectable so date rules are testable. */
  today: () => string;
}

export interface ReasonCount {
  reasonCode: string;
  rule: string;
  count: number;
}

export interface TableResult extends TableCounts {
  table: string;
  source: string;
  elapsedMs: number;
  /** Issues found on rows in this process (quarantine reasons are recounted from the target). */
  reasons: Map<string, ReasonCount>;
  warnings: Map<string, ReasonCount>;
}

interface RowIssue {
  rule: string;
  reasonCode: string;
  message: string;
}

/** Compiled per-table program: turns a wide source row into a target row or a list of issues. */
interface Compiled {
  width: number;
  readColumns: string[];
  joins: Awaited<ReturnType<typeof loadJoin>>[];
  fields: Array<{ name: string; at: number; program: FieldProgram; conform: Conformer; checks: FieldCheck[] }>;
  unmapped: Array<{ at: number; conform: Conformer }>;
  rowChecks: RowCheck[];
  filter: (row: readonly Value[]) => boolean;
  sourceKey: (row: readonly Value[]) => string;
}

async function compileTable(o: TableJobOptions, mapping: Mapping): Promise<Compiled> {
  const contract = o.loaded.contract;
  const srcDef = contract.source.tables[mapping.source];
  if (!srcDef) throw new FerryError('contract', 'contract.unknown_source_table', `mapping ${o.table} reads source table ${mapping.source}, which is not pinned in the contract`);
  const readColumns = Object.keys(srcDef.columns);
  const index = new Map<string, number>();
  readColumns.forEach((c, i) => {
    index.set(c, i);
    index.set(`${mapping.source}.${c}`, i);
  });
  let width = readColumns.length;
  const joins = [];
  for (const j of mapping.joins) {
    const joined = await loadJoin(o.source, contract, j, index, o.batchSize, o.signal);
    joined.columns.forEach((c, i) => index.set(`${joined.alias}.${c}`, width + i));
    width += joined.columns.length;
    joins.push(joined);
  }
  const indexOf = (ref: string): number => {
    const i = index.get(ref);
    if (i === undefined) throw new FerryError('contract', 'contract.unknown_column', `mapping ${o.table} refers to ${ref}, which is neither a column of ${mapping.source} nor of a joined table`);
    return i;
  };
  const targetIndex = new Map(o.def.columns.map((c, i) => [c.name, i]));
  const ctx = {
    indexOf,
    crosswalks: o.loaded.crosswalks,
    crosswalkRefs: contract.crosswalks,
    lookup: (table: string, key: string, value: string) => o.lookups.get(table, key, value),
    observer: o.observer,
  };
  const mappedNames = new Set(Object.keys(mapping.fields));
  const fields = Object.entries(mapping.fields)
    .filter(([, f]) => f.status !== 'rejected')
    .map(([name, f]) => {
      const at = targetIndex.get(name);
      if (at === undefined) throw new FerryError('contract', 'contract.unknown_target_column', `mapping ${o.table} maps field ${name}, which is not a column of target table ${o.table}`);
      return {
        name,
        at,
        program: compileField(name, f, ctx),
        conform: compileConformer(o.def.columns[at]),
        checks: compileFieldRules(name, f.rules, { today: o.today }),
      };
    });
  const unmapped = o.def.columns
    .map((c, at) => ({ c, at }))
    .filter(({ c }) => !mappedNames.has(c.name))
    .map(({ c, at }) => ({ at, conform: compileConformer(c) }));
  const rowChecks = mapping.row_rules.map((r) =>
    compileRowRule(
      r,
      (field) => {
        const i = targetIndex.get(field);
        if (i === undefined) throw new FerryError('contract', 'contract.unknown_target_column', `row rule ${r.name} refers to ${field}, which is not a column of ${o.table}`);
        return i;
      },
      { today: o.today },
    ),
  );
  const sourceKey = keyRenderer(srcDef.primary_key.map(indexOf));
  return { width, readColumns, joins, fields, unmapped, rowChecks, filter: compileFilter(mapping.filter, indexOf), sourceKey };
}

function tally(map: Map<string, ReasonCount>, rule: string, reasonCode: string): void {
  const k = `${reasonCode}\u0000${rule}`;
  const hit = map.get(k);
  if (hit) hit.count++;
  else map.set(k, { reasonCode, rule, count: 1 });
}

/** Runs one mapping to completion (or until aborted) and returns its counts. */
export async function runTable(o: TableJobOptions): Promise<TableResult> {
  const started = Date.now();
  const mapping = o.loaded.contract.mappings[o.table];
  const compiled = await compileTable(o, mapping);
  const srcDef = o.loaded.contract.source.tables[mapping.source];
  const mode = mapping.load;
  const counts: TableCounts = {
    read: o.resumeFrom?.offset ?? 0,
    loaded: o.resumeFrom?.loaded ?? 0,
    quarantined: o.resumeFrom?.quarantined ?? 0,
    excluded: o.resumeFrom?.excluded ?? 0,
  };
  const reasons = new Map<string, ReasonCount>();
  const warnings = new Map<string, ReasonCount>();
  const result = (): TableResult => ({ table: o.table, source: mapping.source, ...counts, elapsedMs: Date.now() - started, reasons, warnings });

  if (o.resumeFrom?.done) return result();
  if (!o.resumeFrom && o.target) {
    await o.target.startTable(o.def, mode, { runId: o.runId, table: o.table, offset: 0, loaded: 0, quarantined: 0, excluded: 0, done: false });
  }
  const total = o.countTotal ? await o.source.count(mapping.source) : null;
  o.onEvent?.({ type: 'table:started', runId: o.runId, table: o.table, source: mapping.source, total, resumedFrom: counts.read });

  const { fields, unmapped, rowChecks, joins, filter, sourceKey, width } = compiled;
  const ncols = o.def.columns.length;
  const pilot = o.pilotKeys;
  let pending: Promise<void> | undefined;

  const stream = o.source.read(mapping.source, {
    columns: compiled.readColumns,
    orderBy: srcDef.primary_key,
    skip: counts.read,
    batchSize: o.batchSize,
    signal: o.signal,
  });
  for await (const batch of stream) {
    if (o.signal?.aborted) break;
    const rows: Value[][] = [];
    const quarantine: QuarantineRecord[] = [];
    const observed = o.runObserver;
    const loadedKeys: string[] = [];
    const batchWarnings: Array<{ sourceKey: string; rule: string; reasonCode: string }> = [];
    const excludedBefore = counts.excluded;
    const quarantinedBefore = counts.quarantined;
    for (const src of batch.rows) {
      let wide: readonly Value[] = src;
      if (joins.length > 0) {
        const w = src.slice();
        for (const j of joins) w.push(...j.match(src));
        w.length = width;
        wide = w;
      }
      if (!filter(wide) || (pilot !== undefined && !pilot.has(sourceKey(wide)))) {
        counts.excluded++;
        continue;
      }
      const out: Value[] = new Array(ncols).fill(null);
      let issues: RowIssue[] | undefined;
      for (const f of fields) {
        const v = f.program(wide);
        if (isFailure(v)) {
          (issues ??= []).push({ rule: v.step, reasonCode: v.reasonCode, message: v.message });
          continue;
        }
        const c = f.conform(v);
        if (c !== null && typeof c === 'object' && 'failed' in c) {
          (issues ??= []).push({ rule: `${f.name}: target type`, reasonCode: c.reasonCode, message: c.message });
          continue;
        }
        out[f.at] = c as Value;
        for (const check of f.checks) {
          const r = check(c as Value);
          if (!r) continue;
          if (r.severity === 'error') (issues ??= []).push(r);
          else {
            tally(warnings, r.rule, r.reasonCode);
            if (observed) batchWarnings.push({ sourceKey: sourceKey(wide), rule: r.rule, reasonCode: r.reasonCode });
          }
        }
      }
      for (const u of unmapped) {
        const c = u.conform(null);
        if (c !== null && typeof c === 'object' && 'failed' in c) (issues ??= []).push({ rule: 'target schema', reasonCode: c.reasonCode, message: c.message });
      }
      if (issues === undefined) {
        for (const check of rowChecks) {
          const r = check(out);
          if (!r) continue;
          if (r.severity === 'error') (issues ??= []).push(r);
          else {
            tally(warnings, r.rule, r.reasonCode);
            if (observed) batchWarnings.push({ sourceKey: sourceKey(wide), rule: r.rule, reasonCode: r.reasonCode });
          }
        }
      }
      if (issues === undefined) {
        rows.push(out);
        if (observed) loadedKeys.push(sourceKey(wide));
        continue;
      }
      const key = sourceKey(wide);
      for (const i of issues) {
        tally(reasons, i.rule, i.reasonCode);
        quarantine.push({ runId: o.runId, sourceTable: mapping.source, sourceKey: key, targetTable: o.table, rule: i.rule, reasonCode: i.reasonCode, message: i.message });
      }
      counts.quarantined++;
    }
    counts.read += batch.rows.length;
    counts.loaded += rows.length;
    const checkpoint: Checkpoint = { runId: o.runId, table: o.table, offset: counts.read, ...pick(counts), done: false };
    const outcome = observed && {
      runId: o.runId,
      table: o.table,
      def: o.def,
      mapping,
      loaded: rows,
      loadedKeys,
      quarantine,
      quarantinedRows: counts.quarantined - quarantinedBefore,
      excluded: counts.excluded - excludedBefore,
      warnings: batchWarnings,
    };
    // Overlap: transform the next batch while this one is being written; commits stay in order.
    if (pending) await pending;
    const snapshot = { ...counts };
    pending = o.target
      ? o.target.commit({ runId: o.runId, table: o.def, mode, rows, quarantine, checkpoint }).then(() => {
          if (outcome) observed.batch(outcome);
          o.onEvent?.({ type: 'batch:loaded', runId: o.runId, table: o.table, batchRows: batch.rows.length, counts: snapshot });
        })
      : Promise.resolve().then(() => {
          if (outcome) observed.batch(outcome);
          o.onEvent?.({ type: 'batch:loaded', runId: o.runId, table: o.table, batchRows: batch.rows.length, counts: snapshot });
        });
  }
  if (pending) await pending;
  if (o.signal?.aborted) return result();
  if (o.target) {
    await o.target.commit({
      runId: o.runId,
      table: o.def,
      mode,
      rows: [],
      quarantine: [],
      checkpoint: { runId: o.runId, table: o.table, offset: counts.read, ...pick(counts), done: true },
    });
  }
  const res = result();
  o.onEvent?.({ type: 'table:finished', runId: o.runId, table: o.table, counts: { ...counts }, elapsedMs: res.elapsedMs });
  return res;
}

function pick(c: TableCounts): Pick<Checkpoint, 'loaded' | 'quarantined' | 'excluded'> {
  return { loaded: c.loaded, quarantined: c.quarantined, excluded: c.excluded };
}
