/**
 * Reservoir sampling, Algorithm L (Li 1994): a uniform sample of k items from a stream of
 * unknown length in O(k) memory, drawing random numbers only when an item is taken. The PRNG is
 * seeded, so the same source and seed give the same sample; no database-side ORDER BY RANDOM()
 * is ever needed.
 */
import { Prng } from '../synth/prng.js';

export class Reservoir<T> {
  readonly items: T[] = [];
  private seen = 0;
  private nextTake = 0;
  private w = 1;
  private readonly rng: Prng;

  constructor(
    readonly capacity: number,
    seed = 1,
    stream = 0,
  ) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError('reservoir capacity must be a non-negative integer');
    this.rng = new Prng(seed, stream);
  }

  /** Number of items offered so far. */
  get offered(): number {
    return this.seen;
  }

  /** True when the next offered item will be kept: callers copy only what is kept. */
  wants(): boolean {
    return this.capacity > 0 && (this.items.length < this.capacity || this.seen + 1 === this.nextTake);
  }

  /** Offers one item from the stream. */
  offer(item: T): void {
    this.seen++;
    const k = this.capacity;
    if (k === 0) return;
    if (this.items.length < k) {
      this.items.push(item);
      if (this.items.length === k) {
        this.w = Math.exp(Math.log(this.uniform()) / k);
        this.skipAhead();
      }
      return;
    }
    if (this.seen === this.nextTake) {
      this.items[this.rng.int(k)] = item;
      this.w *= Math.exp(Math.log(this.uniform()) / k);
      this.skipAhead();
    }
  }

  private skipAhead(): void {
    this.nextTake = this.seen + Math.floor(Math.log(this.uniform()) / Math.log(1 - this.w)) + 1;
  }

  // (0, 1): log(0) would be -Infinity.
  private uniform(): number {
    return (this.rng.next() + 1) / 4294967297;
  }
}
