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

/** Checks keyBounds' `parts`: a whole number (1 or less means one partition, so no split points). */
export function checkParts(parts: number): void {
  if (!Number.isSafeInteger(parts)) throw new FerryError('usage', 'source.bad_parts', `the number of partitions must be a whole number, got ${parts}`);
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
 * The split-point query: ntile over the non-NULL keys of `from` in ORDER BY order, the key of
 * each tile's last row except the last tile's, and of those only the ones strictly above the
 * previous one and below the greatest key (a key repeated across tiles, or spelled differently
 * but equal under a case-insensitive collation, gives one split point, and none leaves the last
 * range empty). Comparisons stay on the column's own values, so its collation decides.
 * `from` exposes the key as `k`; `parts` is a placeholder; `text(k)` renders k as canonical text.
 */
export function tileBoundsSql(from: string, parts: string, text: (k: string) => string): string {
  return `SELECT ${text('k')} AS b FROM (
  SELECT k, rn, top, lag(k) OVER (ORDER BY rn) AS prev FROM (
    SELECT k, rn, top, tile, lead(tile) OVER (ORDER BY rn) AS next_tile FROM (
      SELECT k, ntile(${parts}) OVER (ORDER BY k) AS tile, row_number() OVER (ORDER BY k) AS rn,
             last_value(k) OVER (ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS top
        FROM ${from}
    ) ranked
  ) edges WHERE next_tile <> tile
) bounds WHERE (prev IS NULL OR k > prev) AND k < top ORDER BY rn`;
}
