/**
 * What the quality gate's reconciliation KPI reads from a reconciliation report.
 *
 * Per table: `total` = rows in scope = rows the contract expects in the target plus extra
 * target rows; `accounted` = expected rows present in the target with identical values. The
 * KPI is accounted / total; total 0 means "not applicable". Count-level findings (source
 * changed since the run, re-derivation differs) are in `countIssues`, for a gate that wants
 * to fail on them too. Business checks are counted as passed / failed.
 */
import type { ReconciliationReport } from './report.js';

export interface ReconciliationKpiTable {
  table: string;
  accounted: number;
  total: number;
  /** `counts.*` flags of the table. */
  countIssues: string[];
}

export interface ReconciliationKpiInputs {
  tables: ReconciliationKpiTable[];
  business: { passed: number; failed: number; failedChecks: string[] };
}

/** Reduces a reconciliation report to the inputs of the reconciliation KPI. */
export function reconciliationKpiInputs(report: ReconciliationReport): ReconciliationKpiInputs {
  const failed = report.business.filter((b) => !b.pass).map((b) => b.name);
  return {
    tables: report.tables.map((t) => ({
      table: t.table,
      accounted: t.counts.matched,
      total: t.counts.expected + t.counts.extra,
      countIssues: t.flags.filter((f) => f.startsWith('counts.')),
    })),
    business: { passed: report.business.length - failed.length, failed: failed.length, failedChecks: failed },
  };
}
