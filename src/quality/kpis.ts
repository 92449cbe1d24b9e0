/**
 * KPI arithmetic. A KPI is a ratio of rows; an empty denominator is "not applicable" (null),
 * never 100%, so an empty table can neither pass nor fail a gate by accident.
 */
import { KPI_NAMES, type KpiName } from '../contract/model.js';
import type { Kpis, KpiValue } from '../engine/quality-report.js';

/** The KPI for numerator / denominator; null and `not_applicable` when the denominator is zero. */
export function ratio(numerator: number, denominator: number): KpiValue {
  if (denominator <= 0) return { value: null, status: 'not_applicable', numerator, denominator: 0 };
  return { value: numerator / denominator, status: 'measured', numerator, denominator };
}

/** Sums numerators and denominators: the overall figure is weighted by rows, not an average of ratios. */
export function sumRatios(values: readonly KpiValue[]): KpiValue {
  let n = 0;
  let d = 0;
  for (const v of values) {
    n += v.numerator;
    d += v.denominator;
  }
  return ratio(n, d);
}

/** Overall KPIs from per-table KPIs, one sum per KPI. */
export function overallKpis(tables: readonly Kpis[]): Kpis {
  const out = {} as Kpis;
  for (const k of KPI_NAMES) out[k] = sumRatios(tables.map((t) => t[k]));
  return out;
}

/** Builds a full KPI record from numerator/denominator pairs. */
export function kpisFrom(pairs: Record<KpiName, readonly [number, number]>): Kpis {
  const out = {} as Kpis;
  for (const k of KPI_NAMES) out[k] = ratio(pairs[k][0], pairs[k][1]);
  return out;
}
