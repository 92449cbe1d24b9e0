/**
 * The `quality` section of the run report (docs/quality.md): KPIs per target table and
 * overall, gate decisions against the contract's thresholds, and the findings behind them.
 * Counts, codes and source keys only — never a patient value.
 */
import type { KpiName, Tier } from '../contract/model.js';

/** `measured` has a value in [0, 1]; `not_applicable` means an empty denominator (value null, never 100%). */
export type KpiStatus = 'measured' | 'not_applicable';

export interface KpiValue {
  value: number | null;
  status: KpiStatus;
  numerator: number;
  denominator: number;
}

export type Kpis = Record<KpiName, KpiValue>;

/** A row that failed a measure, named by its target table, source table and source key. */
export interface ExampleKey {
  table: string;
  sourceTable: string;
  sourceKey: string;
}

export type Decision = 'pass' | 'warn' | 'fail';
export type GateDecision = Decision | 'not_applicable';

export interface Gate {
  kpi: KpiName;
  /** Target table, or null for the overall figure. */
  table: string | null;
  value: number | null;
  numerator: number;
  denominator: number;
  threshold: { failBelow: number; warnBelow: number | null; tiers: Tier[] | null; table: string | null };
  decision: GateDecision;
  /** Up to `quality.example_keys` failing rows; empty for passing gates. */
  exampleKeys: ExampleKey[];
}

export interface TableQuality {
  table: string;
  source: string;
  kpis: Kpis;
  /** Rows missing each required field (loaded with a blank warning-only field, or quarantined for it), largest first. */
  missingByField: Array<{ field: string; rows: number }>;
  /** Loaded rows that raised a warning-severity rule (they count against validity). */
  warnedRows: number;
}

export interface UnmappedCode {
  code: string;
  rows: number;
}

export interface CrosswalkCoverage {
  crosswalk: string;
  /** Target table whose mapping used it; null when the observer was not told the table. */
  table: string | null;
  seen: number;
  mapped: number;
  coverage: KpiValue;
  /** Distinct unmapped codes with their row counts, largest first (at most 1,000 kept per crosswalk and table). */
  unmapped: UnmappedCode[];
  /** Rows whose unmapped code was beyond the 1,000 distinct codes kept. */
  unmappedOther: number;
}

export interface ReferenceCheck {
  table: string;
  columns: string[];
  references: { table: string; columns: string[] };
  /** `not_checked` when the parent is not migrated by this contract. */
  status: 'checked' | 'not_checked';
  reason: string | null;
  /** Loaded child rows with every FK column non-null. */
  rows: number;
  resolved: number;
}

export interface TableRuleFinding {
  table: string;
  /** Rule name from `table_rules`, or `key` for the target key. */
  rule: string;
  kind: 'key' | 'unique' | 'duplicate_patient';
  fields: string[];
  severity: 'error' | 'warning';
  /** Later rows that repeated an earlier row (the first occurrence is not counted). */
  failures: number;
  exampleKeys: ExampleKey[];
}

export interface CheckFinding {
  name: string;
  kind: 'allergy_conflict';
  severity: 'error' | 'warning';
  /** Medication rows whose patient has an allergy to the same substance. */
  count: number;
  /** fail for an error-severity check with findings, warn for a warning-severity one, else pass. */
  decision: Decision;
  exampleKeys: ExampleKey[];
  /** How allergies were matched: `class` with the check's `classes` (docs/drug-classes.md); absent for the substance-only check. */
  match?: 'substance' | 'class';
  /** `quarantine`: the counted rows were kept out of the target (reason `check.allergy_conflict`). */
  action?: 'warn' | 'quarantine';
  /** Of `count`, the rows quarantined. */
  quarantined?: number;
  /** Medication rows covered only by a cross-reactive class pair (not in `count`, never quarantined). */
  crossReactive?: number;
}

export interface QualityReport {
  tier: Tier;
  /** The worst gate and check decision; `fail` makes the run `failed_gate`. */
  decision: Decision;
  exampleKeyLimit: number;
  overall: Kpis;
  tables: TableQuality[];
  gates: Gate[];
  crosswalks: CrosswalkCoverage[];
  references: ReferenceCheck[];
  tableRules: TableRuleFinding[];
  checks: CheckFinding[];
}
