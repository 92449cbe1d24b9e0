/**
 * K-minimum-values sketch: the k smallest 53-bit hashes of a column's distinct values. It is
 * the set itself while the column has at most k distinct values, and otherwise a uniform random
 * sample of the distinct values, which is what lets us estimate how much of one column is
 * contained in another (candidate foreign keys) in fixed memory.
 */
import { unitHash } from './hash.js';

export class KmvSketch {
  // Max-heap of the k smallest hashes, with a set for membership.
  private readonly heap: number[] = [];
  private readonly members = new Set<number>();

  constructor(readonly k = 1024) {}

  /** Adds a value. */
  add(value: string): void {
    this.addHash(unitHash(value));
  }

  /** Adds a value hashed with `unitHash`. */
  addHash(h: number): void {
    if (this.members.has(h)) return;
    const heap = this.heap;
    if (heap.length < this.k) {
      heap.push(h);
      this.members.add(h);
      siftUp(heap, heap.length - 1);
    } else if (h < heap[0]) {
      this.members.delete(heap[0]);
      heap[0] = h;
      this.members.add(h);
      siftDown(heap, 0);
    }
  }

  /** True while the sketch holds every distinct value seen (fewer than k of them). */
  get exact(): boolean {
    return this.heap.length < this.k;
  }

  /** The largest hash kept: every distinct value hashing below it is in the sketch. */
  get threshold(): number {
    return this.exact ? 1 : this.heap[0];
  }

  /** Whether a hash is in the sketch. */
  has(h: number): boolean {
    return this.members.has(h);
  }

  /** The hashes kept. */
  hashes(): Iterable<number> {
    return this.members;
  }

  /** Number of hashes kept. */
  get size(): number {
    return this.heap.length;
  }
}

/**
 * Estimates the fraction of `child`'s distinct values that are also in `parent`. Only the
 * child's hashes below the parent's threshold can be judged (the parent's sketch is complete
 * there); `evidence` says how many were, so callers can refuse estimates built on too few.
 */
export function containment(child: KmvSketch, parent: KmvSketch): { fraction: number; evidence: number; exact: boolean } {
  const limit = parent.threshold;
  let judged = 0;
  let inside = 0;
  for (const h of child.hashes()) {
    if (h > limit) continue;
    judged++;
    if (parent.has(h)) inside++;
  }
  return { fraction: judged === 0 ? 0 : inside / judged, evidence: judged, exact: child.exact && parent.exact };
}

function siftUp(a: number[], i: number): void {
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (a[p] >= a[i]) return;
    [a[p], a[i]] = [a[i], a[p]];
    i = p;
  }
}

function siftDown(a: number[], i: number): void {
  const n = a.length;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let big = i;
    if (l < n && a[l] > a[big]) big = l;
    if (r < n && a[r] > a[big]) big = r;
    if (big === i) return;
    [a[big], a[i]] = [a[i], a[big]];
    i = big;
  }
}
