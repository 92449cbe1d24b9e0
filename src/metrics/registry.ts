/**
 * Ferry's Prometheus metrics (docs/operations.md "Metrics"): one registry per process, never
 * prom-client's global one, so a test can build as many as it likes. Every metric is prefixed
 * `ferry_`; label values are project ids, table names, tiers, statuses, codes and route
 * templates, never row values, URLs, hosts or error messages. Counters carry no run id, so
 * their cardinality stays bounded by projects × tables; only the active-runs gauge names a run,
 * and its series is removed when the run ends.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { TIERS } from '../contract/model.js';
import type { RunStatus } from '../engine/report.js';
import type { RunVerdict } from '../run/report.js';

/** The prefix of every metric Ferry defines (process metrics included). */
export const METRIC_PREFIX = 'ferry_';

/** Row counts a run reports per table, each a counter `ferry_rows_<kind>_total`. */
export const ROW_KINDS = ['read', 'loaded', 'quarantined', 'excluded'] as const;
export type RowKind = (typeof ROW_KINDS)[number];

const RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'failed_gate', 'cancelled'];
const VERDICTS: readonly RunVerdict[] = ['pass', 'warn', 'fail', 'none_declared', 'not_decided', 'not_measured'];
const RECONCILIATION_RESULTS = ['match', 'mismatch'] as const;

/** The metric objects of one process. */
export interface FerryMetrics {
  readonly registry: Registry;
  /** Read at each scrape, before the registry is written (e.g. the job queue's depth). */
  readonly collectors: Array<() => Promise<void>>;
  readonly runsStarted: Counter<'tier'>;
  readonly runsFinished: Counter<'status' | 'tier'>;
  readonly runsActive: Gauge<'run_id' | 'project' | 'tier'>;
  readonly rows: Record<RowKind, Counter<'project' | 'table'>>;
  readonly rowsPerSecond: Gauge<'project' | 'table'>;
  readonly gateDecisions: Counter<'decision' | 'tier'>;
  readonly reconciliations: Counter<'result' | 'tier'>;
  readonly reconciliationSeconds: Histogram<'tier'>;
  readonly syncLagSeconds: Gauge<'sync_id'>;
  readonly syncLagBytes: Gauge<'sync_id'>;
  readonly syncAppliedTransactions: Counter<'sync_id'>;
  readonly queueJobs: Gauge<'queue' | 'state'>;
  readonly queueOldestJobSeconds: Gauge<'queue'>;
  readonly queueScrapeErrors: Counter;
  readonly workerHeartbeat: Gauge<'queue'>;
  readonly workerJobsActive: Gauge<'queue'>;
  readonly workerJobs: Counter<'queue' | 'outcome'>;
  readonly httpRequestSeconds: Histogram<'method' | 'route' | 'status_class'>;
}

/** Builds a fresh registry with the process's default metrics and every Ferry metric. */
export function createMetrics(): FerryMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const registers = [registry];
  const rows = Object.fromEntries(
    ROW_KINDS.map((kind) => [
      kind,
      new Counter({
        name: `ferry_rows_${kind}_total`,
        help: `Source rows ${kind} by runs in this process, per project and target table, as their batches commit`,
        labelNames: ['project', 'table'],
        registers,
      }),
    ]),
  ) as Record<RowKind, Counter<'project' | 'table'>>;
  const metrics: FerryMetrics = {
    registry,
    collectors: [],
    runsStarted: new Counter({ name: 'ferry_runs_started_total', help: 'Runs this process started executing, by tier', labelNames: ['tier'], registers }),
    runsFinished: new Counter({
      name: 'ferry_runs_total',
      help: 'Runs this process finished, by final status (succeeded, failed, failed_gate, cancelled) and tier',
      labelNames: ['status', 'tier'],
      registers,
    }),
    runsActive: new Gauge({
      name: 'ferry_runs_active',
      help: 'Runs executing in this process (1 per run; the series is removed when the run ends)',
      labelNames: ['run_id', 'project', 'tier'],
      registers,
    }),
    rows,
    rowsPerSecond: new Gauge({
      name: 'ferry_rows_per_second',
      help: 'Source rows read per second by the latest run of each table, since the table started (0 once it finished)',
      labelNames: ['project', 'table'],
      registers,
    }),
    gateDecisions: new Counter({
      name: 'ferry_gate_decisions_total',
      help: 'Quality verdicts of finished runs (pass, warn, fail, none_declared, not_decided, not_measured), by tier',
      labelNames: ['decision', 'tier'],
      registers,
    }),
    reconciliations: new Counter({ name: 'ferry_reconciliations_total', help: 'End-of-run reconciliations finished, by result (match, mismatch) and tier', labelNames: ['result', 'tier'], registers }),
    reconciliationSeconds: new Histogram({
      name: 'ferry_reconciliation_duration_seconds',
      help: 'How long end-of-run reconciliations took, by tier',
      labelNames: ['tier'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers,
    }),
    syncLagSeconds: new Gauge({
      name: 'ferry_sync_lag_seconds',
      help: "How far the target is behind the source's head, in seconds, per sync streamed by this process",
      labelNames: ['sync_id'],
      registers,
    }),
    syncLagBytes: new Gauge({
      name: 'ferry_sync_lag_bytes',
      help: "How far the applied position is behind the source's head, in bytes of log (absent for capture methods without a byte position)",
      labelNames: ['sync_id'],
      registers,
    }),
    syncAppliedTransactions: new Counter({
      name: 'ferry_sync_applied_transactions_total',
      help: 'Source transactions applied to the target, per sync streamed by this process',
      labelNames: ['sync_id'],
      registers,
    }),
    queueJobs: new Gauge({
      name: 'ferry_queue_jobs',
      help: 'Jobs in the job queue, per queue and state (created, retry, active, completed, cancelled, failed), read at scrape',
      labelNames: ['queue', 'state'],
      registers,
    }),
    queueOldestJobSeconds: new Gauge({
      name: 'ferry_queue_oldest_job_age_seconds',
      help: 'Age of the oldest job waiting (created or retry) per queue, read at scrape; 0 when none waits',
      labelNames: ['queue'],
      registers,
    }),
    queueScrapeErrors: new Counter({ name: 'ferry_queue_scrape_errors_total', help: 'Scrapes at which the job queue could not be read (its depth and job age are then absent)', registers }),
    workerHeartbeat: new Gauge({
      name: 'ferry_worker_last_heartbeat_seconds',
      help: "Unix time of this worker's last poll of each queue it works, or of a batch one of its jobs committed",
      labelNames: ['queue'],
      registers,
    }),
    workerJobsActive: new Gauge({ name: 'ferry_worker_jobs_active', help: 'Jobs this worker process is executing now, per queue', labelNames: ['queue'], registers }),
    workerJobs: new Counter({
      name: 'ferry_worker_jobs_total',
      help: 'Job attempts this worker process finished, per queue and outcome (completed, refused, failed)',
      labelNames: ['queue', 'outcome'],
      registers,
    }),
    httpRequestSeconds: new Histogram({
      name: 'ferry_http_request_duration_seconds',
      help: 'HTTP API request duration, by method, route template and status class (2xx, 4xx…)',
      labelNames: ['method', 'route', 'status_class'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
  };
  // Every status, verdict and result exists at 0 from the start: an alert on `increase()` cannot
  // see the first failure of a series that appears with it (there is no earlier sample).
  for (const tier of TIERS) {
    for (const status of RUN_STATUSES) metrics.runsFinished.inc({ status, tier }, 0);
    for (const decision of VERDICTS) metrics.gateDecisions.inc({ decision, tier }, 0);
    for (const result of RECONCILIATION_RESULTS) metrics.reconciliations.inc({ result, tier }, 0);
  }
  return metrics;
}

/** The transport's `observe` hook: one request's duration by method, route template and status class. */
export function httpObserver(m: FerryMetrics): (e: { method: string; route: string; status: number; seconds: number }) => void {
  return (e) => m.httpRequestSeconds.observe({ method: e.method, route: e.route, status_class: statusClass(e.status) }, e.seconds);
}

/** `404` → `4xx`: bounded whatever a client sends. */
export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}

/** The registry in the Prometheus text format, after running the scrape-time collectors. */
export async function scrape(m: FerryMetrics): Promise<string> {
  for (const collect of m.collectors) await collect();
  return m.registry.metrics();
}
