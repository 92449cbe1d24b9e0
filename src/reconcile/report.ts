/**
 * The reconciliation report: a stable JSON shape (`ferry.reconciliation/v2`), documented in
 * docs/reconciliation.md. Keys, counts and checksums only: never a row's values. v2 replaced
 * the per-column checksums of v1 by the number of differing rows per column.
 */
import type { LoadMode, LogicalType } from '../connectors/connector.js';

export const RECONCILIATION_FORMAT = 'ferry.reconciliation/v2';

/** A row named by its target key and, when the expected side knows it, its source key. */
export interface KeyRef {
  targetKey: string;
  sourceKey?: string;
}

export interface DifferentRow extends KeyRef {
  /** Target columns whose values differ (names only). */
  columns: string[];
}

export interface RowCategory<T> {
  count: number;
  /** The first examples in target-key order, at most `maxExamples`. */
  examples: T[];
}

/** Non-null values of one column over the keys present on both sides. */
export interface ColumnCounts {
  nonNull: number;
}

export interface ColumnReconciliation {
  name: string;
  type: LogicalType;
  expected: ColumnCounts;
  target: ColumnCounts;
  /** Rows present on both sides whose value in this column differs. */
  differentRows: number;
  /** No differing row differs in this column and the non-null counts agree. */
  match: boolean;
}

export interface TableCounts {
  /** Rows in the source table now (as read while re-deriving the expected rows). */
  sourceRows: number;
  /** From the run's checkpoint. */
  read: number;
  loaded: number;
  quarantined: number;
  excluded: number;
  /** Re-derived now by running the source through the contract's row program. */
  derived: { read: number; loaded: number; quarantined: number; excluded: number };
  /** Distinct target keys the loaded rows produce: the rows that must be in the target. */
  expected: number;
  /** Rows in the target table. */
  targetRows: number;
  /** Expected keys present in the target. */
  present: number;
  matched: number;
  missing: number;
  extra: number;
  different: number;
}

export interface BisectionStats {
  /**
   * `totals`: the whole-table count and row-hash sum agreed (pass 1), nothing was bisected;
   * `sql`: they did not, and key-range checksums were computed inside the target database;
   * `stream`: a file target, streamed into the scratch store first.
   */
  method: 'totals' | 'sql' | 'stream';
  /** Key ranges whose checksums were compared. */
  ranges: number;
  /** Ranges small enough to be compared row by row. */
  leaves: number;
  /** Rows (expected plus target) compared row by row. */
  rowsCompared: number;
  leafSize: number;
  fanout: number;
}

export type TableStatus = 'match' | 'mismatch';

export interface TableReconciliation {
  table: string;
  source: string;
  load: LoadMode;
  status: TableStatus;
  counts: TableCounts;
  /** Codes of every problem found, e.g. `rows.missing`, `counts.derived_loaded`, `columns.different`. */
  flags: string[];
  columns: ColumnReconciliation[];
  rows: {
    missing: RowCategory<KeyRef>;
    extra: RowCategory<KeyRef>;
    different: RowCategory<DifferentRow>;
    /** Differing rows per column name. */
    differentByColumn: Record<string, number>;
  };
  bisection: BisectionStats;
  elapsedMs: number;
}

export interface BusinessGroup {
  /** Group value as text (`null` for the NULL group); absent when the check has no group_by. */
  group?: string | null;
  source: string;
  target: string;
  difference: string;
  pass: boolean;
}

export interface BusinessCheckResult {
  name: string;
  description?: string;
  aggregate: { source: string; target: string };
  tolerance: number;
  pass: boolean;
  groups: BusinessGroup[];
  /** Values a sum could not read as numbers, per side (counted, never shown). */
  nonNumeric: { source: number; target: number };
}

export interface Mismatch {
  kind: 'counts' | 'rows' | 'columns' | 'business';
  table?: string;
  check?: string;
  code: string;
  message: string;
}

export interface ReconciliationReport {
  format: typeof RECONCILIATION_FORMAT;
  runId: string;
  status: 'match' | 'mismatch';
  contract: { name: string; version: string; digest: string };
  run: { status: string; startedAt: string; finishedAt: string | null };
  source: string;
  target: string;
  startedAt: string;
  finishedAt: string;
  elapsedMs: number;
  tables: TableReconciliation[];
  business: BusinessCheckResult[];
  mismatches: Mismatch[];
}
