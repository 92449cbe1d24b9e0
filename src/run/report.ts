/**
 * The whole run report (docs/run-report.md): the engine's report plus the end-of-run
 * reconciliation summary, which only exists above the engine.
 */
import type { EngineReport } from '../engine/report.js';
import type { ReconciliationReport } from '../reconcile/report.js';

/** A compact summary of the reconciliation kept in the run report. */
export interface RunReconciliationSummary {
  status: ReconciliationReport['status'];
  elapsedMs: number;
  tables: Array<{ table: string; status: string; expected: number; matched: number; missing: number; extra: number; different: number }>;
  business: Array<{ name: string; pass: boolean }>;
  /** The full report (`ferry reconcile RUN --json` prints the same). */
  report: ReconciliationReport;
}

/** Error codes of a run whose load finished but whose end-of-run reconciliation did not (failed, cancelled): `--resume` finishes it. */
export const RECONCILIATION_PENDING = { failed: 'run.reconciliation_failed', cancelled: 'run.reconciliation_cancelled' } as const;

/**
 * What the run's quality section may honestly claim (run/quality-verdict.ts): the gates'
 * decision, or why there is none (`quality.decision` alone says `pass` when nothing was gated).
 */
export type RunVerdict = 'pass' | 'warn' | 'fail' | 'none_declared' | 'not_decided' | 'not_measured';

export interface RunReport extends EngineReport {
  /** End-of-run reconciliation (absent for dry runs, failed runs and `--no-reconcile`). */
  reconciliation?: RunReconciliationSummary;
  /** The quality verdict (docs/run-report.md); absent only in reports written before it existed. */
  verdict?: RunVerdict;
}
