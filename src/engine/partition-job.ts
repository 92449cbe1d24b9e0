/**
 * One partition of a run, loaded by a process other than the run's (a queue worker): the same
 * partition executor as a local run (table-job.ts), with what the run's own process would have
 * held in memory rebuilt from the target's ledger and the source. The run's plan and
 * checkpoints come from the ledger; the keys of parent tables that children follow (cascade.ts)
 * are re-derived by replaying the ancestors' finished partitions, which writes nothing.
 */
import type { Source, Target } from '../connectors/connector.js';
import type { LoadedContract } from '../contract/model.js';
import { FerryError } from '../errors.js';
import { lookupSpecs } from '../transform/compile.js';
import { cascadingKeys, LoadedKeys } from './cascade.js';
import { conflictParents } from './conflict-guard.js';
import { LookupCache } from './joins.js';
import { decodePlan, partitionsOf, type Partition } from './partitions.js';
import { runPartition, type TableResult } from './table-job.js';
import type { TableCounts } from './events.js';
import { mappedTargetDefs } from './target-defs.js';

/** What a queue job names: everything else comes from the run's ledger record. */
export interface PartitionJobSpec {
  runId: string;
  /** The contract digest the run was started with; a worker holding another contract refuses. */
  digest: string;
  table: string;
  /** The partition's checkpoint name (partitions.ts). */
  partition: string;
  batchSize: number;
  batchBytes?: number;
  unitValues?: number;
  lineage: boolean;
  undo: boolean;
  /** The run's day (YYYY-MM-DD), fixed when it started, so date rules judge every partition alike. */
  runDay: string;
}

/** Per-run state a worker keeps between jobs of the same run: lookups and parent keys are read once. */
export class PartitionJobCache {
  private readonly lookups = new Map<string, Promise<LookupCache>>();
  private readonly keys = new Map<string, Promise<LoadedKeys>>();

  /** The run's lookup tables, loaded on first use. */
  lookupsFor(runId: string, load: () => Promise<LookupCache>): Promise<LookupCache> {
    return memo(this.lookups, runId, load);
  }

  /** The run's parent keys for `table`'s ancestors, derived on first use. */
  keysFor(runId: string, table: string, derive: () => Promise<LoadedKeys>): Promise<LoadedKeys> {
    return memo(this.keys, `${runId}\u0000${table}`, derive);
  }

  /** Forgets a run (its last job is done). */
  forget(runId: string): void {
    for (const m of [this.lookups, this.keys]) for (const k of [...m.keys()]) if (k === runId || k.startsWith(`${runId}\u0000`)) m.delete(k);
  }
}

function memo<T>(m: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = m.get(key);
  if (!p) {
    p = make();
    m.set(key, p);
    // A failed derivation is not cached: the job's retry tries again.
    p.catch(() => m.delete(key));
  }
  return p;
}

export interface PartitionJobOptions {
  spec: PartitionJobSpec;
  loaded: LoadedContract;
  source: Source;
  target: Target;
  cache: PartitionJobCache;
  signal?: AbortSignal;
  /** Sees the partition's running totals after each commit (progress). */
  onCommit?: (counts: TableCounts) => void;
}

/** Loads one partition of a run begun elsewhere and returns its result. */
export async function executePartitionJob(o: PartitionJobOptions): Promise<TableResult> {
  const { spec, loaded, source, target } = o;
  const contract = loaded.contract;
  const run = await target.getRun(spec.runId);
  if (!run) throw new FerryError('not_found', 'run.unknown', `run ${spec.runId} is not recorded in the target ${target.displayUrl}; the job names a run this target never began`);
  if (run.contractDigest !== spec.digest) {
    throw new FerryError('conflict', 'run.digest_mismatch', `run ${spec.runId} was started with contract ${run.contractDigest.slice(0, 12)}…, but its job carries ${spec.digest.slice(0, 12)}…`);
  }
  if (run.status !== 'running') throw new FerryError('conflict', 'run.not_running', `run ${spec.runId} is ${run.status}, so its partition ${spec.partition} is not loaded`);
  const plan = decodePlan(spec.runId, run.plan);
  const mapping = contract.mappings[spec.table];
  const part = mapping ? partitionsOf(plan, spec.table).find((p) => p.checkpoint === spec.partition) : undefined;
  if (!part) throw new FerryError('conflict', 'run.unknown_partition', `run ${spec.runId} has no partition ${spec.partition} of table ${spec.table} in its plan`);
  const defs = new Map(mappedTargetDefs(contract).map((d) => [d.name, d]));
  const checkpoints = new Map((await target.checkpoints(spec.runId)).map((c) => [c.table, c]));
  const today = (): string => spec.runDay;
  const lookups = await o.cache.lookupsFor(spec.runId, async () => {
    const l = new LookupCache();
    await l.load(source, lookupSpecs(contract), spec.batchSize, o.signal);
    return l;
  });
  const common = { runId: spec.runId, loaded, source, target, batchSize: spec.batchSize, batchBytes: spec.batchBytes, unitValues: spec.unitValues, lookups, today, signal: o.signal };

  // Children follow their parents' quarantine: the parent keys are those the ancestors loaded, re-derived by replay.
  let parentKeys: LoadedKeys | undefined;
  if (cascadingKeys(contract, spec.table).length > 0 || conflictParents(contract, spec.table).length > 0) {
    parentKeys = await o.cache.keysFor(spec.runId, spec.table, async () => {
      const keys = new LoadedKeys(contract, loaded.crosswalks);
      for (const table of ancestors(loaded, spec.table)) {
        for (const p of partitionsOf(plan, table)) {
          const done = checkpoints.get(p.checkpoint);
          if (!done?.done) throw new FerryError('conflict', 'run.parent_not_loaded', `table ${spec.table} of run ${spec.runId} cannot load before its parent table ${table} has finished`);
          await runPartition({ ...common, table, def: defs.get(table)!, partition: p, tally: zero(), resumeFrom: done, parentKeys: keys });
        }
      }
      return keys;
    });
  }

  const tally = zero();
  const resumeFrom = checkpoints.get(part.checkpoint);
  if (resumeFrom) Object.assign(tally, { read: resumeFrom.offset, loaded: resumeFrom.loaded, quarantined: resumeFrom.quarantined, excluded: resumeFrom.excluded });
  return runPartition({
    ...common,
    table: spec.table,
    def: defs.get(spec.table)!,
    partition: part satisfies Partition,
    tally,
    resumeFrom,
    parentKeys,
    lineage: spec.lineage,
    undo: spec.undo,
    onEvent: o.onCommit ? (e) => (e.type === 'batch:loaded' ? o.onCommit!(e.counts) : undefined) : undefined,
  });
}

function zero(): TableCounts {
  return { read: 0, loaded: 0, quarantined: 0, excluded: 0 };
}

/** Every mapped table `table` depends on through foreign keys (and quarantining allergy checks), parents before children. */
function ancestors(loaded: LoadedContract, table: string): string[] {
  const contract = loaded.contract;
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (t: string): void => {
    for (const parent of [...(contract.target.tables[t]?.foreign_keys ?? []).map((fk) => fk.references.table), ...conflictParents(contract, t)]) {
      if (parent === t || !(parent in contract.mappings) || seen.has(parent)) continue;
      seen.add(parent);
      visit(parent);
      out.push(parent);
    }
  };
  visit(table);
  return out;
}
