/**
 * The sync benchmark's pure parts: reading `--json` output that arrives in arbitrary chunks, and
 * the lag and apply-rate figures taken from the applied units.
 */
import { describe, expect, it } from 'vitest';
import { JsonValues } from '../../bench/sync/ferry-child.js';
import { appliedBetween, lagOf, percentile } from '../../bench/sync/lag.js';

describe('JsonValues', () => {
  it('splits indented values printed one after another, whatever the chunks', () => {
    const values = [
      { type: 'sync:id', syncId: 'sync-1' },
      { type: 'sync:applied', unit: { transactions: 2, delaysMs: [3, 4] } },
      { type: 'odd', text: 'braces } ] { [ and "quotes\\" in a string' },
    ];
    const text = values.map((v) => JSON.stringify(v, null, 2)).join('\n') + '\n';
    for (const size of [1, 7, 64, text.length]) {
      const parser = new JsonValues();
      const got: unknown[] = [];
      for (let i = 0; i < text.length; i += size) got.push(...parser.push(text.slice(i, i + size)));
      expect(got).toEqual(values);
    }
  });
});

describe('lag figures', () => {
  const units = [
    { at: 10_000, transactions: 2, changes: 3, delaysMs: [500, 9_500] },
    { at: 12_000, transactions: 3, changes: 3, delaysMs: [100, 200, 300] },
  ];

  it('takes the transactions committed in the window (arrival minus delay)', () => {
    // Committed at 9,500, at 500 (before the window), and at 11,900, 11,800 and 11,700.
    expect(lagOf(units, 1_000, 12_000)).toEqual({ transactions: 4, p50: 200, p95: 500, p99: 500, max: 500 });
    expect(lagOf(units, 0, 100).transactions).toBe(0);
  });

  it('counts the units read in the window', () => {
    expect(appliedBetween(units, 11_000, 13_000)).toEqual({ units: 1, transactions: 3, changes: 3 });
  });

  it('uses the nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(xs, 50), percentile(xs, 95), percentile(xs, 100)]).toEqual([50, 95, 100]);
    expect(percentile([], 50)).toBeNaN();
  });
});
