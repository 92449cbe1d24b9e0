/**
 * `ferry reconcile RUN` as part of the run's record: reconcile, then fold the result into the
 * report the run stored in the target's ledger and record the gate decision it now makes. Only
 * a loaded run (reconciling, succeeded, failed_gate) is updated; a failed, cancelled or
 * rolled-back run keeps its status, and a run without a stored report (an older Ferry's) is
 * reconciled without being updated.
 */
import type { RunRecord } from '../connectors/connector.js';
import { openTarget } from '../connectors/registry.js';
import { storedReport } from '../engine/run.js';
import { reconcile, type ReconcileUrlOptions } from '../reconcile/open.js';
import type { ReconciliationReport } from '../reconcile/report.js';
import { withVerdict } from './quality-verdict.js';
import { foldReconciliation } from './reconcile-step.js';
import type { RunReport } from './report.js';

/** Ledger statuses whose gate decision a reconciliation may change. */
const LOADED: ReadonlySet<RunRecord['status']> = new Set(['reconciling', 'succeeded', 'failed_gate']);

/** What a reconciliation did to the run's record. */
export type RecordOutcome =
  /** The run's status and report were recorded anew; `report` is the run report with this reconciliation folded in. */
  | { updated: true; previousStatus: RunRecord['status']; report: RunReport }
  /** The record was left as it was: the run did not finish loading, or stored no report. */
  | { updated: false; status: RunRecord['status']; reason: 'not_loaded' | 'no_report' };

export interface RecordedReconciliation {
  reconciliation: ReconciliationReport;
  record: RecordOutcome;
}

/** Reconciles run `o.runId` and records the gate decision it makes in the run's record in the target. */
export async function reconcileRecorded(o: ReconcileUrlOptions): Promise<RecordedReconciliation> {
  const reconciliation = await reconcile(o);
  const target = await openTarget(o.targetUrl);
  try {
    // reconcile() found the run; read again after it, so a status written meanwhile is respected.
    const run = (await target.getRun(o.runId))!;
    if (!LOADED.has(run.status)) return { reconciliation, record: { updated: false, status: run.status, reason: 'not_loaded' } };
    if (run.report === undefined) return { reconciliation, record: { updated: false, status: run.status, reason: 'no_report' } };
    const report = withVerdict(foldReconciliation(storedReport(run), reconciliation));
    await target.finishRun(run.runId, report.status, JSON.stringify(report));
    return { reconciliation, record: { updated: true, previousStatus: run.status, report } };
  } finally {
    await target.close();
  }
}
