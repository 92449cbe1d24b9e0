/**
 * The job queue seen from a process's metrics: its depth by state and the age of its oldest
 * waiting job (read from the queue database at each scrape), and this process's own worker
 * loop: a heartbeat at each poll and its job attempts.
 */
import type { QueueStateCount } from '../queue/pg-boss-queue.js';
import type { AttemptPhase } from '../run/queued-partitions.js';
import type { FerryMetrics } from './registry.js';

/** What the collector reads: the pg-boss queue's `stats()`. */
export interface QueueStatsSource {
  stats(): Promise<QueueStateCount[]>;
}

const WAITING = new Set(['created', 'retry']);

/** Reads the queue's depth and oldest waiting job at every scrape. */
export function collectQueue(m: FerryMetrics, queue: QueueStatsSource): void {
  m.collectors.push(async () => {
    // Reset first: a queue or state that emptied since the last scrape must not keep its old value.
    m.queueJobs.reset();
    m.queueOldestJobSeconds.reset();
    let stats: QueueStateCount[];
    try {
      stats = await queue.stats();
    } catch {
      // The scrape still answers (process and run metrics stand); an alert watches this counter.
      m.queueScrapeErrors.inc();
      return;
    }
    const oldest = new Map<string, number>();
    for (const s of stats) {
      m.queueJobs.set({ queue: s.queue, state: s.state }, s.jobs);
      oldest.set(s.queue, Math.max(oldest.get(s.queue) ?? 0, WAITING.has(s.state) ? s.oldestSeconds : 0));
    }
    for (const [queue, seconds] of oldest) m.queueOldestJobSeconds.set({ queue }, seconds);
  });
}

/** The queue's `onPoll`: stamps this worker's heartbeat for the queue it just polled. */
export function heartbeat(m: FerryMetrics, now: () => number = Date.now): (queue: string) => void {
  return (queue) => m.workerHeartbeat.set({ queue }, now() / 1000);
}

/**
 * The partition worker's `onAttempt` for `queue`: jobs active now, attempts finished by outcome,
 * and the heartbeat at each committed batch, since a worker whose slots are all busy does not
 * poll the queue until one frees.
 */
export function attemptObserver(m: FerryMetrics, queue: string, now: () => number = Date.now): (phase: AttemptPhase) => void {
  m.workerJobsActive.set({ queue }, 0);
  // At 0 from the start, so an alert on the increase of failures sees the first one.
  for (const outcome of ['completed', 'refused', 'failed']) m.workerJobs.inc({ queue, outcome }, 0);
  return (phase) => {
    if (phase === 'committed') return m.workerHeartbeat.set({ queue }, now() / 1000);
    if (phase === 'started') return m.workerJobsActive.inc({ queue });
    m.workerJobsActive.dec({ queue });
    m.workerJobs.inc({ queue, outcome: phase });
  };
}
