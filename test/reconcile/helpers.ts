/** Shared steps of the reconciliation tests: migrate the fixture, then reconcile that run. */
import { migrate } from '../../src/run/migrate.js';
import { reconcile } from '../../src/reconcile/open.js';
import type { ReconciliationReport, TableReconciliation } from '../../src/reconcile/report.js';

export const TODAY = () => '2026-01-15';

/** Runs the fixture contract from its CSV source into the target; returns the run id. */
export async function migrateFixture(contractFile: string, sourceUrl: string, targetUrl: string): Promise<string> {
  const report = await migrate({ contractFile, sourceUrl, targetUrl, today: TODAY, batchSize: 5000 });
  if (report.status !== 'succeeded') throw new Error(`fixture run ${report.status}: ${report.error?.message}`);
  return report.runId;
}

/** Reconciles a run of the fixture contract. */
export function reconcileFixture(contractFile: string, runId: string, sourceUrl: string, targetUrl: string, extra: { maxExamples?: number; leafSize?: number } = {}): Promise<ReconciliationReport> {
  return reconcile({ contractFile, runId, sourceUrl, targetUrl, today: TODAY, ...extra });
}

/** The report section of one table. */
export function tableOf(report: ReconciliationReport, table: string): TableReconciliation {
  const t = report.tables.find((x) => x.table === table);
  if (!t) throw new Error(`no table ${table} in the report`);
  return t;
}
