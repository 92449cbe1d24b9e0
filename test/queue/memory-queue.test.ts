import { describe, expect, it } from 'vitest';
import { MemoryQueue } from '../../src/queue/memory-queue.js';
import { retryDelaySeconds } from '../../src/queue/job-queue.js';
import { describeQueueBehaviour } from './behaviour.js';

describeQueueBehaviour('in-process', async () => {
  const queue = new MemoryQueue();
  await queue.start();
  return {
    queue,
    reopen: async () => {
      await queue.start();
      return queue;
    },
    cleanup: async () => undefined,
  };
});

describe('in-process queue', () => {
  it('computes back-off delays as pg-boss 10 does: between d·2^c and 2·d·2^c, at least 1 s', () => {
    expect(retryDelaySeconds(5, false, 3, () => 0.9)).toBe(5);
    expect(retryDelaySeconds(0, true, 0, () => 0)).toBe(1);
    expect(retryDelaySeconds(2, true, 0, () => 0)).toBe(2);
    expect(retryDelaySeconds(2, true, 2, () => 0.5)).toBe(12);
    expect(retryDelaySeconds(1, true, 40, () => 0)).toBe(2 ** 15);
  });

  it('expires a lease on its own clock when jobs are next read, as maintenance does', async () => {
    let now = 1_000_000;
    const queue = new MemoryQueue({ now: () => now });
    await queue.start();
    await queue.createQueue('clock', { expireInSeconds: 10, retryLimit: 0 });
    const id = await queue.send('clock', {});
    let started = false;
    await queue.work('clock', { concurrency: 1, pollingIntervalSeconds: 60 }, async (job) => {
      started = true;
      await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
    });
    while (!started) await new Promise((r) => setTimeout(r, 5));
    now += 10_000;
    expect((await queue.getJob('clock', id!))!.state).toBe('active');
    now += 1;
    expect(await queue.getJob('clock', id!)).toMatchObject({ state: 'failed', output: { value: { message: 'job failed by timeout in active state' } } });
    await queue.stop({ graceful: false });
  });

  it('refuses use before start and after stop', async () => {
    const queue = new MemoryQueue();
    await expect(queue.createQueue('x')).rejects.toMatchObject({ code: 'queue.not_started' });
    await queue.start();
    await queue.createQueue('x');
    await queue.stop();
    await expect(queue.send('x', {})).rejects.toMatchObject({ code: 'queue.not_started' });
  });
});
