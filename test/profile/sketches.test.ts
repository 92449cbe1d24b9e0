import { describe, expect, it } from 'vitest';
import { ColumnStats } from '../../src/profile/column-stats.js';
import { FrequentValues } from '../../src/profile/frequent.js';
import { HyperLogLog } from '../../src/profile/hll.js';
import { containment, KmvSketch } from '../../src/profile/kmv.js';
import { Reservoir } from '../../src/profile/reservoir.js';

describe('HyperLogLog', () => {
  it.each([1_000, 50_000, 300_000])('estimates %i distinct values within three standard errors', (n) => {
    const h = new HyperLogLog(14);
    for (let i = 0; i < n; i++) h.add(`value-${i}`);
    // Repeats do not move the estimate.
    for (let i = 0; i < n; i += 3) h.add(`value-${i}`);
    expect(Math.abs(h.estimate() - n) / n).toBeLessThan(3 * h.standardError);
  });
});

describe('k-minimum-values containment', () => {
  it('is exact while both columns have fewer distinct values than k', () => {
    const parent = new KmvSketch(1024);
    const child = new KmvSketch(1024);
    for (let i = 0; i < 500; i++) parent.add(String(i));
    for (let i = 0; i < 100; i++) child.add(String(i * 6)); // 0..594: 84 of 100 inside
    const m = containment(child, parent);
    expect(m.exact).toBe(true);
    expect(m.fraction).toBeCloseTo(0.84);
  });

  it('estimates containment of large columns from their sketches', () => {
    const parent = new KmvSketch(1024);
    const child = new KmvSketch(1024);
    for (let i = 0; i < 200_000; i++) parent.add(`k${i}`);
    for (let i = 0; i < 100_000; i++) child.add(`k${i * 3}`); // two thirds inside
    const m = containment(child, parent);
    expect(m.exact).toBe(false);
    expect(m.evidence).toBeGreaterThan(100);
    expect(m.fraction).toBeGreaterThan(0.55);
    expect(m.fraction).toBeLessThan(0.78);
  });
});

describe('frequent values', () => {
  it('counts exactly under the limit and never over-counts after it', () => {
    const f = new FrequentValues(10);
    for (let i = 0; i < 1000; i++) f.add(i % 3 === 0 ? 'common' : `rare-${i}`);
    expect(f.exact).toBe(false);
    expect(f.counts.size).toBeLessThanOrEqual(10);
    const common = f.top(1)[0];
    expect(common.value).toBe('common');
    expect(common.count).toBeLessThanOrEqual(334);
  });
});

describe('reservoir sampling', () => {
  const sample = (seed: number) => {
    const r = new Reservoir<number>(100, seed);
    for (let i = 0; i < 100_000; i++) r.offer(i);
    return r.items;
  };

  it('gives the same sample for the same seed and a different one for another seed', () => {
    expect(sample(7)).toEqual(sample(7));
    expect(sample(7)).not.toEqual(sample(8));
  });

  it('keeps every item while the stream is shorter than the reservoir', () => {
    const r = new Reservoir<number>(10, 1);
    for (let i = 0; i < 5; i++) r.offer(i);
    expect(r.items).toEqual([0, 1, 2, 3, 4]);
  });

  it('samples uniformly: each half of the stream gets about half the sample', () => {
    let late = 0;
    for (let seed = 1; seed <= 20; seed++) late += sample(seed).filter((i) => i >= 50_000).length;
    expect(late / 2000).toBeGreaterThan(0.45);
    expect(late / 2000).toBeLessThan(0.55);
  });

  it('holds at most its capacity however long the stream', () => {
    const r = new Reservoir<number[]>(50, 3);
    for (let i = 0; i < 1_000_000; i++) r.offer([i]);
    expect(r.items).toHaveLength(50);
    expect(r.offered).toBe(1_000_000);
  });
});

describe('column statistics memory', () => {
  it('stays bounded on a column with far more distinct values than the exact limit', () => {
    const s = new ColumnStats(1_000, 256);
    for (let i = 0; i < 300_000; i++) s.add(`id-${i}`);
    expect(s.frequent.counts.size).toBeLessThanOrEqual(1_000);
    expect(s.kmv.size).toBe(256);
    const d = s.distinct();
    expect(d.estimated).toBe(true);
    expect(Math.abs(d.count - 300_000) / 300_000).toBeLessThan(0.03);
  });

  it('counts nulls, blanks and padding separately from values', () => {
    const s = new ColumnStats(100);
    for (const v of [null, '', '   ', 'MR  ', 'MRS', '12']) s.add(v);
    expect(s).toMatchObject({ rows: 6, nulls: 1, empties: 2, padded: 1 });
    expect(s.distinct()).toEqual({ count: 3, estimated: false });
  });
});
