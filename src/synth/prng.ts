/**
 * A small seeded PRNG (sfc32 seeded through splitmix32). We use our own rather than faker's
 * for per-row choices because it is several times faster, allocation-free, and can be reseeded
 * per patient: patient i's rows depend only on (seed, i), never on how many values were drawn
 * before, which keeps output stable and would let generation be sharded later.
 */

/** Mixes a 32-bit value (splitmix32 finaliser). */
function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

export class Prng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 1;

  constructor(seed: number, stream = 0, index = 0) {
    this.reseed(seed, stream, index);
  }

  /** Resets the state to a function of (seed, stream, index) alone. */
  reseed(seed: number, stream: number, index: number): void {
    const s = mix32(seed | 0);
    const t = mix32(s ^ Math.imul(stream + 1, 0x85ebca6b));
    const u = mix32(t ^ Math.imul((index >>> 0) + 1, 0xc2b2ae35) ^ Math.floor(index / 0x100000000));
    this.a = u;
    this.b = mix32(u ^ 0x1b873593);
    this.c = mix32(u ^ 0xe6546b64);
    this.d = 1;
    // sfc32 needs a few rounds before its output is well mixed.
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.next() / 4294967296) * n);
  }

  /** An integer in [min, max], both inclusive. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  /** A uniformly chosen element. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** An element chosen by weight; `cumulative` is `cumulate(weights)`, aligned with `items`. */
  weighted<T>(items: readonly T[], cumulative: readonly number[]): T {
    const r = this.float() * cumulative[cumulative.length - 1];
    for (let i = 0; i < cumulative.length; i++) if (r < cumulative[i]) return items[i];
    return items[items.length - 1];
  }
}

/** Running totals of weights, for `Prng.weighted`. */
export function cumulate(weights: readonly number[]): number[] {
  let sum = 0;
  return weights.map((w) => (sum += w));
}
