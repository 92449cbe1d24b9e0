/**
 * A run's engine events folded into the process's metrics as they arrive: row counters move as
 * each batch commits (the events carry a table's running totals, so the counters add the
 * difference), the active-runs gauge holds the run while it executes, and its end adds the
 * final status, the quality verdict and the reconciliation's result.
 */
import type { RunEvent, TableCounts } from '../engine/events.js';
import { rate } from '../engine/throughput.js';
import type { RunReport } from '../run/report.js';
import { ROW_KINDS, type FerryMetrics } from './registry.js';

/** Who a run belongs to, as its labels say it; `project` is empty for a run outside any project (the CLI). */
export interface RunLabels {
  runId: string;
  project: string;
  tier: string;
}

/** The metrics side of one run: `onEvent` for each engine event, then `finish` or `abandon` once. */
export interface RunTracker {
  onEvent(e: RunEvent): void;
  /** The run ended with `status` (its report, when it has one, gives the verdict). */
  finish(status: string, report: RunReport | null): void;
  /** The attempt stopped without the run ending (handed to another process): nothing is counted as finished. */
  abandon(): void;
}

interface TableSeen {
  counts: TableCounts;
  startedAt: number;
  /** Rows the table had read before this attempt started it (a resumed table). */
  baseRead: number;
  /** A resumed table's other counts are unknown until its first batch: they are taken from it. */
  baselinePending: boolean;
}

/** Starts tracking a run: counts it as started and active. */
export function trackRun(m: FerryMetrics, labels: RunLabels, now: () => number = () => performance.now()): RunTracker {
  const active = { run_id: labels.runId, project: labels.project, tier: labels.tier };
  m.runsStarted.inc({ tier: labels.tier });
  m.runsActive.set(active, 1);
  const tables = new Map<string, TableSeen>();
  let ended = false;

  const advance = (table: string, counts: TableCounts, finished: boolean): void => {
    let seen = tables.get(table);
    if (!seen) tables.set(table, (seen = { counts: { read: 0, loaded: 0, quarantined: 0, excluded: 0 }, startedAt: now(), baseRead: 0, baselinePending: false }));
    if (seen.baselinePending) {
      // Rows the earlier attempt committed are not this process's work; read is exact, the rest start here.
      seen.counts = { ...counts, read: seen.counts.read };
      seen.baselinePending = false;
    }
    const labelsOf = { project: labels.project, table };
    for (const kind of ROW_KINDS) {
      const delta = counts[kind] - seen.counts[kind];
      if (delta > 0) {
        m.rows[kind].inc(labelsOf, delta);
        seen.counts[kind] = counts[kind];
      }
    }
    m.rowsPerSecond.set(labelsOf, finished ? 0 : (rate(seen.counts.read - seen.baseRead, now() - seen.startedAt) ?? 0));
  };

  const end = (): void => {
    ended = true;
    m.runsActive.remove(active);
    for (const table of tables.keys()) m.rowsPerSecond.set({ project: labels.project, table }, 0);
  };

  return {
    onEvent(e) {
      if (ended) return;
      switch (e.type) {
        case 'table:started':
          tables.set(e.table, {
            counts: { read: e.resumedFrom, loaded: 0, quarantined: 0, excluded: 0 },
            startedAt: now(),
            baseRead: e.resumedFrom,
            baselinePending: e.resumedFrom > 0,
          });
          m.rowsPerSecond.set({ project: labels.project, table: e.table }, 0);
          return;
        case 'batch:loaded':
          return advance(e.table, e.counts, false);
        case 'table:finished':
          return advance(e.table, e.counts, true);
        case 'reconcile:finished':
          m.reconciliations.inc({ result: e.status, tier: labels.tier });
          m.reconciliationSeconds.observe({ tier: labels.tier }, e.elapsedMs / 1000);
          return;
        default:
          return;
      }
    },
    finish(status, report) {
      if (ended) return;
      end();
      m.runsFinished.inc({ status, tier: labels.tier });
      if (report?.verdict) m.gateDecisions.inc({ decision: report.verdict, tier: labels.tier });
    },
    abandon() {
      if (!ended) end();
    },
  };
}

/** Counts a run that ended without ever executing (cancelled while queued). */
export function countUnstartedRun(m: FerryMetrics, status: string, tier: string): void {
  m.runsFinished.inc({ status, tier });
}
