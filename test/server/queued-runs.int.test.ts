/**
 * `ferry serve --queue`: server runs on a PostgreSQL job queue (pg-boss). A run submitted to one
 * server executes and reports as with the in-memory worker; a second server on the same queue,
 * control store and data directory sees it, follows it and cancels it; a queued run is cancelled
 * before anyone takes it; and a server stopped mid-run hands its run back, so the next server
 * resumes the same engine run and executes the run left queued.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgBossQueue } from '../../src/queue/pg-boss-queue.js';
import { singletonId } from '../../src/queue/job-queue.js';
import { createApp, type App } from '../../src/server/app.js';
import { PROBE_EXPECTED } from '../../src/server/probe/probe.js';
import { SERVER_RUN_QUEUE } from '../../src/server/queued-run-worker.js';
import { RunStore } from '../../src/server/run-store.js';
import { createPgDatabase } from '../helpers/databases.js';
import { client, sse, type Client } from './harness.js';
import { startScenario, type Scenario } from './scenario.js';
import { extraUser, PASSWORD } from '../control/world.js';

const POLL = 0.2;
let db: { url: string; drop: () => Promise<void> };
let s: Scenario;
const queues: PgBossQueue[] = [];
const apps: App[] = [];

async function openQueue(): Promise<PgBossQueue> {
  const q = new PgBossQueue({ url: db.url, schema: 'ferry_queue', maintenanceIntervalSeconds: 1, poolSize: 3 });
  await q.start();
  queues.push(q);
  return q;
}

/** Another server process on the scenario's store, data directory and the shared queue. */
async function secondServer(concurrency = 1): Promise<{ app: App; client: Client; url: string }> {
  const app = createApp({
    plane: s.world.plane,
    dataDir: s.dataDir,
    env: s.env,
    logger: false,
    runBatchSize: 500,
    runConcurrency: concurrency,
    runQueue: await openQueue(),
    runPollSeconds: POLL,
    loginLimits: { perIp: { capacity: 1000, refillPerSecond: 100 }, perAccount: { capacity: 1000, refillPerSecond: 100 } },
  });
  apps.push(app);
  const { url } = await app.listen(0, '127.0.0.1');
  return { app, client: client(url), url };
}

async function until<T>(what: string, probe: () => T | Promise<T>, ms = 30_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  db = await createPgDatabase('ferry_serveq');
  s = await startScenario('sqlite', undefined, { runQueue: await openQueue(), runConcurrency: 1, runPollSeconds: POLL });
}, 120_000);
afterAll(async () => {
  for (const app of apps) await app.close();
  await s?.close();
  for (const q of queues) await q.stop({ graceful: false });
  await db?.drop();
}, 60_000);

const runs = () => `/projects/${s.projectId}/runs`;
const start = (c: Client, body: Record<string, unknown>) => c.request('POST', runs(), { token: s.a.token.migration_analyst, body: { versionId: s.v1.id, tier: 'pre_production', ...body } });

describe('server runs on the job queue', () => {
  it('executes a submitted run and reports it exactly as the in-memory worker does', async () => {
    const started = await start(s.client, { source: 'probe', dryRun: true });
    expect(started.status).toBe(202);
    expect(started.body.status).toBe('queued');
    const runId = started.body.runId as string;
    // The job carries ids and references only: no URL, path or contract text.
    const stored = await queues[0].getJob<Record<string, unknown>>(SERVER_RUN_QUEUE, singletonId(SERVER_RUN_QUEUE, runId));
    expect(stored?.data).toEqual({
      runId,
      queuedAt: started.body.queuedAt,
      orgId: s.world.a.orgId,
      spec: { projectId: s.projectId, tier: 'pre_production', versionId: s.v1.id, digest: s.v1.digest, dryRun: true, startedBy: s.world.a.as.migration_analyst.userId },
      sourceRef: 'probe',
      targetRef: null,
    });
    const stream = await sse(`${s.url}${runs()}/${runId}/events`, s.a.token.viewer);
    expect(stream.events[0].event).toBe('snapshot');
    const end = stream.events.at(-1)!;
    expect(end.event).toBe('end');
    expect(end.data).toMatchObject({ runId, status: 'succeeded', error: null });
    expect(end.data.progress.totals).toMatchObject(PROBE_EXPECTED);
    const report = await s.client.request('GET', `${runs()}/${runId}/report`, { token: s.a.token.auditor });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ format: 'ferry.run-report/v1', dryRun: true, totals: PROBE_EXPECTED, source: 'probe' });
    const shown = await s.client.request('GET', `${runs()}/${runId}`, { token: s.a.token.viewer });
    expect(shown.body.run).toMatchObject({ runId, status: 'succeeded' });
    expect(shown.body.record).toMatchObject({ runId, status: 'succeeded', dryRun: true });
    expect((await new RunStore(s.dataDir).load(s.projectId, runId))?.view.status).toBe('succeeded');
    expect(await new RunStore(s.dataDir).listActive(s.projectId)).toEqual([]);
    const audit = await s.client.request('GET', `/audit/events?runId=${runId}&order=asc`, { token: s.a.token.auditor });
    const types = audit.body.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['run:started', 'run:finished', 'run:recorded']));
    expect(types.filter((t: string) => t === 'run:recorded')).toHaveLength(1);
    await until('the job to complete', async () => (await queues[0].getJob(SERVER_RUN_QUEUE, singletonId(SERVER_RUN_QUEUE, runId)))?.state === 'completed');
    // The scenario's own real run went through the queue too.
    expect(await s.world.plane.getRun(s.world.a.as.viewer, s.projectId, s.finishedRunId)).toMatchObject({ status: 'succeeded', dryRun: false });
  });

  it('refuses a job that is not a server run (a resolved URL in place of a reference) without executing anything or retrying it', async () => {
    const runId = 'run-20260101-000000-abcdef';
    const hostile = {
      runId,
      queuedAt: new Date().toISOString(),
      orgId: s.world.a.orgId,
      spec: { projectId: s.projectId, tier: 'pre_production', versionId: s.v1.id, digest: s.v1.digest, dryRun: true, startedBy: s.world.a.as.migration_analyst.userId },
      sourceRef: 'probe',
      targetRef: null,
      sourceUrl: "csv:/etc'; DROP TABLE run_record; --",
    };
    const id = await queues[0].send(SERVER_RUN_QUEUE, hostile, { singletonKey: runId });
    const job = await until('the job to be refused', async () => {
      const j = await queues[0].getJob(SERVER_RUN_QUEUE, id!);
      return j?.state === 'completed' ? j : null;
    });
    expect(job.retryCount).toBe(0);
    expect(job.output).toEqual({ status: 'failed', code: 'run.bad_job' });
    expect(s.app.worker.get(runId)).toBeUndefined();
    expect(await s.app.runs.get(runId)).toBeUndefined();
  });

  it('cancels a queued run before any server takes it, and a running one on the server executing it', async () => {
    const first = await start(s.client, { source: 'connection:slow', dryRun: true });
    const firstId = first.body.runId as string;
    await until('the first run to run', () => s.app.worker.get(firstId)?.status === 'running');
    const second = await start(s.client, { source: 'probe', dryRun: true });
    const secondId = second.body.runId as string;
    const listed = await s.client.request('GET', runs(), { token: s.a.token.viewer });
    expect(listed.body.filter((r: { live: boolean }) => r.live).map((r: { runId: string; status: string }) => [r.runId, r.status])).toEqual(
      expect.arrayContaining([
        [firstId, 'running'],
        [secondId, 'queued'],
      ]),
    );
    const cancelQueued = await s.client.request('POST', `${runs()}/${secondId}/cancel`, { token: s.a.token.integration_lead });
    expect(cancelQueued.status).toBe(200);
    const queuedShown = await s.client.request('GET', `${runs()}/${secondId}`, { token: s.a.token.viewer });
    expect(queuedShown.body.run).toMatchObject({ status: 'cancelled', startedAt: null });
    expect(queuedShown.body.record).toMatchObject({ runId: secondId, status: 'cancelled' });
    const cancelRunning = await s.client.request('POST', `${runs()}/${firstId}/cancel`, { token: s.a.token.integration_lead });
    expect(cancelRunning.status).toBe(200);
    expect((await s.app.runs.waitFor(firstId))?.status).toBe('cancelled');
    const again = await s.client.request('POST', `${runs()}/${firstId}/cancel`, { token: s.a.token.integration_lead });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('run.finished');
    // The cancelled queued run was never taken: nothing executed it.
    expect(s.app.worker.get(secondId)).toBeUndefined();
    expect((await queues[0].getJob(SERVER_RUN_QUEUE, singletonId(SERVER_RUN_QUEUE, secondId)))?.state).toBe('cancelled');
  });

  it('shows a run submitted to one server from a second one, which follows it and cancels it while it runs', async () => {
    const b = await secondServer();
    const started = await start(s.client, { source: 'connection:slow', dryRun: true });
    const runId = started.body.runId as string;
    // Either server may take it; the other one is the onlooker.
    const executor = await until('a server to take the run', () => [s.app, b.app].find((a) => a.worker.get(runId)?.status === 'running'));
    const onlooker = executor === s.app ? { client: b.client, url: b.url } : { client: s.client, url: s.url };
    const seen = await onlooker.client.request('GET', `${runs()}/${runId}`, { token: s.a.token.viewer });
    expect(seen.body.run).toMatchObject({ runId, status: 'running' });
    expect(seen.body.run.startedAt).not.toBeNull();
    const listed = await onlooker.client.request('GET', runs(), { token: s.a.token.viewer });
    expect(listed.body.find((r: { runId: string }) => r.runId === runId)).toMatchObject({ status: 'running', live: true });
    const following = sse(`${onlooker.url}${runs()}/${runId}/events`, s.a.token.viewer);
    const cancel = await onlooker.client.request('POST', `${runs()}/${runId}/cancel`, { token: s.a.token.integration_lead });
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('running');
    const stream = await following;
    expect(stream.events.map((e) => e.event)).toEqual(['snapshot', 'end']);
    expect(stream.events[1].data).toMatchObject({ runId, status: 'cancelled' });
    expect((await executor.runs.waitFor(runId))?.status).toBe('cancelled');
    const record = await onlooker.client.request('GET', `${runs()}/${runId}`, { token: s.a.token.viewer });
    expect(record.body.record).toMatchObject({ runId, status: 'cancelled' });
    await b.app.close();
  });

  it('fails a queued run whose starting user was locked before a server took it, without executing it', async () => {
    const name = `analyst-${Date.now().toString(36)}`;
    const analyst = await extraUser(s.world.plane, s.world.a, name, ['migration_analyst']);
    const session = await s.world.plane.login(s.world.a.slug, name, PASSWORD);
    // The one run slot is taken, so the analyst's run waits in the queue.
    const first = await start(s.client, { source: 'connection:slow', dryRun: true });
    const firstId = first.body.runId as string;
    await until('the first run to run', () => s.app.worker.get(firstId)?.status === 'running');
    const queued = await s.client.request('POST', runs(), { token: session.token, body: { versionId: s.v1.id, tier: 'pre_production', source: 'probe', dryRun: true } });
    expect(queued.body.status).toBe('queued');
    const queuedId = queued.body.runId as string;
    await s.world.plane.lockUser(s.world.a.admin, analyst.userId);
    const cancel = await s.client.request('POST', `${runs()}/${firstId}/cancel`, { token: s.a.token.integration_lead });
    expect(cancel.status).toBe(200);
    const ended = await until('the queued run to end', () => s.app.runs.waitFor(queuedId));
    expect(ended).toMatchObject({ status: 'failed', startedAt: null, error: { code: 'run.actor_locked' } });
    expect(s.app.worker.get(queuedId)).toBeUndefined();
  }, 60_000);

  it('resumes a run of a server stopped mid-run on the next server, and executes the run it left queued', async () => {
    const real = await start(s.client, { source: 'connection:slow' });
    const realId = real.body.runId as string;
    const engineRunId = await until('the run to write', () => {
      const v = s.app.worker.get(realId);
      return v && v.progress.totals.loaded > 0 ? v.progress.engineRunId : null;
    });
    const queued = await start(s.client, { source: 'probe', dryRun: true });
    const queuedId = queued.body.runId as string;
    await s.app.close();
    expect(await new RunStore(s.dataDir).load(s.projectId, realId)).toBeNull();
    const next = await secondServer(2);
    const left = await until('the queued run to finish', () => next.app.runs.waitFor(queuedId));
    expect(left.status).toBe('succeeded');
    const resumed = await until('the stopped run to be resumed', () => {
      const v = next.app.worker.get(realId);
      return v && v.progress.totals.read > 0 ? v : null;
    });
    expect(resumed.progress.engineRunId).toBe(engineRunId);
    const cancel = await next.client.request('POST', `${runs()}/${realId}/cancel`, { token: s.a.token.integration_lead });
    expect(cancel.status).toBe(200);
    const ended = await next.app.runs.waitFor(realId);
    expect(ended).toMatchObject({ status: 'cancelled' });
    const report = await next.client.request('GET', `${runs()}/${realId}/report`, { token: s.a.token.auditor });
    expect(report.body).toMatchObject({ runId: engineRunId, resumed: true, target: 'pre' });
    const record = await next.client.request('GET', `${runs()}/${realId}`, { token: s.a.token.viewer });
    expect(record.body.record).toMatchObject({ runId: realId, status: 'cancelled', dryRun: false });
  }, 90_000);
});
