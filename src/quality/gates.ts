/**
 * Gate decisions: each applied threshold against its measured KPI. Below `fail_below` fails,
 * below `warn_below` warns, exactly at a threshold passes; a not-applicable KPI never fails.
 * The run's decision is the worst gate or cross-check decision.
 */
import type { KpiName, Threshold, Tier } from '../contract/model.js';
import { firstKeys } from './examples.js';
import type { Decision, ExampleKey, Gate, GateDecision, Kpis, KpiValue } from '../engine/quality-report.js';
import { applyThresholds } from './thresholds.js';

/** The decision for one KPI value against one threshold. */
export function decide(kpi: KpiValue, threshold: Pick<Threshold, 'fail_below' | 'warn_below'>): GateDecision {
  if (kpi.value === null) return 'not_applicable';
  if (kpi.value < threshold.fail_below) return 'fail';
  if (threshold.warn_below !== undefined && kpi.value < threshold.warn_below) return 'warn';
  return 'pass';
}

const RANK: Record<GateDecision, number> = { not_applicable: 0, pass: 0, warn: 1, fail: 2 };

/** The worst of several decisions; pass when there are none. */
export function worst(decisions: Iterable<GateDecision>): Decision {
  let w: Decision = 'pass';
  for (const d of decisions) if (RANK[d] > RANK[w]) w = d as Decision;
  return w;
}

export interface GateInput {
  tier: Tier;
  thresholds: readonly Threshold[];
  overall: Kpis;
  tables: ReadonlyArray<{ table: string; kpis: Kpis }>;
  /** Example failing rows per table and KPI. */
  examples(table: string, kpi: KpiName): readonly ExampleKey[];
  exampleLimit: number;
}

/** Evaluates every threshold in force in the tier against the measured KPIs. */
export function evaluateGates(o: GateInput): Gate[] {
  const byTable = new Map(o.tables.map((t) => [t.table, t.kpis]));
  const names = o.tables.map((t) => t.table);
  return applyThresholds(o.thresholds, o.tier, names).map(({ threshold: t, table }) => {
    const kpi = table === null ? o.overall[t.kpi] : (byTable.get(table)?.[t.kpi] ?? { value: null, status: 'not_applicable' as const, numerator: 0, denominator: 0 });
    const decision = decide(kpi, t);
    const exampleKeys = decision === 'fail' || decision === 'warn' ? firstKeys(table === null ? names.map((n) => o.examples(n, t.kpi)) : [o.examples(table, t.kpi)], o.exampleLimit) : [];
    return {
      kpi: t.kpi,
      table,
      value: kpi.value,
      numerator: kpi.numerator,
      denominator: kpi.denominator,
      threshold: { failBelow: t.fail_below, warnBelow: t.warn_below ?? null, tiers: t.tiers ?? null, table: t.table ?? null },
      decision,
      exampleKeys,
    };
  });
}
