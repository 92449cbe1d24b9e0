/**
 * The queue database stops and comes back (a restart, or a failover as the client sees it: every
 * connection is lost and new ones reach a server holding the committed state). Runs on a private
 * server, never the shared one. docs/distributed.md describes what this shows.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FerryError } from '../../src/errors.js';
import { PgBossQueue } from '../../src/queue/pg-boss-queue.js';
import { waitForJob } from './behaviour.js';
import { startPrivatePg, type PrivatePg } from './private-pg.js';

let server: PrivatePg;
beforeAll(async () => {
  server = await startPrivatePg();
});
afterAll(async () => {
  await server?.destroy();
});

it('survives a restart of the queue database: sends fail while it is down, and a job whose completion was lost runs again after its lease', async () => {
  const errors: FerryError[] = [];
  const queue = new PgBossQueue({ url: server.url, maintenanceIntervalSeconds: 1, onError: (e) => errors.push(e) });
  await queue.start();
  try {
    await queue.createQueue('partitions', { expireInSeconds: 3, retryDelaySeconds: 0 });
    let release!: () => void;
    const downNow = new Promise<void>((resolve) => (release = resolve));
    const attempts: number[] = [];
    await queue.work('partitions', { concurrency: 1, pollingIntervalSeconds: 0.5 }, async (job) => {
      attempts.push(job.retryCount);
      if (job.retryCount === 0) await downNow;
      return { attempt: job.retryCount };
    });
    const id = await queue.send('partitions', { table: 'patient' });
    await waitForJob(queue, 'partitions', id!, (j) => j.state === 'active');

    await server.stop();
    // The first attempt finishes while the database is down: its completion cannot be recorded.
    release();
    await expect(queue.send('partitions', {})).rejects.toMatchObject({ kind: 'connection', code: 'queue.unreachable' });
    await sleep(1500);
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e.code).toBe('queue.unreachable');
    expect(errors.map((e) => e.message).join('\n')).toContain(server.url);

    const restartedAt = Date.now();
    await server.start();
    const done = await waitForJob(queue, 'partitions', id!, (j) => j.state === 'completed');
    console.log(`queue database restart: the lost completion was redone ${Date.now() - restartedAt} ms after the server was back (lease 3 s, maintenance 1 s)`);
    expect(done).toMatchObject({ retryCount: 1, output: { attempt: 1 } });
    expect(attempts).toEqual([0, 1]);
    const after = await queue.send('partitions', {});
    await waitForJob(queue, 'partitions', after!, (j) => j.state === 'completed');
  } finally {
    await queue.stop({ graceful: false });
  }
});
