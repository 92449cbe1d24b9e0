/**
 * The profile of a source, as `profileSource` returns it and `ferry profile --json` prints it.
 * Keys are snake_case because this is a documented, stable JSON shape (docs/profiling.md).
 * Every figure that is estimated rather than counted says so next to it.
 */
import type { LogicalType } from '../connectors/connector.js';
import type { PatternClass } from './patterns.js';

export interface ProfileOptions {
  /** Tables to profile (default all). */
  tables?: string[];
  /** Rows per table kept in the reservoir sample that pattern classes and inferred types are judged on (default 10,000). */
  sample?: number;
  /** Top values seen fewer times than this are hidden, and min/max ends held by fewer rows become bounds: rare values can identify a person (default 5). */
  minFrequency?: number;
  /** Distinct values counted exactly per column before switching to HyperLogLog and Misra-Gries (default 10,000). */
  exactLimit?: number;
  /** Seed of the reservoir sampler (default 1): the same source and seed give the same profile. */
  seed?: number;
  /** Rows per batch read from the source (default 5,000). */
  sliceRows?: number;
  /** Number of top values listed per column (default 10). */
  topN?: number;
  signal?: AbortSignal;
  /** Called after each batch with the table and rows read so far. */
  onProgress?: (table: string, rows: number) => void;
}

export interface SourceProfile {
  profile_version: 1;
  source: string;
  options: { sample: number; min_frequency: number; exact_limit: number; seed: number };
  tables: TableProfile[];
}

export interface TableProfile {
  name: string;
  rows: number;
  /** Rows in the reservoir sample; equal to `rows` when the whole table was sampled. */
  sampled: number;
  /** True when pattern classes, inferred types and date ranges come from a sample rather than every row. */
  sample_estimated: boolean;
  declared_primary_key: string[];
  columns: ColumnProfile[];
  candidate_keys: CandidateKey[];
  /** Declared foreign keys and candidates found by value inclusion. */
  foreign_keys: ForeignKeyCandidate[];
  /** Rows the source could not read faithfully (bytes not in the declared encoding, malformed records); absent when there were none. */
  source_problems?: SourceProblem[];
}

/** Rows of one column (or whole records) the source could not read faithfully: a count and advice, never a value. */
export interface SourceProblem {
  /** Null for a whole record, e.g. a ragged CSV line. */
  column: string | null;
  /** `source.encoding` or `source.malformed`. */
  reason_code: string;
  rows: number;
  /** The encoding the undecodable bytes look like (use it as `?encoding=`), when one fits. */
  likely_encoding: string | null;
  note: string;
}

export interface ColumnProfile {
  name: string;
  declared_type: LogicalType;
  native_type: string;
  declared_nullable: boolean;
  inferred_type: LogicalType;
  /** Values that are null. */
  nulls: number;
  /** Values that are empty or only spaces. */
  empties: number;
  null_rate: number;
  empty_rate: number;
  /** Values with leading or trailing spaces (fixed-width legacy fields). */
  padded: number;
  distinct: { count: number; estimated: boolean };
  /**
   * Character length range of non-null values. An end held by fewer than `min_frequency` values is
   * replaced by the K-th shortest (longest) length and flagged; null when fewer than K values.
   */
  length: { min: number; max: number; min_is_bound: boolean; max_is_bound: boolean } | null;
  /**
   * Smallest and largest value, for numeric and date columns only (text extremes are often one
   * person's value). An end held by fewer than `min_frequency` rows would show one person's value,
   * so it is replaced by the K-th smallest (largest) value and `min_is_bound` (`max_is_bound`) is
   * true: the true end lies beyond it. Null when fewer than K values (or none) could be ranged.
   */
  range: { min: string | number; max: string | number; estimated: boolean; min_is_bound: boolean; max_is_bound: boolean } | null;
  /** Most frequent values seen at least `min_frequency` times. */
  top_values: Array<{ value: string; count: number }>;
  /** False once the column had more distinct values than the exact limit: counts are then lower bounds. */
  top_values_exact: boolean;
  /** Distinct values left out of `top_values` because they were seen fewer than `min_frequency` times (estimated when not exact). */
  hidden_values: number;
  /** Pattern classes with the fraction of sampled non-empty values in each, most common first. */
  patterns: Array<{ class: PatternClass; fraction: number }>;
  /** The class that describes the column best (at least 90% of values), or null for mixed columns. */
  dominant_pattern: PatternClass | null;
  /** Detected date layout when the column holds dates. */
  date_format: { format: string; fraction: number; ambiguous_with: string[] } | null;
}

export interface CandidateKey {
  columns: string[];
  /** Declared by the source (a primary key or unique constraint) rather than found in the data. */
  declared: boolean;
  /** Uniqueness judged from a HyperLogLog estimate rather than an exact count. */
  estimated: boolean;
}

export interface ForeignKeyCandidate {
  columns: string[];
  references: { table: string; columns: string[] };
  declared: boolean;
  /** Fraction of the column's distinct values found in the referenced key (1 = no orphans). */
  containment: number | null;
  /** Containment from k-minimum-values sketches rather than exact sets. */
  estimated: boolean;
  /** strong: (nearly) every value found and the names agree; weak: values fit but the evidence is thinner. */
  strength: 'declared' | 'strong' | 'weak';
}
