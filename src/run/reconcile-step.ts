/**
 * The run's last stage: reconcile source against target (counts, whole-table row checksums,
 * row bisection where they differ, business checks) and let mismatches feed the quality gate's reconciliation KPI.
 * A run that loaded cleanly but does not reconcile fails its gate.
 */
import type { Source, Target } from '../connectors/connector.js';
import type { LoadedContract } from '../contract/model.js';
import { decide, worst } from '../quality/gates.js';
import { ratio } from '../quality/kpis.js';
import { reconciliationKpiInputs } from '../reconcile/kpi.js';
import { reconcileRun } from '../reconcile/reconcile.js';
import type { RunEventListener } from '../engine/events.js';
import type { EngineReport } from '../engine/report.js';
import type { RunReconciliationSummary, RunReport } from './report.js';

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

/** Reconciles a finished run, folds the result into the report's quality gates, and returns the updated report. */
export async function reconcileAfterRun(report: EngineReport, o: ReconcileStepOptions): Promise<RunReport> {
  const rec = await reconcileRun({
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
  const summary: RunReconciliationSummary = {
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
  const next: RunReport = { ...report, reconciliation: summary };
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
  if (next.status === 'succeeded' && q.decision === 'fail') {
    next.status = 'failed_gate';
    const failing = q.gates.filter((g) => g.decision === 'fail').map((g) => `${g.kpi} ${g.table ?? 'overall'}`);
    next.error = { code: 'run.failed_gate', message: `quality gate failed in tier ${q.tier} after reconciliation: ${failing.join(', ')}` };
    await o.target.finishRun(report.runId, 'failed_gate');
  }
  return next;
}
