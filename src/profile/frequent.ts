/**
 * Value frequencies in bounded memory: exact counts while a column has at most `limit`
 * distinct values, then the Misra-Gries summary in the same map. Misra-Gries counts never
 * over-estimate (each is at most n / (limit + 1) too low), so hiding values whose count falls
 * below the minimum frequency errs on the side of hiding rare, possibly identifying values.
 */

import { detachedString } from '../transform/text-value.js';

export class FrequentValues {
  readonly counts = new Map<string, number>();
  private overflowed = false;

  constructor(readonly limit = 10_000) {}

  /** False once the column had more distinct values than the limit: counts are then lower bounds. */
  get exact(): boolean {
    return !this.overflowed;
  }

  /** Counts one occurrence. */
  add(value: string): void {
    const c = this.counts.get(value);
    if (c !== undefined) {
      this.counts.set(value, c + 1);
      return;
    }
    if (this.counts.size < this.limit) {
      this.counts.set(detachedString(value), 1);
      return;
    }
    // Misra-Gries: a new value when full decrements every counter; the amortised cost is O(1)
    // because each decrement round removes limit + 1 from a total that only grows by one per value.
    this.overflowed = true;
    for (const [k, n] of this.counts) {
      if (n <= 1) this.counts.delete(k);
      else this.counts.set(k, n - 1);
    }
  }

  /** The most frequent values, most frequent first (ties by value), at most `n`. */
  top(n: number): Array<{ value: string; count: number }> {
    return [...this.counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, n)
      .map(([value, count]) => ({ value, count }));
  }
}
