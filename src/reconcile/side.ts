/**
 * The target side of a key-set comparison, whatever holds it: a database computing range
 * checksums in SQL, or the scratch store holding a streamed file target.
 */
import type { LogicalType } from '../connectors/connector.js';

/** A key bound: one value per key column, canonical (integers as bigint). */
export type Bound = ReadonlyArray<bigint | string | null>;

/** Keys k with lower < k <= upper (each bound absent means unbounded), compared as tuples. */
export interface KeyRange {
  lower?: Bound;
  upper?: Bound;
}

export interface RangeAggregate {
  count: number;
  /** Sum of row hashes, not yet reduced modulo 2^64. */
  sum: bigint;
  /** Non-null values per column, when asked. */
  nonNull?: number[];
}

/** One target row as hashes: canonical key text, row hash and per-column value hashes (16 hex digits, null for NULL). */
export interface SideRow {
  kt: string;
  rh: string;
  ch: (string | null)[];
}

export interface TargetSide {
  readonly method: 'sql' | 'stream';
  /** Row count and row-hash sum over a key range; per-column non-null counts too when asked. */
  aggregate(range: KeyRange, withColumns: boolean): Promise<RangeAggregate>;
  /** Every row of a key range, in pages. */
  rows(range: KeyRange): AsyncIterable<SideRow[]>;
  /** Per-column non-null counts over the whole table when the side already has them (otherwise they come from the first-level aggregates). */
  columnTotals?(): number[];
  close(): Promise<void>;
}

/** What a side needs to know about the table it reads. */
export interface SideTable {
  name: string;
  columns: Array<{ name: string; type: LogicalType }>;
  /** Positions of the key columns in `columns`. */
  keyIdx: number[];
}
