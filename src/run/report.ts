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

export interface RunReport extends EngineReport {
  /** End-of-run reconciliation (absent for dry runs, failed runs and `--no-reconcile`). */
  reconciliation?: RunReconciliationSummary;
}
