/**
 * The sync and queue metrics without a database: a sync's heartbeat sets its lag in seconds
 * and bytes under its id (bytes withdrawn for a capture without a byte position), applied
 * transactions count up; the queue collector reads depth and the oldest waiting job at each
 * scrape, drops states that emptied, and counts a scrape at which the queue could not be read.
 */
import { describe, expect, it } from 'vitest';
import type { QueueStateCount } from '../../src/queue/pg-boss-queue.js';
import { attemptObserver, collectQueue, heartbeat } from '../../src/metrics/queue-metrics.js';
import { createMetrics, scrape } from '../../src/metrics/registry.js';
import { syncMetrics } from '../../src/metrics/sync-metrics.js';
import type { SyncProgress } from '../../src/sync/sync-progress.js';
import { matching, value } from './scrape.js';

const progress = (lagSeconds: number, lagBytes: number | null): SyncProgress => ({
  heartbeatAt: new Date().toISOString(),
  pid: 1,
  head: null,
  lagBytes,
  lagSeconds,
  pendingTransactions: 0,
  appliedPerSecond: 0,
  lastArrivalAt: new Date().toISOString(),
});

describe('sync metrics', () => {
  it('set lag seconds and bytes per sync id from its heartbeats and count applied transactions', async () => {
    const m = createMetrics();
    const s = syncMetrics(m, 'pre_production');
    s.onEvent({ type: 'sync:progress', progress: progress(9, 9) });
    expect(matching(await scrape(m), 'ferry_sync_lag_seconds')).toEqual([]);
    s.onEvent({ type: 'sync:id', syncId: 'sync-1', resumed: false });
    s.onEvent({ type: 'sync:progress', progress: progress(1.5, 4096) });
    s.onEvent({ type: 'sync:applied', unit: { position: {} as never, transactions: 3, changes: 7, delaysMs: [] } });
    s.onEvent({ type: 'sync:applied', unit: { position: {} as never, transactions: 2, changes: 2, delaysMs: [] } });
    let text = await scrape(m);
    expect(value(text, 'ferry_sync_lag_seconds', { sync_id: 'sync-1' })).toBe(1.5);
    expect(value(text, 'ferry_sync_lag_bytes', { sync_id: 'sync-1' })).toBe(4096);
    expect(value(text, 'ferry_sync_applied_transactions_total', { sync_id: 'sync-1' })).toBe(5);
    s.onEvent({ type: 'sync:progress', progress: progress(0.2, null) });
    text = await scrape(m);
    expect(value(text, 'ferry_sync_lag_seconds', { sync_id: 'sync-1' })).toBe(0.2);
    expect(matching(text, 'ferry_sync_lag_bytes')).toEqual([]);
  });
});

describe('queue metrics', () => {
  it('read depth and the oldest waiting job at each scrape, dropping states that emptied', async () => {
    const m = createMetrics();
    let stats: QueueStateCount[] = [
      { queue: 'ferry.partitions', state: 'created', jobs: 3, oldestSeconds: 40 },
      { queue: 'ferry.partitions', state: 'active', jobs: 2, oldestSeconds: 90 },
      { queue: 'ferry.partitions', state: 'completed', jobs: 5, oldestSeconds: 600 },
    ];
    collectQueue(m, { stats: async () => stats });
    let text = await scrape(m);
    expect(value(text, 'ferry_queue_jobs', { queue: 'ferry.partitions', state: 'created' })).toBe(3);
    expect(value(text, 'ferry_queue_jobs', { queue: 'ferry.partitions', state: 'active' })).toBe(2);
    // Active and finished jobs are not waiting: only created (and retry) ones age.
    expect(value(text, 'ferry_queue_oldest_job_age_seconds', { queue: 'ferry.partitions' })).toBe(40);
    stats = [{ queue: 'ferry.partitions', state: 'completed', jobs: 10, oldestSeconds: 610 }];
    text = await scrape(m);
    expect(matching(text, 'ferry_queue_jobs', { state: 'created' })).toEqual([]);
    expect(value(text, 'ferry_queue_oldest_job_age_seconds', { queue: 'ferry.partitions' })).toBe(0);
  });

  it('count a scrape at which the queue could not be read, and still answer', async () => {
    const m = createMetrics();
    collectQueue(m, {
      stats: async () => {
        throw new Error('down');
      },
    });
    const text = await scrape(m);
    expect(value(text, 'ferry_queue_scrape_errors_total')).toBe(1);
    expect(matching(text, 'ferry_queue_jobs')).toEqual([]);
  });

  it('stamp the heartbeat at each poll and each committed batch, and follow job attempts by outcome', async () => {
    const m = createMetrics();
    heartbeat(m, () => 1_700_000_000_000)('ferry.partitions');
    let clock = 1_700_000_100_000;
    const attempt = attemptObserver(m, 'ferry.partitions', () => clock);
    attempt('started');
    attempt('started');
    let text = await scrape(m);
    expect(value(text, 'ferry_worker_last_heartbeat_seconds', { queue: 'ferry.partitions' })).toBe(1_700_000_000);
    expect(value(text, 'ferry_worker_jobs_active', { queue: 'ferry.partitions' })).toBe(2);
    // A worker whose slots are all busy does not poll: each committed batch is its heartbeat.
    attempt('committed');
    expect(value(await scrape(m), 'ferry_worker_last_heartbeat_seconds', { queue: 'ferry.partitions' })).toBe(1_700_000_100);
    clock += 5000;
    attempt('committed');
    expect(value(await scrape(m), 'ferry_worker_last_heartbeat_seconds', { queue: 'ferry.partitions' })).toBe(1_700_000_105);
    attempt('completed');
    attempt('refused');
    attempt('started');
    attempt('failed');
    text = await scrape(m);
    expect(value(text, 'ferry_worker_jobs_active', { queue: 'ferry.partitions' })).toBe(0);
    expect(value(text, 'ferry_worker_jobs_total', { outcome: 'completed' })).toBe(1);
    expect(value(text, 'ferry_worker_jobs_total', { outcome: 'refused' })).toBe(1);
    expect(value(text, 'ferry_worker_jobs_total', { outcome: 'failed' })).toBe(1);
  });
});
