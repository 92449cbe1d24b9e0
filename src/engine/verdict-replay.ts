/**
 * The verdict of a run whose partitions load elsewhere (queue workers): this process replays
 * every partition, writing nothing, so the quality gate and the run's observers see every row
 * as a run that loaded here would show them (table-job.ts replays a finished partition). The
 * replay follows the load: a partition is replayed as soon as it and the partitions before it
 * in key order have loaded, and a table once its parent tables have been replayed, so the gate
 * sees each table's rows in key order and parents before children, while the workers go on
 * loading.
 */
import type { Checkpoint, Target } from '../connectors/connector.js';
import { FerryError } from '../errors.js';
import { partitionsOf, type Partition, type PartitionPlan } from './partitions.js';
import type { PlannedTable } from './plan.js';
import type { TableResult } from './table-job.js';
import { mergeResults } from './table-run.js';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  // A chain that is abandoned (the load failed) must not count as an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export interface VerdictReplayOptions {
  runId: string;
  plan: readonly PlannedTable[];
  cut: PartitionPlan;
  target: Target;
  /** Replays one loaded partition from its done checkpoint; writes nothing. */
  replay: (partition: Partition, done: Checkpoint) => Promise<TableResult>;
  /** Called once a table's every partition has been replayed. */
  tableDone: (table: string) => void;
}

/** Replays loaded partitions in key order, table by table in foreign-key order, as they finish loading. */
export class VerdictReplay {
  private readonly loaded = new Map<string, Deferred>();
  private readonly tables = new Map<string, Promise<TableResult>>();
  private stopped?: unknown;

  constructor(private readonly o: VerdictReplayOptions) {
    for (const p of o.plan) for (const part of partitionsOf(o.cut, p.table)) this.loaded.set(part.checkpoint, deferred());
    for (const p of o.plan) this.tables.set(p.table, this.replayTable(p));
    for (const t of this.tables.values()) t.catch(() => undefined);
  }

  /** Tells the replay a partition has loaded (its done checkpoint is committed). */
  partitionLoaded(part: Partition): void {
    this.loaded.get(part.checkpoint)?.resolve();
  }

  /** Ends the replay: the load failed or was cancelled, so there is no verdict to decide. */
  stop(reason: unknown): void {
    this.stopped ??= reason;
    for (const d of this.loaded.values()) d.reject(reason);
  }

  /** Every table's replayed result, once all are replayed; rejects with the first failure. */
  async results(): Promise<Map<string, TableResult>> {
    const out = new Map<string, TableResult>();
    for (const [table, r] of this.tables) out.set(table, await r);
    return out;
  }

  private async replayTable(p: PlannedTable): Promise<TableResult> {
    const o = this.o;
    for (const parent of p.after) await this.tables.get(parent);
    const started = Date.now();
    const mapping = p.table;
    const results: TableResult[] = [];
    for (const part of partitionsOf(o.cut, p.table)) {
      await this.loaded.get(part.checkpoint)!.promise;
      const done = (await o.target.checkpoints(o.runId)).find((c) => c.table === part.checkpoint);
      if (!done?.done) {
        throw new FerryError('internal', 'run.partition_unfinished', `partition ${part.checkpoint} of run ${o.runId} was reported loaded, but its checkpoint in the target is not done`);
      }
      results.push(await o.replay(part, done));
    }
    const merged = mergeResults(results, Date.now() - started);
    o.tableDone(mapping);
    return merged;
  }
}
