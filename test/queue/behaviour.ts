/**
 * The job queue behaviour suite: the same checks for the in-process queue and the pg-boss
 * queue, so a local run and a distributed one share one set of semantics (src/queue/job-queue.ts).
 *
 * `open` is called once per test and returns a started queue on fresh storage; `reopen` gives a
 * started queue on the same storage (after the first was stopped); `cleanup` removes it all.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../../src/errors.js';
import type { JobInfo, JobQueue, JobState, QueueJob } from '../../src/queue/job-queue.js';

export interface QueueHarness {
  queue: JobQueue;
  reopen: () => Promise<JobQueue>;
  cleanup: () => Promise<void>;
}

/** Polls `getJob` until `done` holds (20 s at most). */
export async function waitForJob<T extends object>(queue: JobQueue, name: string, id: string, done: (j: JobInfo<T>) => boolean): Promise<JobInfo<T>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const job = await queue.getJob<T>(name, id);
    if (job && done(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} of ${name} did not reach the expected state; last seen ${JSON.stringify(job)}`);
    await sleep(50);
  }
}

/** Resolves once `check` holds (20 s at most). */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function stateIs(...states: JobState[]) {
  return (j: JobInfo<object>) => states.includes(j.state);
}

/** Registers the behaviour suite for one implementation. */
export function describeQueueBehaviour(kind: string, open: () => Promise<QueueHarness>): void {
  describe(`job queue behaviour: ${kind}`, () => {
    let h: QueueHarness | undefined;
    const queues: JobQueue[] = [];
    async function fresh(): Promise<JobQueue> {
      h = await open();
      queues.push(h.queue);
      return h.queue;
    }
    async function reopen(): Promise<JobQueue> {
      const q = await h!.reopen();
      queues.push(q);
      return q;
    }
    afterEach(async () => {
      for (const q of queues.splice(0)) await q.stop({ graceful: false });
      await h?.cleanup();
      h = undefined;
    });

    it('sends, works and completes a job, storing the handler result', async () => {
      const q = await fresh();
      await q.createQueue('simple');
      const id = await q.send('simple', { n: 21 });
      expect(id).toEqual(expect.any(String));
      const created = await q.getJob('simple', id!);
      expect(created).toMatchObject({ id, name: 'simple', state: 'created', data: { n: 21 }, retryCount: 0 });
      const seen: QueueJob<{ n: number }>[] = [];
      await q.work<{ n: number }>('simple', { concurrency: 1, pollingIntervalSeconds: 0.5 }, async (job) => {
        seen.push(job);
        return { doubled: job.data.n * 2 };
      });
      const done = await waitForJob(q, 'simple', id!, stateIs('completed'));
      expect(done.output).toEqual({ doubled: 42 });
      expect(seen.map((j) => [j.id, j.name, j.retryCount, j.signal.aborted])).toEqual([[id, 'simple', 0, false]]);
      expect(await q.getJob('simple', '00000000-0000-4000-8000-000000000000')).toBeNull();
    });

    it('never runs more attempts at once than the concurrency', async () => {
      const q = await fresh();
      await q.createQueue('conc');
      const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => q.send('conc', { i })));
      let inFlight = 0;
      let most = 0;
      await q.work('conc', { concurrency: 2, pollingIntervalSeconds: 0.5 }, async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await sleep(150);
        inFlight -= 1;
      });
      for (const id of ids) await waitForJob(q, 'conc', id!, stateIs('completed'));
      expect(most).toBe(2);
    });

    it('retries a throwing handler up to its limit, then fails the job and dead-letters a copy', async () => {
      const q = await fresh();
      await q.createQueue('boom', { deadLetter: 'boom_dlq', retryLimit: 2, retryDelaySeconds: 0 });
      const id = await q.send('boom', { partition: 7 });
      const attempts: number[] = [];
      await q.work('boom', { concurrency: 1, pollingIntervalSeconds: 0.5 }, async (job) => {
        attempts.push(job.retryCount);
        throw new FerryError('run', 'test.boom', 'partition 7 could not be written');
      });
      const failed = await waitForJob(q, 'boom', id!, stateIs('failed'));
      expect(attempts).toEqual([0, 1, 2]);
      expect(failed.retryCount).toBe(2);
      expect(failed.output).toEqual({ code: 'test.boom', message: 'partition 7 could not be written' });
      const dead: QueueJob<{ partition: number }>[] = [];
      await q.work<{ partition: number }>('boom_dlq', { concurrency: 1, pollingIntervalSeconds: 0.5 }, async (job) => void dead.push(job));
      await until(() => dead.length === 1, 'the dead-letter copy');
      expect(dead[0].data).toEqual({ partition: 7 });
      expect(dead[0].id).not.toBe(id);
      const copy = await waitForJob(q, 'boom_dlq', dead[0].id, stateIs('completed'));
      expect(copy.state).toBe('completed');
    });

    it('stores only the class name of an error that is not a FerryError, never its message', async () => {
      const q = await fresh();
      await q.createQueue('leaky', { retryLimit: 0 });
      const id = await q.send('leaky', {});
      await q.work('leaky', { concurrency: 1, pollingIntervalSeconds: 0.5 }, async () => {
        throw new TypeError('invalid NHS number 9434765919 for patient SMITH');
      });
      const failed = await waitForJob(q, 'leaky', id!, stateIs('failed'));
      expect(failed.output).toMatchObject({ code: 'queue.handler_failed' });
      expect(JSON.stringify(failed.output)).toContain('TypeError');
      expect(JSON.stringify(failed.output)).not.toMatch(/9434765919|SMITH/);
    });

    it('waits the retry delay, doubled with jitter under back-off, before the next attempt', async () => {
      const q = await fresh();
      await q.createQueue('backoff');
      const id = await q.send('backoff', { kind: 'backoff' }, { retryLimit: 1, retryDelaySeconds: 1, retryBackoff: true });
      const starts: number[] = [];
      await q.work<{ kind: string }>('backoff', { concurrency: 1, pollingIntervalSeconds: 0.5 }, async (job) => {
        if (job.data.kind === 'slow') throw new FerryError('run', 'test.always', 'this job always fails');
        starts.push(Date.now());
        if (starts.length === 1) throw new FerryError('run', 'test.once', 'first attempt fails');
      });
      await waitForJob(q, 'backoff', id!, stateIs('completed'));
      const gap = starts[1] - starts[0];
      // First retry under back-off waits between 1 s and 2 s; polling adds up to 0.5 s.
      expect(gap).toBeGreaterThanOrEqual(900);
      expect(gap).toBeLessThan(4000);
      const waiting = await q.send('backoff', { kind: 'slow' }, { retryLimit: 1, retryDelaySeconds: 60 });
      await waitForJob(q, 'backoff', waiting!, stateIs('retry'));
    });

    it('drops a send whose singleton key or id is already in the queue, whatever its state', async () => {
      const q = await fresh();
      await q.createQueue('single');
      const first = await q.send('single', { p: 1 }, { singletonKey: 'run-1/partition-1' });
      expect(first).toEqual(expect.any(String));
      expect(await q.send('single', { p: 1 }, { singletonKey: 'run-1/partition-1' })).toBeNull();
      expect(await q.send('single', { p: 2 }, { singletonKey: 'run-1/partition-2' })).toEqual(expect.any(String));
      expect((await q.getJob('single', first!))!.singletonKey).toBe('run-1/partition-1');
      const chosen = '5d0c1f4e-3b1a-4c55-9a7e-0d9a1c2b3e4f';
      expect(await q.send('single', { p: 3 }, { id: chosen })).toBe(chosen);
      await q.work('single', { concurrency: 2, pollingIntervalSeconds: 0.5 }, async () => 'ok');
      await waitForJob(q, 'single', chosen, stateIs('completed'));
      await waitForJob(q, 'single', first!, stateIs('completed'));
      expect(await q.send('single', { p: 3 }, { id: chosen })).toBeNull();
      // A finished job still holds its key: a restarted coordinator cannot enqueue a partition twice.
      expect(await q.send('single', { p: 1 }, { singletonKey: 'run-1/partition-1' })).toBeNull();
      await q.createQueue('single_other');
      expect(await q.send('single_other', { p: 1 }, { singletonKey: 'run-1/partition-1' })).toEqual(expect.any(String));
    });

    it('cancels a waiting job, and aborts and drops a running one', async () => {
      const q = await fresh();
      await q.createQueue('cancel');
      const waiting = await q.send('cancel', { which: 'waiting' });
      await q.cancel('cancel', waiting!);
      expect((await q.getJob('cancel', waiting!))!.state).toBe('cancelled');
      const running = await q.send('cancel', { which: 'running' });
      const reasons: unknown[] = [];
      let calls = 0;
      await q.work('cancel', { concurrency: 1, pollingIntervalSeconds: 0.5 }, async (job) => {
        calls += 1;
        await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
        reasons.push(job.signal.reason);
        return 'finished after cancel';
      });
      await waitForJob(q, 'cancel', running!, stateIs('active'));
      await q.cancel('cancel', running!);
      await until(() => reasons.length === 1, 'the abort');
      expect(reasons[0]).toMatchObject({ code: 'queue.cancelled' });
      await sleep(600);
      expect(calls).toBe(1);
      const job = await q.getJob('cancel', running!);
      expect(job).toMatchObject({ state: 'cancelled', output: null });
    });

    it('reports created, active, retry, completed and failed states', async () => {
      const q = await fresh();
      await q.createQueue('states', { retryLimit: 1, retryDelaySeconds: 1 });
      const id = await q.send('states', {});
      expect((await q.getJob('states', id!))!.state).toBe('created');
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let attempt = 0;
      await q.work('states', { concurrency: 1, pollingIntervalSeconds: 0.5 }, async () => {
        attempt += 1;
        if (attempt === 1) {
          await gate;
          throw new FerryError('run', 'test.first', 'first attempt fails');
        }
        throw new FerryError('run', 'test.second', 'second attempt fails');
      });
      await waitForJob(q, 'states', id!, stateIs('active'));
      release();
      const retry = await waitForJob(q, 'states', id!, stateIs('retry'));
      expect(retry.output).toEqual({ code: 'test.first', message: 'first attempt fails' });
      const failed = await waitForJob(q, 'states', id!, stateIs('failed'));
      expect(failed).toMatchObject({ retryCount: 1, output: { code: 'test.second', message: 'second attempt fails' } });
      await q.offWork('states');
      const ok = await q.send('states', {});
      await q.work('states', { concurrency: 1, pollingIntervalSeconds: 0.5 }, async () => ({ fine: true }));
      expect((await waitForJob(q, 'states', ok!, stateIs('completed'))).output).toEqual({ fine: true });
    });

    it('stop() aborts running handlers, waits for them, and fails what is still running so it is retried', async () => {
      const q = await fresh();
      await q.createQueue('stopping', { retryDelaySeconds: 0 });
      const cooperative = await q.send('stopping', { kind: 'cooperative' });
      const stubborn = await q.send('stopping', { kind: 'stubborn' });
      const reasons: unknown[] = [];
      let stubbornFinished = false;
      await q.work<{ kind: string }>('stopping', { concurrency: 2, pollingIntervalSeconds: 0.5 }, async (job) => {
        await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
        reasons.push(job.signal.reason);
        if (job.data.kind === 'cooperative') throw job.signal.reason;
        await sleep(1500);
        stubbornFinished = true;
        return 'too late';
      });
      await waitForJob(q, 'stopping', cooperative!, stateIs('active'));
      await waitForJob(q, 'stopping', stubborn!, stateIs('active'));
      await q.stop({ graceful: true, timeoutMs: 300 });
      expect(reasons).toHaveLength(2);
      for (const r of reasons) expect(r).toMatchObject({ code: 'queue.worker_stopped' });
      expect(stubbornFinished).toBe(false);
      await sleep(1500);
      expect(stubbornFinished).toBe(true);
      const again = await reopen();
      for (const id of [cooperative!, stubborn!]) {
        expect(await again.getJob('stopping', id)).toMatchObject({ state: 'retry', output: { code: 'queue.worker_stopped' } });
      }
    });

    it('aborts an attempt whose lease ran out, drops its result and runs the job again', async () => {
      const q = await fresh();
      await q.createQueue('lease', { expireInSeconds: 1, retryDelaySeconds: 0 });
      const id = await q.send('lease', {});
      const reasons: unknown[] = [];
      await q.work('lease', { concurrency: 2, pollingIntervalSeconds: 0.5 }, async (job) => {
        if (job.retryCount > 0) return { attempt: job.retryCount };
        await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
        reasons.push(job.signal.reason);
        return { attempt: 'stale' };
      });
      const done = await waitForJob(q, 'lease', id!, stateIs('completed'));
      expect(done).toMatchObject({ retryCount: 1, output: { attempt: 1 } });
      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toMatchObject({ code: 'queue.lease_expired' });
    });

    it('refuses unknown queues and bad options with FerryErrors', async () => {
      const q = await fresh();
      await expect(q.send('nowhere', {})).rejects.toMatchObject({ kind: 'not_found', code: 'queue.unknown_queue' });
      await expect(q.work('nowhere', { concurrency: 1 }, async () => null)).rejects.toMatchObject({ code: 'queue.unknown_queue' });
      await expect(q.createQueue('bad name; drop')).rejects.toMatchObject({ kind: 'usage', code: 'queue.bad_option' });
      await q.createQueue('opts');
      await expect(q.send('opts', {}, { retryLimit: -1 })).rejects.toMatchObject({ code: 'queue.bad_option' });
      await expect(q.send('opts', {}, { id: 'not-a-uuid' })).rejects.toMatchObject({ code: 'queue.bad_option' });
      await expect(q.send('opts', {}, { id: '5d0c1f4e-3b1a-4c55-9a7e-0d9a1c2b3e4f', singletonKey: 'k' })).rejects.toMatchObject({ code: 'queue.bad_option' });
      await expect(q.work('opts', { concurrency: 0 }, async () => null)).rejects.toMatchObject({ code: 'queue.bad_option' });
      await expect(q.work('opts', { concurrency: 1, pollingIntervalSeconds: 0.1 }, async () => null)).rejects.toMatchObject({ code: 'queue.bad_option' });
      await expect(q.createQueue('opts', { deadLetter: 'opts' })).rejects.toMatchObject({ code: 'queue.bad_option' });
      await expect(q.send('opts', { rows: 10n })).rejects.toMatchObject({ kind: 'usage', code: 'queue.bad_data' });
      await expect(q.send('opts', [1, 2] as unknown as object)).rejects.toMatchObject({ code: 'queue.bad_data' });
      await expect(q.cancel('opts', "1'; DROP TABLE job; --")).rejects.toMatchObject({ code: 'queue.bad_option' });
      expect(await q.getJob('opts', "1'; DROP TABLE job; --")).toBeNull();
    });
  });
}
