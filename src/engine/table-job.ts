/**
 * One mapping, end to end: stream the source table through the compiled row program and
 * commit loaded rows, quarantine records and the checkpoint as one unit per batch. Every row
 * that is read ends loaded, quarantined or excluded by the contract's filter — never dropped.
 */
import type { Checkpoint, LineageRow, QuarantineRecord, Source, Target, TargetTableDef, Value } from '../connectors/connector.js';
import type { LoadedContract } from '../contract/model.js';
import type { CrosswalkObserver } from '../transform/compile.js';
import type { RunEventListener, TableCounts } from './events.js';
import type { LookupCache } from './joins.js';
import type { BatchOutcome, RunObserver } from './observer.js';
import { compileRowProgram, EXCLUDED, LOADED } from './row-program.js';
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
  /** Write per-source-row lineage with every batch (docs/lineage.md). */
  lineage?: boolean;
  /** Record the undo log so the run can be rolled back. */
  undo?: boolean;
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
  const program = await compileRowProgram({
    loaded: o.loaded,
    table: o.table,
    def: o.def,
    source: o.source,
    lookups: o.lookups,
    batchSize: o.batchSize,
    pilotKeys: o.pilotKeys,
    observer: o.observer,
    today: o.today,
    signal: o.signal,
  });
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
    await o.target.startTable(o.def, mode, { runId: o.runId, table: o.table, offset: 0, loaded: 0, quarantined: 0, excluded: 0, done: false }, { undo: o.undo ?? false });
  }
  const lineage = Boolean(o.lineage && o.target);
  const targetKey = o.def.primaryKey.length > 0 ? keyRenderer(o.def.primaryKey.map((k) => o.def.columns.findIndex((c) => c.name === k))) : undefined;
  const total = o.countTotal ? await o.source.count(mapping.source) : null;
  o.onEvent?.({ type: 'table:started', runId: o.runId, table: o.table, source: mapping.source, total, resumedFrom: counts.read });

  const observed = o.runObserver;
  let pending: Promise<void> | undefined;
  const stream = o.source.read(mapping.source, {
    columns: program.readColumns,
    orderBy: program.orderBy,
    skip: counts.read,
    batchSize: o.batchSize,
    signal: o.signal,
  });
  for await (const batch of stream) {
    if (o.signal?.aborted) break;
    const rows: Value[][] = [];
    const quarantine: QuarantineRecord[] = [];
    const loadedKeys: string[] = [];
    const batchWarnings: Array<{ sourceKey: string; rule: string; reasonCode: string }> = [];
    const lineageRows: LineageRow[] | undefined = lineage ? [] : undefined;
    let excluded = 0;
    let quarantined = 0;
    for (const src of batch.rows) {
      const status = program.evaluate(src);
      if (status === EXCLUDED) {
        excluded++;
        if (lineageRows) {
          const key = program.sourceKey(src);
          lineageRows.push([key, 'X', null, o.pilotKeys && !o.pilotKeys.has(key) ? 'excluded.pilot' : 'excluded.filter']);
        }
        continue;
      }
      if (program.warnings.length > 0) {
        for (const w of program.warnings) {
          tally(warnings, w.rule, w.reasonCode);
          if (observed) batchWarnings.push({ sourceKey: program.sourceKey(src), ...w });
        }
      }
      if (status === LOADED) {
        rows.push(program.out);
        if (observed) loadedKeys.push(program.sourceKey(src));
        if (lineageRows) lineageRows.push([program.sourceKey(src), 'L', targetKey ? targetKey(program.out) : null, null]);
        continue;
      }
      const key = program.sourceKey(src);
      if (lineageRows) lineageRows.push([key, 'Q', null, program.issues[0]?.reasonCode ?? null]);
      for (const i of program.issues) {
        tally(reasons, i.rule, i.reasonCode);
        quarantine.push({ runId: o.runId, sourceTable: mapping.source, sourceKey: key, targetTable: o.table, rule: i.rule, reasonCode: i.reasonCode, message: i.message });
      }
      quarantined++;
    }
    counts.read += batch.rows.length;
    counts.loaded += rows.length;
    counts.quarantined += quarantined;
    counts.excluded += excluded;
    const checkpoint: Checkpoint = { runId: o.runId, table: o.table, offset: counts.read, loaded: counts.loaded, quarantined: counts.quarantined, excluded: counts.excluded, done: false };
    const outcome: BatchOutcome | undefined = observed && {
      runId: o.runId,
      table: o.table,
      def: o.def,
      mapping,
      loaded: rows,
      loadedKeys,
      quarantine,
      quarantinedRows: quarantined,
      excluded,
      warnings: batchWarnings,
    };
    const snapshot = { ...counts };
    const after = () => {
      if (outcome) observed!.batch(outcome);
      o.onEvent?.({ type: 'batch:loaded', runId: o.runId, table: o.table, batchRows: batch.rows.length, counts: snapshot });
    };
    // Overlap: transform the next batch while this one is being written; commits stay in order.
    if (pending) await pending;
    const unit = { runId: o.runId, table: o.def, mode, rows, quarantine, checkpoint, undo: o.undo ?? false, ...(lineageRows ? { lineage: { sourceTable: mapping.source, rows: lineageRows } } : {}) };
    pending = o.target ? o.target.commit(unit).then(after) : Promise.resolve().then(after);
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
      checkpoint: { runId: o.runId, table: o.table, offset: counts.read, loaded: counts.loaded, quarantined: counts.quarantined, excluded: counts.excluded, done: true },
    });
  }
  const res = result();
  o.onEvent?.({ type: 'table:finished', runId: o.runId, table: o.table, counts: { ...counts }, elapsedMs: res.elapsedMs });
  return res;
}
