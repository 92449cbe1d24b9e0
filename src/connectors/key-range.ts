/**
 * What the SQL sources share for key-range reads and partition bounds (issue #17): checking a
 * range's bounds, the WHERE clause a range becomes, and the window query that picks split
 * points. Each source supplies its own quoting, literals and type checks.
 */
import { FerryError } from '../errors.js';
import type { KeyRange } from './connector.js';

/** How a partition key compares: as a number or as text in the column's collation. */
export type KeyKind = 'integer' | 'text';

// Canonical decimal: no sign on zero, no leading zeros, no plus, at most 20 digits (an
// unsigned 64-bit key has 20); anything else is not a bound keyBounds would have returned.
const CANONICAL_INT = /^(0|-?[1-9][0-9]{0,19})$/;

/** True when `s` is an integer in canonical decimal text ("0", "42", "-7"). */
export function isCanonicalInteger(s: string): boolean {
  return CANONICAL_INT.test(s);
}

/** Refuses a key column of a type partitions cannot be cut by; names the table, column and type. */
export function keyTypeError(table: string, column: string, nativeType: string): FerryError {
  return new FerryError(
    'usage',
    'source.partition_key_type',
    `${table}.${column} is ${nativeType}: a partitioned read needs an integer or text key column; partition by the table's integer or text key instead`,
  );
}

/** Checks a range's bounds for a key of `kind`: strings, and canonical integers for an integer key. */
export function checkRange(table: string, range: KeyRange, kind: KeyKind): void {
  for (const [end, bound] of [
    ['after', range.after],
    ['through', range.through],
  ] as const) {
    if (bound === undefined) continue;
    // Bound values are keys: the message names the end, never the value.
    if (typeof bound !== 'string') throw new FerryError('usage', 'source.bad_range', `the ${end} bound of the key range on ${table}.${range.column} must be text`);
    if (kind === 'integer' && !isCanonicalInteger(bound)) {
      throw new FerryError('usage', 'source.bad_range', `the ${end} bound of the key range on ${table}.${range.column} is not a canonical integer (decimal digits, optional minus, no leading zeros)`);
    }
  }
}

/** Most partitions keyBounds splits a table into: far more than any run has workers, and few enough to list in one query. */
export const MAX_PARTS = 10_000;

/** Checks keyBounds' `parts`: a whole number up to MAX_PARTS (1 or less means one partition, so no split points). */
export function checkParts(parts: number): void {
  if (!Number.isSafeInteger(parts) || parts > MAX_PARTS) throw new FerryError('usage', 'source.bad_parts', `the number of partitions must be a whole number up to ${MAX_PARTS}, got ${parts}`);
}

/**
 * The WHERE condition of a range on the quoted column `col`, or '' for a range open at both
 * ends. `literal` renders a bound (a parameter placeholder or a safely escaped literal).
 * NULL keys go with the open end where ORDER BY puts them (`nulls`), so a nullable key's rows
 * land in exactly one partition.
 */
export function rangeCondition(range: KeyRange, col: string, literal: (bound: string) => string, nulls: 'first' | 'last'): string {
  const parts: string[] = [];
  if (range.after !== undefined) parts.push(`${col} > ${literal(range.after)}`);
  if (range.through !== undefined) parts.push(`${col} <= ${literal(range.through)}`);
  if (parts.length === 0) return '';
  const openWithNulls = (nulls === 'first' && range.after === undefined) || (nulls === 'last' && range.through === undefined);
  return openWithNulls ? `(${parts[0]} OR ${col} IS NULL)` : parts.join(' AND ');
}

/**
 * Row numbers (1-based, in ORDER BY order, of `n` keys) that end each of `parts` about equal
 * slices, ceil(i·n/parts) for i = 1..parts-1 without repeats and below n, then n itself (the
 * greatest key, which quantileBoundsSql needs); [] when there is nothing to split (fewer than two keys).
 */
export function splitRows(n: number, parts: number): number[] {
  if (n <= 0 || parts <= 1) return [];
  const rows = new Set<number>();
  for (let i = 1; i < parts; i++) {
    const r = Math.ceil((i * n) / parts);
    if (r < n) rows.add(r);
  }
  return rows.size === 0 ? [] : [...rows, n];
}

/**
 * The split-point query: the keys at row numbers `rows` (splitRows: the ntile boundaries, up
 * to where the rounding falls) of the non-NULL keys in ORDER BY order, and of those only the
 * ones strictly above the previous one and below the greatest key: a key repeated across
 * boundaries, or spelled differently but equal under a case-insensitive collation, gives one
 * split point, and none leaves the last range empty. Comparisons stay on the column's own
 * values, so its collation decides. The row count is known beforehand (counted in the same
 * snapshot) because one row_number() is the only pass over every key: on MariaDB a query
 * ranking with ntile and finding tile edges with lead() took 6 s on 1M keys, a count(*) OVER ()
 * 1.9 s, this one 0.5 s. `keys` is a SELECT of the non-NULL keys as `k`; `text(k)` renders k
 * as canonical text.
 */
export function quantileBoundsSql(keys: string, rows: readonly number[], text: (k: string) => string): string {
  // Row numbers are integers this module computed; nothing else reaches the SQL text.
  if (rows.length === 0 || !rows.every((r) => Number.isSafeInteger(r) && r > 0)) throw new FerryError('internal', 'source.bad_split_rows', 'split rows must be positive whole numbers');
  const n = rows[rows.length - 1];
  return `SELECT ${text('k')} AS b FROM (
  SELECT k, rn, lag(k) OVER (ORDER BY rn) AS prev,
         last_value(k) OVER (ORDER BY rn ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS top
    FROM (SELECT k, row_number() OVER (ORDER BY k) AS rn FROM (${keys}) key_values) ranked
   WHERE rn IN (${rows.join(', ')})
) edges WHERE rn < ${n} AND (prev IS NULL OR k > prev) AND k < top ORDER BY rn`;
}
