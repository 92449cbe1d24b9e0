/**
 * A worker process dies (SIGKILL) in the middle of a job: the job must be picked up by another
 * worker once its lease runs out, and complete exactly once. pg-boss 10 has no heartbeat, so the
 * pickup time is the lease left + up to one maintenance interval + up to one polling interval;
 * docs/distributed.md quotes the measured time printed here.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PgBossQueue } from '../../src/queue/pg-boss-queue.js';
import { createPgDatabase } from '../helpers/databases.js';
import { waitForJob } from './behaviour.js';

const WORKER = path.resolve('test/queue/fixtures/queue-worker.ts');
const LEASE_SECONDS = 3;

let db: { name: string; url: string; drop: () => Promise<void> };
beforeAll(async () => {
  db = await createPgDatabase('ferry_queue_kill');
});
afterAll(async () => {
  await db.drop();
});

it('hands the job of a worker killed mid-job to a second worker after the lease, and completes it once', async () => {
  const schema = 'ferry_queue';
  const coordinator = new PgBossQueue({ url: db.url, schema, maintenanceIntervalSeconds: 1 });
  await coordinator.start();
  let second: PgBossQueue | undefined;
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, db.url, schema, 'partitions'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await coordinator.createQueue('partitions', { expireInSeconds: LEASE_SECONDS, retryLimit: 2, retryDelaySeconds: 0 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const id = await coordinator.send('partitions', { table: 'patient', from: 1, to: 100_000 });

    const deadline = Date.now() + 30_000;
    while (!/^started /m.test(stdout)) {
      if (child.exitCode !== null) throw new Error(`worker exited early: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`worker took no job in 30 s: ${stderr}`);
      await sleep(20);
    }
    const startedSeenAt = Date.now();
    expect(stdout).toContain(`started ${id} 0`);
    child.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();
    expect((await coordinator.getJob('partitions', id!))!.state).toBe('active');

    second = new PgBossQueue({ url: db.url, schema, maintenanceIntervalSeconds: 1 });
    await second.start();
    const runs: { retryCount: number; at: number }[] = [];
    await second.work<{ table: string }>('partitions', { concurrency: 1, pollingIntervalSeconds: 0.5 }, async (job) => {
      runs.push({ retryCount: job.retryCount, at: Date.now() });
      return { copied: job.data.table };
    });
    const done = await waitForJob(coordinator, 'partitions', id!, (j) => j.state === 'completed');
    const pickupMs = runs[0].at - killedAt;
    console.log(`dead worker: job picked up ${pickupMs} ms after SIGKILL, ${runs[0].at - startedSeenAt} ms after the attempt started (lease ${LEASE_SECONDS} s, maintenance 1 s, polling 0.5 s)`);
    expect(pickupMs).toBeLessThan(60_000);
    expect(done).toMatchObject({ retryCount: 1, output: { copied: 'patient' } });
    // Exactly once: no further attempt appears while leases and maintenance keep running.
    await sleep(LEASE_SECONDS * 1000 + 1500);
    expect(runs.map((r) => r.retryCount)).toEqual([1]);
    expect((await coordinator.getJob('partitions', id!))!.state).toBe('completed');
    expect(stdout.match(/^started /gm)).toHaveLength(1);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    await second?.stop({ graceful: false });
    await coordinator.stop({ graceful: false });
  }
});
