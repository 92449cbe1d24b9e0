/**
 * Partitions on a job queue: the run's process (`ferry run --queue`) sends each partition as a
 * job and follows it; `ferry worker` processes take the jobs and load them with the same
 * partition executor a local run uses (engine/partition-job.ts). A job carries the contract
 * (which holds no secrets), the partition's name and the source and target URLs (which hold no
 * passwords: connectors refuse them); a worker reads passwords from its own environment and
 * connects only to the URLs its operator allowed.
 */
import { z } from 'zod';
import type { Source, Target } from '../connectors/connector.js';
import { openSource, openTarget } from '../connectors/registry.js';
import { redact } from '../connectors/url.js';
import { contractDigest } from '../contract/canonical.js';
import { contractSchema, type CrosswalkEntry, type LoadedContract } from '../contract/model.js';
import type { RunEventListener } from '../engine/events.js';
import { executePartitionJob, PartitionJobCache, type PartitionJobSpec } from '../engine/partition-job.js';
import type { RemotePartition, RemotePartitions } from '../engine/run.js';
import type { ReasonCount, TableResult } from '../engine/table-job.js';
import { FerryError } from '../errors.js';
import { tryClaim } from '../queue/advisory-lock.js';
import type { JobQueue, QueueJob } from '../queue/job-queue.js';

/** The queue partition jobs go to, and where a partition that failed every attempt ends up. */
export const PARTITION_QUEUE = 'ferry.partitions';
export const PARTITION_DEAD_LETTER = 'ferry.partitions.failed';

/** Default lease of a partition job: a partition should load well within it (docs/distributed.md). */
export const DEFAULT_LEASE_SECONDS = 15 * 60;

const reasonsSchema = z.array(z.strictObject({ reasonCode: z.string(), rule: z.string(), count: z.number().int().min(0) }));
const countSchema = z.number().int().min(0);
const specSchema = z.strictObject({
  runId: z.string().regex(/^run-[A-Za-z0-9-]{1,80}$/),
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  table: z.string().min(1).max(200),
  partition: z.string().min(1).max(220),
  batchSize: z.number().int().min(1).max(10_000_000),
  batchBytes: z.number().int().min(1).optional(),
  unitValues: z.number().int().min(1).optional(),
  lineage: z.boolean(),
  undo: z.boolean(),
  runDay: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});
const jobSchema = z.strictObject({
  spec: specSchema,
  contract: z.strictObject({ file: z.string().max(500), contract: z.unknown(), crosswalks: z.record(z.string(), z.array(z.unknown())) }),
  source: z.string().min(1).max(2000),
  target: z.string().min(1).max(2000),
});
const resultSchema = z.strictObject({
  read: countSchema,
  loaded: countSchema,
  quarantined: countSchema,
  excluded: countSchema,
  readHere: countSchema,
  elapsedMs: countSchema,
  reasons: reasonsSchema,
  warnings: reasonsSchema,
});

/** A partition job as it travels through the queue. */
export type PartitionJobData = z.infer<typeof jobSchema>;
type WireResult = z.infer<typeof resultSchema>;

/** Creates the partition queues (idempotent): retries with back-off, a default lease (each run sets its jobs' own), and a dead-letter queue. */
export async function preparePartitionQueues(queue: JobQueue): Promise<void> {
  await queue.createQueue(PARTITION_DEAD_LETTER);
  await queue.createQueue(PARTITION_QUEUE, { deadLetter: PARTITION_DEAD_LETTER, retryLimit: 5, retryDelaySeconds: 2, retryBackoff: true, expireInSeconds: DEFAULT_LEASE_SECONDS });
}

export interface QueuedPartitionsOptions {
  queue: JobQueue;
  loaded: LoadedContract;
  digest: string;
  sourceUrl: string;
  targetUrl: string;
  batchSize: number;
  batchBytes?: number;
  unitValues?: number;
  lineage: boolean;
  undo: boolean;
  onEvent?: RunEventListener;
  signal?: AbortSignal;
  /** How often a partition's job and checkpoint are looked at (default 0.5 s). */
  pollMs?: number;
  /**
   * Each job's lease (default DEFAULT_LEASE_SECONDS). Set on every job, not on the queue: a
   * worker starting later would otherwise set the queue's back to its own default.
   */
  leaseSeconds?: number;
}

/** The run side: each partition becomes a job, followed until a worker finished it (or it failed every attempt). */
export function queuedPartitions(o: QueuedPartitionsOptions): RemotePartitions {
  const bundle = { file: o.loaded.file.split(/[\\/]/).pop() ?? 'contract.yaml', contract: o.loaded.contract, crosswalks: o.loaded.crosswalks };
  const pollMs = o.pollMs ?? 500;
  return async (job: RemotePartition): Promise<TableResult> => {
    const { runId, partition: part } = job;
    const spec: PartitionJobSpec = {
      runId,
      digest: o.digest,
      table: part.table,
      partition: part.checkpoint,
      batchSize: o.batchSize,
      ...(o.batchBytes !== undefined ? { batchBytes: o.batchBytes } : {}),
      ...(o.unitValues !== undefined ? { unitValues: o.unitValues } : {}),
      lineage: o.lineage,
      undo: o.undo,
      runDay: job.runDay,
    };
    const data: PartitionJobData = { spec, contract: bundle, source: o.sourceUrl, target: o.targetUrl };
    const id = await o.queue.send(PARTITION_QUEUE, data, { expireInSeconds: o.leaseSeconds ?? DEFAULT_LEASE_SECONDS });
    if (id === null) throw new FerryError('internal', 'run.partition_not_queued', `the queue dropped partition ${part.checkpoint} of run ${runId}`);
    const seen = { read: 0, loaded: 0, quarantined: 0, excluded: 0 };
    const first = (await job.target.checkpoints(runId)).find((c) => c.table === part.checkpoint);
    if (first) Object.assign(seen, { read: first.offset, loaded: first.loaded, quarantined: first.quarantined, excluded: first.excluded });
    for (;;) {
      if (o.signal?.aborted) {
        // The worker's attempt is aborted too; what it committed stays, and --resume continues from it.
        await o.queue.cancel(PARTITION_QUEUE, id).catch(() => undefined);
        return { table: part.table, source: o.loaded.contract.mappings[part.table].source, partition: part.checkpoint, ...seen, readHere: 0, elapsedMs: 0, reasons: new Map(), warnings: new Map() };
      }
      const info = await o.queue.getJob<PartitionJobData>(PARTITION_QUEUE, id);
      await followCheckpoint(job, seen, o.onEvent);
      if (info?.state === 'completed') {
        const refused = (info.output as { refused?: { code?: unknown; message?: unknown } } | null)?.refused;
        if (refused && typeof refused.code === 'string' && typeof refused.message === 'string') {
          throw new FerryError('run', refused.code, `a worker refused partition ${part.index + 1} of ${part.count} of table ${part.table} (job ${id}): ${refused.message}`);
        }
        return fromWire(part.table, o.loaded.contract.mappings[part.table].source, part.checkpoint, info.output);
      }
      if (!info || info.state === 'failed' || info.state === 'cancelled') {
        const failure = info?.output as { code?: unknown; message?: unknown } | null | undefined;
        const code = typeof failure?.code === 'string' ? failure.code : 'run.partition_failed';
        const message = typeof failure?.message === 'string' ? failure.message : `the job was ${info?.state ?? 'removed from the queue'}`;
        throw new FerryError('run', code, `partition ${part.index + 1} of ${part.count} of table ${part.table} failed on every attempt (job ${id}, in ${PARTITION_DEAD_LETTER}): ${message}`);
      }
      await sleep(pollMs, o.signal);
    }
  };
}

/** Adds what the partition committed since the last look to the table's totals, as progress. */
async function followCheckpoint(job: RemotePartition, seen: { read: number; loaded: number; quarantined: number; excluded: number }, onEvent?: RunEventListener): Promise<void> {
  const c = (await job.target.checkpoints(job.runId)).find((x) => x.table === job.partition.checkpoint);
  if (!c || c.offset <= seen.read) return;
  const delta = { read: c.offset - seen.read, loaded: c.loaded - seen.loaded, quarantined: c.quarantined - seen.quarantined, excluded: c.excluded - seen.excluded };
  Object.assign(seen, { read: c.offset, loaded: c.loaded, quarantined: c.quarantined, excluded: c.excluded });
  const t = job.tally;
  t.read += delta.read;
  t.loaded += delta.loaded;
  t.quarantined += delta.quarantined;
  t.excluded += delta.excluded;
  onEvent?.({ type: 'batch:loaded', runId: job.runId, table: job.partition.table, batchRows: delta.read, counts: { ...t } });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function toWire(r: TableResult): WireResult {
  const list = (m: Map<string, ReasonCount>) => [...m.values()].map((v) => ({ reasonCode: v.reasonCode, rule: v.rule, count: v.count }));
  return { read: r.read, loaded: r.loaded, quarantined: r.quarantined, excluded: r.excluded, readHere: r.readHere, elapsedMs: r.elapsedMs, reasons: list(r.reasons), warnings: list(r.warnings) };
}

function fromWire(table: string, source: string, partition: string, output: unknown): TableResult {
  const r = resultSchema.safeParse(output);
  if (!r.success) throw new FerryError('internal', 'run.partition_result_unreadable', `the worker's result for partition ${partition} of table ${table} is not a partition result`);
  const map = (l: WireResult['reasons']) => new Map(l.map((v) => [`${v.reasonCode}\u0000${v.rule}`, { ...v }]));
  return { table, source, partition, ...r.data, reasons: map(r.data.reasons), warnings: map(r.data.warnings) };
}

/** What a partition worker reports of one job attempt. */
export type AttemptPhase = 'started' | 'committed' | 'completed' | 'refused' | 'failed';

export interface PartitionWorkerOptions {
  queue: JobQueue;
  /** The queue database's URL: partitions are claimed there (queue/advisory-lock.ts). */
  queueUrl: string;
  /** Partition jobs this process loads at once. */
  concurrency: number;
  /** Source and target URLs this worker may connect to, exactly as the run gives them. */
  allow: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** One line per job start and end: ids, tables and counts, never values. */
  log?: (line: string) => void;
  pollingIntervalSeconds?: number;
  /** How often a running job's state is looked at, so a cancelled run stops its partitions (default 2 s). */
  cancelPollMs?: number;
  /** Sees each attempt start, each batch it commits, then its end as completed, refused (no attempt can load it) or failed (it will be retried): the worker's metrics. */
  onAttempt?: (phase: AttemptPhase) => void;
}

/** The worker side: takes partition jobs from the queue until the queue is stopped. */
export async function workPartitions(o: PartitionWorkerOptions): Promise<void> {
  const allowed = new Set(o.allow);
  const cache = new PartitionJobCache();
  await o.queue.work<PartitionJobData>(
    PARTITION_QUEUE,
    { concurrency: o.concurrency, ...(o.pollingIntervalSeconds ? { pollingIntervalSeconds: o.pollingIntervalSeconds } : {}) },
    async (job: QueueJob<PartitionJobData>) => {
      o.onAttempt?.('started');
      try {
        const result = await loadJob(job, o, allowed, cache);
        o.onAttempt?.('completed');
        return result;
      } catch (err) {
        // A job no attempt can ever load ends now, with its reason, instead of after every retry.
        if (err instanceof FerryError && PERMANENT.has(err.code)) {
          o.onAttempt?.('refused');
          return { refused: { code: err.code, message: err.message } };
        }
        o.onAttempt?.('failed');
        throw err;
      }
    },
  );
}

/**
 * Refusals that a retry cannot change. `worker.url_not_allowed` is not one of them: another
 * worker, allowed to connect there, may take the job.
 */
const PERMANENT = new Set(['worker.bad_job', 'worker.bad_contract', 'worker.digest_mismatch', 'run.unknown', 'run.digest_mismatch', 'run.not_running', 'run.unknown_partition', 'run.plan_unreadable']);

/** One attempt of a partition job on this worker. */
async function loadJob(job: QueueJob<PartitionJobData>, o: PartitionWorkerOptions, allowed: ReadonlySet<string>, cache: PartitionJobCache): Promise<WireResult> {
  const parsed = jobSchema.safeParse(job.data);
  if (!parsed.success) throw new FerryError('usage', 'worker.bad_job', `job ${job.id} is not a partition job this Ferry understands`);
  const data = parsed.data;
  for (const url of [data.source, data.target]) {
    if (!allowed.has(url)) {
      throw new FerryError('forbidden', 'worker.url_not_allowed', `job ${job.id} names ${redact(url)}, which this worker was not allowed to connect to; start the worker with --allow for it`);
    }
  }
  const spec = data.spec as PartitionJobSpec;
  const claim = await tryClaim(o.queueUrl, `ferry:${spec.runId}:${spec.partition}`, o.env);
  // Another attempt of this partition is still writing (its lease ran out while it worked): this one retries later.
  if (!claim) throw new FerryError('conflict', 'queue.partition_busy', `partition ${spec.partition} of run ${spec.runId} is still being loaded by another attempt`);
  let source: Source | undefined;
  let target: Target | undefined;
  try {
    const loaded = contractOfJob(data, spec.digest);
    source = await openSource(data.source);
    target = await openTarget(data.target);
    o.log?.(`job ${job.id}: run ${spec.runId} partition ${spec.partition} (attempt ${job.retryCount + 1})`);
    const stop = new AbortController();
    const onAbort = (): void => stop.abort(job.signal.reason);
    job.signal.addEventListener('abort', onAbort, { once: true });
    // A run cancelled from its own process cancels its jobs in the queue; a worker elsewhere learns it here.
    const watch = setInterval(() => {
      o.queue.getJob(PARTITION_QUEUE, job.id).then(
        (info) => {
          if (info?.state === 'cancelled') stop.abort(new FerryError('run', 'queue.cancelled', `the run cancelled job ${job.id}`));
        },
        () => undefined,
      );
    }, o.cancelPollMs ?? 2000);
    let r: TableResult;
    try {
      const onAttempt = o.onAttempt;
      r = await executePartitionJob({ spec, loaded, source, target, cache, signal: stop.signal, ...(onAttempt ? { onCommit: () => onAttempt('committed') } : {}) });
    } finally {
      clearInterval(watch);
      job.signal.removeEventListener('abort', onAbort);
    }
    // An attempt stopped by its lease, a cancel or the worker's stop committed a prefix; the next attempt continues it.
    if (stop.signal.aborted) throw stop.signal.reason instanceof Error ? stop.signal.reason : new FerryError('run', 'queue.cancelled', `job ${job.id} was stopped`);
    o.log?.(`job ${job.id}: run ${spec.runId} partition ${spec.partition} done: read ${r.read}, loaded ${r.loaded}, quarantined ${r.quarantined}, excluded ${r.excluded}`);
    return toWire(r);
  } finally {
    await Promise.allSettled([source?.close(), target?.close()]);
    await claim.release();
  }
}

/** The job's contract, checked against the digest the run began with. */
function contractOfJob(data: PartitionJobData, digest: string): LoadedContract {
  const contract = contractSchema.safeParse(data.contract.contract);
  if (!contract.success) throw new FerryError('contract', 'worker.bad_contract', `the contract in the job for run ${data.spec.runId} does not parse as a Ferry contract`);
  const loaded: LoadedContract = { file: data.contract.file, contract: contract.data, crosswalks: data.contract.crosswalks as Record<string, CrosswalkEntry[]> };
  if (contractDigest(loaded) !== digest) {
    throw new FerryError(
      'conflict',
      'worker.digest_mismatch',
      `the contract in the job for run ${data.spec.runId} does not have the digest the run began with; a worker runs only the contract it was given`,
    );
  }
  return loaded;
}
