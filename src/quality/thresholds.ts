/**
 * Which of the contract's quality thresholds apply in a release tier, and to what. A threshold
 * with `tiers` applies only in those tiers; without, in every tier. A threshold with `table`
 * applies to that table's figure. One without applies to the overall figure and to every table
 * that has no table-specific threshold for the same KPI in this tier — so a table-specific
 * threshold replaces the global one for its table, stricter or looser.
 */
import type { KpiName, Threshold, Tier } from '../contract/model.js';

/** A threshold and the figure it applies to: a target table, or null for the overall figure. */
export interface AppliedThreshold {
  threshold: Threshold;
  table: string | null;
}

/** The thresholds in force in `tier`. */
export function thresholdsForTier(thresholds: readonly Threshold[], tier: Tier): Threshold[] {
  return thresholds.filter((t) => t.tiers === undefined || t.tiers.includes(tier));
}

/** Every (threshold, figure) pair to gate in `tier`, given the run's target tables, in contract order. */
export function applyThresholds(thresholds: readonly Threshold[], tier: Tier, tables: readonly string[]): AppliedThreshold[] {
  const inTier = thresholdsForTier(thresholds, tier);
  const specific = new Set<string>();
  for (const t of inTier) if (t.table !== undefined) specific.add(`${t.kpi}\u0000${t.table}`);
  const hasSpecific = (kpi: KpiName, table: string) => specific.has(`${kpi}\u0000${table}`);
  const out: AppliedThreshold[] = [];
  for (const t of inTier) {
    if (t.table !== undefined) {
      out.push({ threshold: t, table: t.table });
      continue;
    }
    out.push({ threshold: t, table: null });
    for (const table of tables) if (!hasSpecific(t.kpi, table)) out.push({ threshold: t, table });
  }
  return out;
}
