/**
 * Partitions on a job queue (issue #17), in-process: the run sends its partitions to an in-memory
 * queue and `workPartitions` takes them in the same process, claiming each in a PostgreSQL test
 * database as a `ferry worker` would in its queue database. The worker refuses jobs it must not
 * run before touching anything; a run through the queue leaves exactly what a local run leaves.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contractDigest } from '../../src/contract/canonical.js';
import { loadContract } from '../../src/contract/load.js';
import type { LoadedContract } from '../../src/contract/model.js';
import type { JobInfo } from '../../src/queue/job-queue.js';
import { MemoryQueue } from '../../src/queue/memory-queue.js';
import { migrate, type MigrateOptions } from '../../src/run/migrate.js';
import { PARTITION_QUEUE, preparePartitionQueues, workPartitions, type PartitionJobData } from '../../src/run/queued-partitions.js';
import type { RunReport } from '../../src/run/report.js';
import { createPgDatabase } from '../helpers/databases.js';
import { checkpointsOf, comparable, EXAMPLE_CONTRACT, query, synthSource, targetFingerprint } from '../helpers/example-run.js';
import { tempDir } from '../helpers/tmp.js';

const BATCH = 40;

let dir: string;
let cleanup: () => Promise<void>;
let sourceUrl: string;
let queueUrl: string;
let contract: LoadedContract;
const dbs: Array<{ drop: () => Promise<void> }> = [];
let reference: { url: string; report: RunReport; fingerprint: Awaited<ReturnType<typeof targetFingerprint>> };
let queue: MemoryQueue | undefined;

async function database(prefix = 'ferry_queued_t'): Promise<string> {
  const db = await createPgDatabase(prefix);
  dbs.push(db);
  return db.url;
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('ferry-queued-'));
  const source = await synthSource(dir, 300, 0.01);
  dbs.push(source);
  sourceUrl = source.url;
  queueUrl = await database('ferry_queue');
  contract = await loadContract(EXAMPLE_CONTRACT);
  const url = await database();
  const report = await migrate({ contract, sourceUrl, targetUrl: url, batchSize: BATCH });
  reference = { url, report, fingerprint: await targetFingerprint(url) };
}, 180_000);

afterEach(async () => {
  await queue?.stop({ graceful: true, timeoutMs: 10_000 });
  queue = undefined;
});

afterAll(async () => {
  for (const d of dbs) await d.drop();
  await cleanup?.();
});

/** A started in-memory queue with the partition queues and a worker allowed to connect to `allow`. */
async function queueWithWorker(allow: string[], log?: (line: string) => void): Promise<MemoryQueue> {
  queue = new MemoryQueue();
  await queue.start();
  await preparePartitionQueues(queue);
  await workPartitions({ queue, queueUrl, concurrency: 2, allow, log });
  return queue;
}

/** A job for the first partition of `patient` in run `runId`, as the run side would send it. */
function partitionJob(targetUrl: string, runId = 'run-20261207-083000-abcdef'): PartitionJobData {
  return {
    spec: { runId, digest: contractDigest(contract), table: 'patient', partition: 'patient/0', batchSize: BATCH, lineage: true, undo: true, runDay: '2026-12-07' },
    contract: { file: 'contract.yaml', contract: contract.contract, crosswalks: contract.crosswalks },
    source: sourceUrl,
    target: targetUrl,
  };
}

/** Sends `data` for one attempt only and waits until the attempt has ended. */
async function attempt(q: MemoryQueue, data: object): Promise<JobInfo<object>> {
  const id = await q.send(PARTITION_QUEUE, data, { retryLimit: 0 });
  expect(id).not.toBeNull();
  const deadline = Date.now() + 30_000;
  for (;;) {
    const job = await q.getJob<object>(PARTITION_QUEUE, id!);
    if (job && (job.state === 'failed' || job.state === 'completed')) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} is still ${job?.state}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Tables in the public schema of the database at `url`: a worker that refused a job created none. */
async function tablesIn(url: string): Promise<string[]> {
  return (await query<{ name: string }>(url, `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).map((r) => r.name);
}

describe('the partition worker', () => {
  it('refuses a job naming a source or target it was not allowed, and writes nothing', async () => {
    const allowedTarget = await database();
    const otherTarget = await database();
    const q = await queueWithWorker([sourceUrl, allowedTarget, reference.url]);

    const wrongTarget = await attempt(q, partitionJob(otherTarget));
    expect(wrongTarget.state).toBe('failed');
    expect(wrongTarget.output).toMatchObject({ code: 'worker.url_not_allowed' });
    const wrongSource = await attempt(q, { ...partitionJob(allowedTarget), source: otherTarget });
    expect(wrongSource.output).toMatchObject({ code: 'worker.url_not_allowed' });
    // Allowed means exactly as given: the same database with another query string is another URL.
    const respelled = await attempt(q, partitionJob(`${allowedTarget}?sslmode=disable`));
    expect(respelled.output).toMatchObject({ code: 'worker.url_not_allowed' });
    expect(await tablesIn(otherTarget)).toEqual([]);
    expect(await tablesIn(allowedTarget)).toEqual([]);

    // A job naming allowed URLs gets past the allowlist and the claim: it fails only on the run the target never began.
    const allowed = await attempt(q, partitionJob(reference.url));
    // A refusal no retry can change ends the job at once with its reason (the run fails with it), instead of after every retry.
    expect(allowed.state).toBe('completed');
    expect(allowed.output).toMatchObject({ refused: { code: 'run.unknown' } });
  }, 120_000);

  it('refuses a job whose contract is not the one its digest names', async () => {
    const target = await database();
    const q = await queueWithWorker([sourceUrl, target]);
    const job = partitionJob(target);
    const tampered = structuredClone(job);
    // One rule dropped from one field: the contract still parses, but moves other rows than the run's.
    const field = (tampered.contract.contract as LoadedContract['contract']).mappings.patient.fields.nhs_number;
    expect(field.rules.length).toBeGreaterThan(0);
    field.rules = [];
    const refused = await attempt(q, tampered);
    expect(refused.state).toBe('completed');
    expect(refused.output).toMatchObject({ refused: { code: 'worker.digest_mismatch' } });
    // A digest that names no contract at all is refused the same way.
    const forged = await attempt(q, { ...job, spec: { ...job.spec, digest: 'f'.repeat(64) } });
    expect(forged.output).toMatchObject({ refused: { code: 'worker.digest_mismatch' } });
    expect(await tablesIn(target)).toEqual([]);
  }, 120_000);

  it('refuses a job that is not a partition job', async () => {
    const target = await database();
    const q = await queueWithWorker([sourceUrl, target]);
    const job = partitionJob(target);
    const notJobs: object[] = [
      { hello: 'world' },
      { ...job, extra: true },
      { ...job, spec: { ...job.spec, runId: 'not-a-run' } },
      { ...job, spec: { ...job.spec, batchSize: 0 } },
      { spec: job.spec, source: job.source, target: job.target },
    ];
    for (const data of notJobs) {
      const refused = await attempt(q, data);
      expect(refused.state, JSON.stringify(Object.keys(data))).toBe('completed');
      expect(refused.output).toMatchObject({ refused: { code: 'worker.bad_job' } });
    }
    expect(await tablesIn(target)).toEqual([]);
  }, 120_000);
});

describe('a run through the queue', () => {
  it('leaves exactly the target and report of a local run', async () => {
    const targetUrl = await database();
    const lines: string[] = [];
    const q = await queueWithWorker([sourceUrl, targetUrl], (line) => lines.push(line));
    const report = await migrate({ contract, sourceUrl, targetUrl, batchSize: BATCH, partitions: 3, minPartitionRows: 100, concurrency: 4, queue: q } as MigrateOptions);
    expect(report.status).toBe(reference.report.status);
    expect(await targetFingerprint(targetUrl)).toEqual(reference.fingerprint);
    expect(comparable(report)).toEqual(comparable(reference.report));
    // The worker loaded every partition, each to its done checkpoint, and nothing twice.
    const checkpoints = await checkpointsOf(targetUrl, report.runId);
    expect([...checkpoints.values()].every((done) => done)).toBe(true);
    const partitions = [...checkpoints.keys()].filter((c) => c.includes('/') || !checkpoints.has(`${c}/0`));
    expect(partitions.filter((c) => c.includes('/')).length).toBeGreaterThan(10);
    const done = lines.map((l) => / partition (\S+) done:/.exec(l)?.[1]).filter((p): p is string => p !== undefined);
    expect(done.sort()).toEqual(partitions.sort());
  }, 120_000);
});
