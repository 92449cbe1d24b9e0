/**
 * The run's last stage: reconcile source against target (counts, whole-table row checksums,
 * row bisection where they differ, business checks) and let mismatches feed the quality gate's
 * reconciliation KPI. A run that loaded cleanly but does not reconcile fails its gate; a run is
 * final in the target's ledger only once this step recorded it.
 */
import type { Source, Target } from '../connectors/connector.js';
import { FerryError } from '../errors.js';
import type { LoadedContract } from '../contract/model.js';
import { decide, worst } from '../quality/gates.js';
import { ratio } from '../quality/kpis.js';
import { reconciliationKpiInputs } from '../reconcile/kpi.js';
import { reconcileRun } from '../reconcile/reconcile.js';
import type { ReconciliationReport } from '../reconcile/report.js';
import type { RunEventListener } from '../engine/events.js';
import type { EngineReport } from '../engine/report.js';
import { withVerdict } from './quality-verdict.js';
import { RECONCILIATION_PENDING, type RunReconciliationSummary, type RunReport } from './report.js';

export interface ReconcileStepOptions {
  loaded: LoadedContract;
  digest: string;
  source: Source;
  target: Target;
  targetUrl: string;
  pilot?: { patients: number; table?: string };
  signal?: AbortSignal;
  /** Hears the reconciliation's progress events (engine/events.ts). */
  onEvent?: RunEventListener;
}

/**
 * Reconciles a finished load, folds the result into the report's quality gates, and records the
 * run's final status and report in the target's ledger. When the reconciliation itself fails or
 * is cancelled, the ledger keeps `reconciling` and the returned report says how to finish.
 */
export async function reconcileAfterRun(report: EngineReport, o: ReconcileStepOptions): Promise<RunReport> {
  let rec: ReconciliationReport;
  try {
    rec = await reconcileRun({
      loaded: o.loaded,
      digest: o.digest,
      runId: report.runId,
      source: o.source,
      target: o.target,
      targetUrl: o.targetUrl,
      pilot: o.pilot,
      signal: o.signal,
      onEvent: o.onEvent,
    });
  } catch (err) {
    return reconciliationPending(report, err, o.signal?.aborted ?? false);
  }
  const next = withVerdict(foldReconciliation(report, rec));
  await o.target.finishRun(report.runId, next.status, JSON.stringify(next));
  return next;
}

/** The report of a load whose reconciliation failed or was cancelled: not succeeded, and how to finish it. */
function reconciliationPending(report: EngineReport, err: unknown, cancelled: boolean): RunReport {
  const { error: _loadError, ...rest } = report;
  const finish = `every row is loaded and the run is recorded as reconciling: finish it with \`ferry run … --resume ${report.runId}\``;
  // A FerryError's message is written for analysts and holds no row values; anything else is named only.
  const cause = err instanceof FerryError ? err.message : `an unexpected ${err instanceof Error ? err.name : 'error'}`;
  const pending: RunReport = cancelled
    ? { ...rest, status: 'cancelled', error: { code: RECONCILIATION_PENDING.cancelled, message: `the run was cancelled during its reconciliation; ${finish}` } }
    : { ...rest, status: 'failed', error: { code: RECONCILIATION_PENDING.failed, message: `the end-of-run reconciliation failed (${cause}); ${finish}` } };
  return withVerdict(pending);
}

/** A compact summary of a reconciliation for the run report. */
function summarize(rec: ReconciliationReport): RunReconciliationSummary {
  return {
    status: rec.status,
    elapsedMs: rec.elapsedMs,
    tables: rec.tables.map((t) => ({
      table: t.table,
      status: t.status,
      expected: t.counts.expected,
      matched: t.counts.matched,
      missing: t.counts.missing,
      extra: t.counts.extra,
      different: t.counts.different,
    })),
    business: rec.business.map((b) => ({ name: b.name, pass: b.pass })),
    report: rec,
  };
}

/**
 * A loaded run's report with reconciliation `rec` folded in: its summary, the reconciliation KPI
 * and the gates on it, and the status those gates now decide. Only a succeeded or failed_gate
 * report's status changes; folding a later reconciliation replaces an earlier one.
 */
export function foldReconciliation(report: EngineReport, rec: ReconciliationReport): RunReport {
  const next: RunReport = { ...structuredClone(report), reconciliation: summarize(rec) };
  const q = next.quality;
  if (!q) return next;

  // Reconciliation KPI: rows the target holds exactly as the contract derives them, plus
  // business checks passed, over everything that should be there.
  const inputs = reconciliationKpiInputs(rec);
  const byTable = new Map(inputs.tables.map((t) => [t.table, t]));
  let num = 0;
  let den = 0;
  for (const t of q.tables) {
    const r = byTable.get(t.table);
    if (!r) continue;
    t.kpis.reconciliation = ratio(r.accounted, r.total);
    num += r.accounted;
    den += r.total;
  }
  num += inputs.business.passed;
  den += inputs.business.passed + inputs.business.failed;
  q.overall.reconciliation = ratio(num, den);
  const kpiOf = (table: string | null) => (table === null ? q.overall.reconciliation : (q.tables.find((t) => t.table === table)?.kpis.reconciliation ?? null));
  for (const g of q.gates) {
    if (g.kpi !== 'reconciliation') continue;
    const kpi = kpiOf(g.table);
    if (!kpi) continue;
    g.value = kpi.value;
    g.numerator = kpi.numerator;
    g.denominator = kpi.denominator;
    g.decision = decide(kpi, { fail_below: g.threshold.failBelow, warn_below: g.threshold.warnBelow ?? undefined });
    const mismatched = rec.tables.find((t) => t.table === g.table);
    g.exampleKeys =
      g.decision === 'fail' || g.decision === 'warn'
        ? [...(mismatched?.rows.missing.examples ?? []), ...(mismatched?.rows.different.examples ?? [])]
            .filter((k) => k.sourceKey !== undefined)
            .slice(0, q.exampleKeyLimit)
            .map((k) => ({ table: g.table ?? '', sourceTable: mismatched?.source ?? '', sourceKey: k.sourceKey! }))
        : [];
  }
  q.decision = worst([...q.gates.map((g) => g.decision), ...q.checks.map((c) => c.decision)]);
  if (next.status !== 'succeeded' && next.status !== 'failed_gate') return next;
  const failingReconciliation = q.gates.filter((g) => g.kpi === 'reconciliation' && g.decision === 'fail');
  if (q.decision !== 'fail') {
    next.status = 'succeeded';
    delete next.error;
  } else if (next.status === 'succeeded' || failingReconciliation.length > 0) {
    // The load's own gate failure keeps its message unless reconciliation now fails a gate too.
    next.status = 'failed_gate';
    const failing = q.gates.filter((g) => g.decision === 'fail').map((g) => `${g.kpi} ${g.table ?? 'overall'}`);
    next.error = { code: 'run.failed_gate', message: `quality gate failed in tier ${q.tier} after reconciliation: ${failing.join(', ')}` };
  }
  return next;
}
