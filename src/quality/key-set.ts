/**
 * A set of rendered keys sized for tens of millions of rows. Sources are read in primary-key
 * order, so integer keys mostly arrive ascending and in runs (1, 2, 3, …): those are kept as
 * intervals, a few numbers for a whole run of keys, instead of one hash entry each (a million
 * ids in a Set cost tens of megabytes and most of a second of hashing). Anything else (text
 * keys, integers out of order or far from every interval's end) goes into an ordinary Set.
 */
import { detachedString } from '../transform/text-value.js';
import type { KeyValue } from './value-key.js';

/** Membership of keys; `add` reports whether the key was new. */
export class KeySet {
  /** Interval starts and ends (inclusive), ascending and disjoint, for integer keys that arrived in order. */
  private readonly lo: number[] = [];
  private readonly hi: number[] = [];
  private readonly rest = new Set<KeyValue>();
  private count = 0;

  /** Number of distinct keys held. */
  get size(): number {
    return this.count;
  }

  /** True when `k` was added before. */
  has(k: KeyValue): boolean {
    if (typeof k === 'number' && this.inInterval(k)) return true;
    return this.rest.has(k);
  }

  /** Adds `k`; returns false when it was already there. */
  add(k: KeyValue): boolean {
    if (typeof k === 'number' && Number.isSafeInteger(k)) {
      const n = this.hi.length;
      const last = n > 0 ? this.hi[n - 1] : undefined;
      if (last === undefined || k > last) {
        // In order, so new: integers reach the Set only when not above the last interval's end.
        if (last !== undefined && k === last + 1) this.hi[n - 1] = k;
        else {
          this.lo.push(k);
          this.hi.push(k);
        }
        this.count++;
        return true;
      }
      if (this.inInterval(k)) return false;
    }
    if (this.rest.has(k)) return false;
    // A key cut from a source chunk would keep the chunk alive for the rest of the run.
    this.rest.add(typeof k === 'string' ? detachedString(k) : k);
    this.count++;
    return true;
  }

  private inInterval(k: number): boolean {
    const lo = this.lo;
    const hi = this.hi;
    let a = 0;
    let b = hi.length - 1;
    while (a <= b) {
      const m = (a + b) >>> 1;
      if (k < lo[m]) b = m - 1;
      else if (k > hi[m]) a = m + 1;
      else return true;
    }
    return false;
  }
}
