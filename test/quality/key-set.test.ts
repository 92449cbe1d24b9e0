import { describe, expect, it } from 'vitest';
import { KeySet } from '../../src/quality/key-set.js';

describe('KeySet', () => {
  it('reports repeats of ascending integer keys held as intervals', () => {
    const s = new KeySet();
    for (let i = 1; i <= 1000; i++) expect(s.add(i)).toBe(true);
    expect(s.add(500)).toBe(false);
    expect(s.has(1)).toBe(true);
    expect(s.has(1000)).toBe(true);
    expect(s.has(0)).toBe(false);
    expect(s.has(1001)).toBe(false);
    expect(s.size).toBe(1000);
  });

  it('handles gaps, out-of-order integers and text keys together', () => {
    const s = new KeySet();
    for (const k of [10, 11, 12, 20, 21, 5, 15, 30]) expect(s.add(k)).toBe(true);
    for (const k of [10, 12, 20, 21, 5, 15, 30]) expect(s.add(k)).toBe(false);
    for (const k of [4, 6, 13, 19, 22, 29, 31]) expect(s.has(k)).toBe(false);
    expect(s.add('A1')).toBe(true);
    expect(s.add('A1')).toBe(false);
    // A text key and the number it spells are different keys (value-key renders canonical integers as numbers).
    expect(s.has('10')).toBe(false);
    expect(s.size).toBe(9);
  });

  it('agrees with a Set on a shuffled mix of keys', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const s = new KeySet();
    const ref = new Set<number | string>();
    for (let i = 0; i < 5000; i++) {
      const k = rnd() < 0.7 ? i - Math.floor(rnd() * 20) : rnd() < 0.5 ? Math.floor(rnd() * 6000) : `K${Math.floor(rnd() * 300)}`;
      expect(s.add(k)).toBe(!ref.has(k));
      ref.add(k);
    }
    expect(s.size).toBe(ref.size);
    for (let k = -30; k < 6100; k++) expect(s.has(k)).toBe(ref.has(k));
  });
});

/** Seeded PRNG (mulberry32): the same sequence on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Keys of `streams` ascending runs read concurrently, one key from each in turn; stream s holds s*span+1 .. s*span+len. */
function interleaved(streams: number, span: number, len = span, keep: (k: number) => boolean = () => true): number[] {
  const keys: number[] = [];
  for (let i = 1; i <= len; i++) for (let s = 0; s < streams; s++) if (keep(s * span + i)) keys.push(s * span + i);
  return keys;
}

/** Number of maximal runs of consecutive integers in `keys`. */
function runsOf(keys: readonly number[]): number {
  const sorted = [...keys].sort((a, b) => a - b);
  return sorted.filter((k, i) => i === 0 || sorted[i - 1] !== k - 1).length;
}

/** The first keys (at most 5) where `actual` disagrees with `expected`: an empty list when they agree everywhere. */
function disagreements<K>(keys: Iterable<K>, actual: (k: K) => boolean, expected: (k: K) => boolean): Array<{ key: K; actual: boolean }> {
  const out: Array<{ key: K; actual: boolean }> = [];
  for (const key of keys) {
    const a = actual(key);
    if (a !== expected(key) && out.length < 5) out.push({ key, actual: a });
  }
  return out;
}

function* range(from: number, to: number): Generator<number> {
  for (let k = from; k <= to; k++) yield k;
}

describe('KeySet with interleaved ascending streams', () => {
  for (const streams of [2, 4]) {
    it(`holds ${streams} interleaved streams in at most ${streams} intervals, exactly`, () => {
      const span = 50_000;
      const s = new KeySet();
      let most = 0;
      const keys = interleaved(streams, span);
      expect(
        disagreements(
          keys,
          (k) => s.add(k),
          () => true,
        ),
      ).toEqual([]);
      // One interval per stream while they run: count it at every key of a second pass over a fresh set.
      const t = new KeySet();
      for (const k of keys) {
        t.add(k);
        most = Math.max(most, t.intervals);
      }
      expect(most).toBe(streams);
      // Each stream ends where the next began: they merge into one.
      expect(s.intervals).toBe(1);
      expect(s.size).toBe(streams * span);
      expect(
        disagreements(
          range(-2, streams * span + 2),
          (k) => s.has(k),
          (k) => k >= 1 && k <= streams * span,
        ),
      ).toEqual([]);
      for (const k of [1.5, '1']) expect(s.has(k)).toBe(false);
      expect(
        disagreements(
          keys,
          (k) => s.add(k),
          () => false,
        ),
      ).toEqual([]);
      expect(s.size).toBe(streams * span);
    });
  }

  it('keeps streams one interval each whatever order their first keys arrive in', () => {
    const s = new KeySet();
    // The last partition starts first and the first last: every stream's first key lands below the top.
    for (const k of [750_001, 500_001, 250_001, 1]) expect(s.add(k)).toBe(true);
    for (let i = 2; i <= 10_000; i++) for (const base of [0, 250_000, 500_000, 750_000]) expect(s.add(base + i)).toBe(true);
    expect(s.intervals).toBe(4);
    expect(s.size).toBe(40_000);
    for (const k of [0, 10_001, 250_000, 260_001, 760_001]) expect(s.has(k)).toBe(false);
    for (const k of [1, 10_000, 250_001, 260_000, 750_001, 760_000]) expect(s.has(k)).toBe(true);
  });

  it('holds gappy interleaved streams (deleted or quarantined rows) as their runs, with exact membership', () => {
    const rnd = prng(17);
    // About one key in 20 missing: the later streams close thousands of intervals while the first keeps inserting below them.
    const dropped = new Set<number>();
    const keep = (k: number) => {
      if (rnd() >= 0.05) return true;
      dropped.add(k);
      return false;
    };
    const keys = interleaved(4, 100_000, 100_000, keep);
    const s = new KeySet();
    expect(
      disagreements(
        keys,
        (k) => s.add(k),
        () => true,
      ),
    ).toEqual([]);
    const runs = runsOf(keys);
    expect(runs).toBeGreaterThan(15_000);
    // Touching intervals only where blocks meet: a handful more than the runs at most.
    expect(s.intervals).toBeGreaterThanOrEqual(runs);
    expect(s.intervals).toBeLessThanOrEqual(runs + 8);
    expect(s.size).toBe(keys.length);
    expect(
      disagreements(
        range(-1, 400_002),
        (k) => s.has(k),
        (k) => k >= 1 && k <= 400_000 && !dropped.has(k),
      ),
    ).toEqual([]);
  });

  it('merges intervals when a key closes the gap between them', () => {
    const s = new KeySet();
    for (const k of [1, 2, 5, 6, 9, 4]) expect(s.add(k)).toBe(true);
    expect(s.intervals).toBe(3);
    expect(s.add(3)).toBe(true);
    expect(s.intervals).toBe(2);
    expect(s.add(8)).toBe(true);
    expect(s.add(7)).toBe(true);
    expect(s.intervals).toBe(1);
    expect(s.size).toBe(9);
    expect(
      disagreements(
        range(-1, 11),
        (k) => s.has(k),
        (k) => k >= 1 && k <= 9,
      ),
    ).toEqual([]);
  });

  it('reports duplicates as false, in intervals and in the Set', () => {
    // Limits small enough that 30 (an insert far from its block's end, with no block to spare) goes to the Set.
    const s = new KeySet({ shift: 2, blocks: 2 });
    const first = [100, 1, 50, 25, 75, 10, 60, 30, 'a', 2 ** 53 + 2];
    for (const k of first) expect(s.add(k)).toBe(true);
    for (const k of first) expect(s.add(k)).toBe(false);
    expect(s.size).toBe(10);
    // Growing an interval up to a key the Set already holds finds the duplicate instead of keeping a second copy.
    for (const k of [26, 27, 28, 29]) expect(s.add(k)).toBe(true);
    expect(s.add(30)).toBe(false);
    expect(s.add(31)).toBe(true);
    for (const k of [2, 3, 4, 5, 6, 7, 8, 9]) expect(s.add(k)).toBe(true);
    for (const k of [1, 2, 9, 10, 29, 30, 31]) expect(s.add(k)).toBe(false);
    expect(s.size).toBe(23);
    expect(
      disagreements(
        range(0, 102),
        (k) => s.has(k),
        (k) => (k >= 1 && k <= 10) || (k >= 25 && k <= 31) || [50, 60, 75, 100].includes(k),
      ),
    ).toEqual([]);
  });

  for (const [name, limits] of [
    ['default limits', undefined],
    ['tiny limits: splits, touching intervals and the Set fallback', { shift: 2, blocks: 8 }],
  ] as const) {
    it(`agrees with a Set over 100,000 random operations (${name})`, () => {
      const rnd = prng(42);
      const s = new KeySet(limits);
      const ref = new Set<number | string>();
      const wrong: Array<{ op: number; key: number | string; call: string }> = [];
      let cursor = 0;
      for (let op = 0; op < 100_000; op++) {
        const r = rnd();
        // A mix: random integers dense enough to fill gaps and merge, a gappy ascending run, text keys, lookups.
        if (r < 0.8) {
          const k = r < 0.45 ? Math.floor(rnd() * 40_000) - 1000 : r < 0.75 ? 40_000 + (cursor += rnd() < 0.8 ? 1 : 2 + Math.floor(rnd() * 5)) : `K${Math.floor(rnd() * 2000)}`;
          if (s.add(k) !== !ref.has(k)) wrong.push({ op, key: k, call: 'add' });
          ref.add(k);
          if (s.size !== ref.size) wrong.push({ op, key: k, call: 'size' });
        } else {
          const q = rnd() < 0.9 ? Math.floor(rnd() * 60_000) - 1000 : `K${Math.floor(rnd() * 2000)}`;
          if (s.has(q) !== ref.has(q)) wrong.push({ op, key: q, call: 'has' });
        }
      }
      expect(wrong.slice(0, 5)).toEqual([]);
      expect(s.size).toBe(ref.size);
      expect(
        disagreements(
          range(-1100, 40_000 + cursor + 10),
          (k) => s.has(k),
          (k) => ref.has(k),
        ),
      ).toEqual([]);
      expect(
        disagreements(
          range(0, 2000),
          (i) => s.has(`K${i}`),
          (i) => ref.has(`K${i}`),
        ),
      ).toEqual([]);
    });
  }
});
