/**
 * Small-group protection for the extremes a profile reports. The smallest or largest value of a
 * column is often one person's (the oldest patient's birth date, the one 7-kilogram adult), so a
 * profile shows an extreme only when at least K rows (the `min_frequency` that hides rare top
 * values) lie at or beyond it. Otherwise it shows the K-th smallest (largest) value instead, a
 * bound that K rows share the far side of — bottom- and top-coding — and says so.
 *
 * The true extremes stay inside the process for `ferry suggest` (a line-number column runs from
 * exactly 1; a value longer than the target column matters even if one row has it): they are kept
 * in a WeakMap beside the profile objects, so JSON, HTML and API responses cannot carry them.
 */
import type { ColumnProfile } from './types.js';

/** The K smallest and K largest numbers of a stream, in O(K) memory. */
export class KExtremes {
  /** Ascending: low[0] is the minimum. */
  private readonly low: number[] = [];
  /** Descending: high[0] is the maximum. */
  private readonly high: number[] = [];

  constructor(readonly k: number) {
    if (!Number.isSafeInteger(k) || k < 1) throw new RangeError(`k must be a whole number of at least 1, got ${k}`);
  }

  /** Counts one value. */
  add(x: number): void {
    const { low, high, k } = this;
    // Most values of a long stream beat neither list: one comparison each.
    if (low.length < k || x < low[low.length - 1]) insert(low, x, k, (a, b) => a < b);
    if (high.length < k || x > high[high.length - 1]) insert(high, x, k, (a, b) => a > b);
  }

  /** Number of values seen, up to K. */
  get seen(): number {
    return this.low.length;
  }

  /** The true minimum and maximum, or null before the first value. */
  exact(): { min: number; max: number } | null {
    return this.low.length ? { min: this.low[0], max: this.high[0] } : null;
  }

  /** The K-anonymous range of the values seen (see `kAnonymousExtremes`). */
  bounded(): BoundedRange<number> | null {
    return this.low.length < this.k ? null : bound(this.low[0], this.low[this.k - 1], this.high[0], this.high[this.k - 1]);
  }
}

/** A range whose ends are shown only when K values lie at or beyond them; else the K-th value, flagged. */
export interface BoundedRange<T> {
  min: T;
  max: T;
  /** True when fewer than K values equal the minimum: `min` is the K-th smallest value and the true minimum lies below it. */
  min_is_bound: boolean;
  /** True when fewer than K values equal the maximum: `max` is the K-th largest value and the true maximum lies above it. */
  max_is_bound: boolean;
}

/**
 * The K-anonymous range of `values` (any order, duplicates counted): the minimum when at least K
 * values equal it, else the K-th smallest value; the same for the maximum. Null when fewer than K
 * values exist, since then no end can be shared by K of them.
 */
export function kAnonymousExtremes<T extends string | number>(values: readonly T[], k: number): BoundedRange<T> | null {
  if (values.length < k || values.length === 0) return null;
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const n = sorted.length;
  return bound(sorted[0], sorted[k - 1], sorted[n - 1], sorted[n - k]);
}

function bound<T>(min: T, kthSmallest: T, max: T, kthLargest: T): BoundedRange<T> {
  return { min: kthSmallest, max: kthLargest, min_is_bound: kthSmallest !== min, max_is_bound: kthLargest !== max };
}

function insert(list: number[], x: number, k: number, before: (a: number, b: number) => boolean): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(list[mid], x)) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, x);
  if (list.length > k) list.pop();
}

/** The unprotected extremes of a column, for use inside this process only. */
export interface TrueExtremes {
  range: { min: string | number; max: string | number } | null;
  length: { min: number; max: number } | null;
}

const trueExtremes = new WeakMap<ColumnProfile, TrueExtremes>();

/** Remembers a column's true extremes beside its (protected) profile, never inside it. */
export function keepTrueExtremes(column: ColumnProfile, extremes: TrueExtremes): void {
  trueExtremes.set(column, extremes);
}

/**
 * A column's true value range when it was profiled in this process, else the range it reports
 * (a profile read back from JSON only ever has the protected one).
 */
export function trueRange(column: ColumnProfile): { min: string | number; max: string | number } | null {
  return trueExtremes.get(column)?.range ?? column.range;
}

/** A column's true length range when it was profiled in this process, else the one it reports. */
export function trueLength(column: ColumnProfile): { min: number; max: number } | null {
  return trueExtremes.get(column)?.length ?? column.length;
}
