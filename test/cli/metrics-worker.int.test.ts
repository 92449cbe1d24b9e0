/**
 * `ferry worker --metrics-listen` as an operator runs it (the built bin/ferry.js, real
 * processes): while a queued run's partitions are loaded, its scrape shows the job it is
 * executing, the partition queue's depth, and a heartbeat that advances at each poll; at the
 * end every partition it finished is counted by outcome; a scrape without the token is refused;
 * and no scrape carries a patient value of the synthetic source.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';
import { EXAMPLE_CONTRACT, query, runFerry, startFerry, type FerryProcess } from '../fault/ferry-process.js';
import { fetchMetrics, value, waitFor } from '../metrics/scrape.js';

const TOKEN = 'worker-metrics-token-0123456789';
let dir: string;
let cleanup: () => Promise<void>;
const dbs: Array<{ url: string; drop: () => Promise<void> }> = [];
const children: FerryProcess[] = [];

async function database(prefix: string): Promise<string> {
  const db = await createPgDatabase(prefix);
  dbs.push(db);
  return db.url;
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('ferry-worker-metrics-'));
}, 30_000);

afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
  for (const d of dbs) await d.drop().catch(() => undefined);
  await cleanup?.();
});

describe('ferry worker --metrics-listen', () => {
  it('shows its jobs, the queue depth and its heartbeat during a queued run, and counts each partition it finished', async () => {
    const sourceUrl = await database('ferry_wm_src');
    const targetUrl = await database('ferry_wm_tgt');
    const queueUrl = await database('ferry_wm_q');
    const synth = await runFerry(['synth', '--out', sourceUrl, '--patients', '600', '--defects', '0.02', '--seed', '5'], dir);
    expect(synth.code, synth.stderr).toBe(0);

    const worker = startFerry(['worker', '--queue', queueUrl, '--allow', sourceUrl, '--allow', targetUrl, '--maintenance-interval', '1', '--metrics-listen', '127.0.0.1:0'], dir, {
      FERRY_METRICS_TOKEN: TOKEN,
    });
    children.push(worker);
    const base = await waitFor(() => /metrics at (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(worker.stderr())?.[1], 'the metrics listener');
    const url = `${base}/metrics`;
    expect((await fetchMetrics(url)).status).toBe(401);
    const heartbeat = (text: string) => value(text, 'ferry_worker_last_heartbeat_seconds', { queue: 'ferry.partitions' });
    const first = await waitFor(async () => {
      const t = (await fetchMetrics(url, TOKEN)).text;
      return heartbeat(t) > 0 ? t : undefined;
    }, 'the first poll');
    expect(Math.abs(heartbeat(first) - Date.now() / 1000)).toBeLessThan(30);
    expect(value(first, 'ferry_worker_jobs_active', { queue: 'ferry.partitions' })).toBe(0);

    const run = startFerry(
      [
        'run',
        EXAMPLE_CONTRACT,
        '--source',
        sourceUrl,
        '--target',
        targetUrl,
        '--batch-size',
        '40',
        '--partitions',
        '4',
        '--partition-min-rows',
        '500',
        '--concurrency',
        '4',
        '--queue',
        queueUrl,
        '--store',
        `sqlite:${path.join(dir, 'run.db')}`,
      ],
      dir,
    );
    children.push(run);
    // During the run: a job executing here, and jobs of the partition queue in the queue database.
    const during = await waitFor(async () => {
      const t = (await fetchMetrics(url, TOKEN)).text;
      const queued = value(t, 'ferry_queue_jobs', { queue: 'ferry.partitions', state: 'created' }) + value(t, 'ferry_queue_jobs', { queue: 'ferry.partitions', state: 'active' });
      return value(t, 'ferry_worker_jobs_active', { queue: 'ferry.partitions' }) >= 1 && queued >= 1 ? t : undefined;
    }, 'a partition loading on the worker');
    expect(value(during, 'ferry_queue_jobs', { queue: 'ferry.partitions', state: 'active' })).toBeGreaterThanOrEqual(1);
    expect(heartbeat(during)).toBeGreaterThanOrEqual(heartbeat(first));
    const code = await run.exited;
    // The defects fail the pre-production gate (exit 6); every partition was loaded all the same.
    expect([0, 6], run.stderr()).toContain(code);

    const done = (worker.stderr().match(/partition \S+ done: /g) ?? []).length;
    expect(done).toBeGreaterThan(4);
    const after = (await fetchMetrics(url, TOKEN)).text;
    expect(value(after, 'ferry_worker_jobs_total', { queue: 'ferry.partitions', outcome: 'completed' })).toBe(done);
    expect(value(after, 'ferry_worker_jobs_total', { queue: 'ferry.partitions', outcome: 'failed' })).toBe(0);
    expect(value(after, 'ferry_worker_jobs_active', { queue: 'ferry.partitions' })).toBe(0);
    expect(value(after, 'ferry_queue_jobs', { queue: 'ferry.partitions', state: 'completed' })).toBe(done);
    expect(value(after, 'ferry_queue_oldest_job_age_seconds', { queue: 'ferry.partitions' })).toBe(0);
    expect(heartbeat(after)).toBeGreaterThan(heartbeat(first));

    const people = await query<{ nhs: string | null; surname: string | null }>(sourceUrl, 'SELECT "PAT_NHSNO" AS nhs, "PAT_SURNAME" AS surname FROM "PAT_MAST" LIMIT 20');
    const values = people.flatMap((p) => [p.nhs, p.surname]).filter((v): v is string => typeof v === 'string' && v.trim().length >= 4);
    expect(values.length).toBeGreaterThan(10);
    for (const v of values) expect(after, v).not.toContain(v.trim());

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  }, 300_000);
});
