/**
 * A table's life in a run around its partitions (table-job.ts): its start (the truncate and
 * zero checkpoint, once, before any partition writes), the progress totals its partitions share,
 * and its end (the table's done checkpoint once every partition is done, and one result that
 * reads as if the table had loaded in one piece).
 */
import type { Checkpoint, Source, Target, TargetTableDef } from '../connectors/connector.js';
import type { Mapping } from '../contract/model.js';
import type { RunEventListener, TableCounts } from './events.js';
import type { Partition } from './partitions.js';
import type { ReasonCount, TableResult } from './table-job.js';

export interface TableRunOptions {
  runId: string;
  table: string;
  def: TargetTableDef;
  mapping: Mapping;
  partitions: readonly Partition[];
  /** The run's checkpoints by name (table and partitions); empty for a fresh run. */
  checkpoints: ReadonlyMap<string, Checkpoint>;
  source: Source;
  target?: Target;
  undo: boolean;
  countTotal: boolean;
  onEvent?: RunEventListener;
}

/** Orchestrates one table's partitions; `start` and `partitionDone` may be called from concurrent jobs. */
export class TableRun {
  /** The table's running totals, shared by its partitions' progress events. */
  readonly tally: TableCounts;
  /** Every partition was done before this process started: start and end were reported by the one that loaded it. */
  readonly finished: boolean;
  private starting?: Promise<void>;
  private startedAt = 0;
  private readonly results: TableResult[] = [];

  constructor(private readonly o: TableRunOptions) {
    const own = o.checkpoints.get(o.table);
    this.finished = own?.done === true;
    const resumed = o.partitions.length === 1 ? [own] : o.partitions.map((p) => o.checkpoints.get(p.checkpoint));
    this.tally = { read: 0, loaded: 0, quarantined: 0, excluded: 0 };
    for (const c of resumed) {
      if (!c) continue;
      this.tally.read += c.offset;
      this.tally.loaded += c.loaded;
      this.tally.quarantined += c.quarantined;
      this.tally.excluded += c.excluded;
    }
  }

  /** Where a partition continues from, or undefined for a fresh one. */
  resumeFrom(p: Partition): Checkpoint | undefined {
    return this.o.checkpoints.get(p.checkpoint);
  }

  /** Starts the table once, whichever of its partitions asks first. */
  start(): Promise<void> {
    this.starting ??= this.begin();
    return this.starting;
  }

  private async begin(): Promise<void> {
    const o = this.o;
    this.startedAt = Date.now();
    // A table with a checkpoint was started by an earlier process: truncating again would lose the rows it committed.
    if (o.target && !o.checkpoints.has(o.table)) {
      await o.target.startTable(o.def, o.mapping.load, { runId: o.runId, table: o.table, offset: 0, loaded: 0, quarantined: 0, excluded: 0, done: false }, { undo: o.undo });
    }
    if (this.finished) return;
    const total = o.countTotal ? await o.source.count(o.mapping.source) : null;
    o.onEvent?.({ type: 'table:started', runId: o.runId, table: o.table, source: o.mapping.source, total, resumedFrom: this.tally.read });
  }

  /** Records a partition's result; after the last one, ends the table and returns its result. */
  async partitionDone(r: TableResult, aborted: boolean): Promise<TableResult | undefined> {
    this.results.push(r);
    if (this.results.length < this.o.partitions.length) return undefined;
    const merged = this.merged();
    if (aborted || this.finished) return merged;
    const o = this.o;
    // One partition committed the table's own done checkpoint already; several leave it to the last of them.
    if (o.target && o.partitions.length > 1) {
      await o.target.commit({
        runId: o.runId,
        table: o.def,
        mode: o.mapping.load,
        rows: [],
        quarantine: [],
        checkpoint: { runId: o.runId, table: o.table, offset: merged.read, loaded: merged.loaded, quarantined: merged.quarantined, excluded: merged.excluded, done: true },
      });
    }
    o.onEvent?.({
      type: 'table:finished',
      runId: o.runId,
      table: o.table,
      counts: { read: merged.read, loaded: merged.loaded, quarantined: merged.quarantined, excluded: merged.excluded },
      elapsedMs: merged.elapsedMs,
    });
    return merged;
  }

  /**
   * What a cancelled run reports for a table some of whose partitions never ran: the results in
   * hand plus what the others had committed before; undefined when nothing of it ran.
   */
  partial(): TableResult | undefined {
    if (this.results.length === 0) return undefined;
    const ran = new Set(this.results.map((r) => r.partition));
    for (const p of this.o.partitions) {
      if (ran.has(p.checkpoint)) continue;
      const c = this.o.checkpoints.get(p.checkpoint);
      const counts = { read: c?.offset ?? 0, loaded: c?.loaded ?? 0, quarantined: c?.quarantined ?? 0, excluded: c?.excluded ?? 0 };
      this.results.push({ table: this.o.table, source: this.o.mapping.source, partition: p.checkpoint, ...counts, readHere: 0, elapsedMs: 0, reasons: new Map(), warnings: new Map() });
    }
    return this.merged();
  }

  /** The partitions' results as one table's. */
  private merged(): TableResult {
    return mergeResults(this.results, this.results.length === 1 ? this.results[0].elapsedMs : Date.now() - this.startedAt);
  }
}

/** Partitions' results of one table (at least one) as the table's, which took `elapsedMs`. */
export function mergeResults(results: readonly TableResult[], elapsedMs: number): TableResult {
  const sum = (f: (r: TableResult) => number): number => results.reduce((n, r) => n + f(r), 0);
  const first = results[0];
  return {
    table: first.table,
    source: first.source,
    partition: first.table,
    read: sum((r) => r.read),
    loaded: sum((r) => r.loaded),
    quarantined: sum((r) => r.quarantined),
    excluded: sum((r) => r.excluded),
    readHere: sum((r) => r.readHere),
    elapsedMs,
    reasons: mergeCounts(results.map((r) => r.reasons)),
    warnings: mergeCounts(results.map((r) => r.warnings)),
  };
}

function mergeCounts(maps: ReadonlyArray<Map<string, ReasonCount>>): Map<string, ReasonCount> {
  if (maps.length === 1) return maps[0];
  const out = new Map<string, ReasonCount>();
  for (const m of maps) {
    for (const [k, v] of m) {
      const hit = out.get(k);
      if (hit) hit.count += v.count;
      else out.set(k, { ...v });
    }
  }
  return out;
}
