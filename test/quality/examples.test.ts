import { describe, expect, it } from 'vitest';
import { compareKeys, Examples } from '../../src/quality/examples.js';
import { Prng } from '../../src/synth/prng.js';

/** Integer keys (a few beyond 2^53, where Number would round) and text keys, some of which look numeric but are not canonical integers. */
const INTEGERS = ['-12345678901234567890', '-100', '-10', '-9', '-2', '-1', '0', '1', '2', '9', '10', '11', '99', '100', '101', '1000', '9007199254740993', '9007199254740994', '12345678901234567890'];
const TEXTS = ['', ' 1', '+1', '-', '-01', '007', '1.5', '10a', 'A', 'AB', 'B', 'Z9', 'a', 'b', 'ä', '𝟙', '\u00a0'];

/** The order Examples must keep: integers by exact value, then text by UTF-16 code units. */
function reference(keys: readonly string[]): string[] {
  const ints = keys.filter((k) => INTEGERS.includes(k)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  const texts = keys.filter((k) => !INTEGERS.includes(k)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [...ints, ...texts];
}

function shuffled<T>(items: readonly T[], prng: Prng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = prng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function kept(limit: number, keys: readonly string[]): string[] {
  const e = new Examples(limit, 'patient', 'PAT_MAST');
  for (const k of keys) e.add(k);
  return e.keys.map((k) => k.sourceKey);
}

describe('Examples', () => {
  it('keeps the N lowest keys whatever the order they are added in', () => {
    const all = [...INTEGERS, ...TEXTS];
    const expected = reference(all);
    const prng = new Prng(20261207);
    for (let trial = 0; trial < 200; trial++) {
      const limit = trial % 40;
      expect(kept(limit, shuffled(all, prng)), `trial ${trial}, limit ${limit}`).toEqual(expected.slice(0, limit));
    }
  });

  it('orders integers by value, negatives first, and all integers before text', () => {
    expect(kept(3, ['10', '9', '100'])).toEqual(['9', '10', '100']);
    expect(kept(4, ['1', '-1', '-10', '0', '-2'])).toEqual(['-10', '-2', '-1', '0']);
    expect(kept(2, ['A', '99999999999999999999', 'B'])).toEqual(['99999999999999999999', 'A']);
    expect(kept(5, ['007', '8', '+1', '1.5', '-01'])).toEqual(['8', '+1', '-01', '007', '1.5']);
  });

  it('names each key once, however often it is offered', () => {
    const prng = new Prng(5);
    const offered = shuffled([...INTEGERS, ...INTEGERS, ...TEXTS, ...TEXTS, ...INTEGERS.slice(0, 5)], prng);
    const keys = kept(25, offered);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(reference([...INTEGERS, ...TEXTS]).slice(0, 25));
    expect(kept(3, ['5', '5', '5', '5'])).toEqual(['5']);
  });

  it('keeps nothing with limit 0, and is full from the start', () => {
    const e = new Examples(0, 'patient', 'PAT_MAST');
    for (const k of ['1', 'A', '-5']) e.add(k);
    expect(e.keys).toEqual([]);
    expect(e.full).toBe(true);
  });

  it('names the table and source table of each key and says when it is full', () => {
    const e = new Examples(2, 'allergy', 'ALLERGY');
    e.add('30');
    expect(e.full).toBe(false);
    e.add('20');
    e.add('40');
    expect(e.full).toBe(true);
    expect(e.keys).toEqual([
      { table: 'allergy', sourceTable: 'ALLERGY', sourceKey: '20' },
      { table: 'allergy', sourceTable: 'ALLERGY', sourceKey: '30' },
    ]);
  });
});

describe('compareKeys', () => {
  const sample = [...INTEGERS, ...TEXTS, '-0'];
  const sign = (n: number) => Math.sign(n) + 0;

  it('is reflexive and antisymmetric, and equal only for the same key', () => {
    for (const a of sample) {
      expect(sign(compareKeys(a, a))).toBe(0);
      for (const b of sample) {
        expect(sign(compareKeys(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(sign(-compareKeys(b, a)));
        if (a !== b) expect(compareKeys(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).not.toBe(0);
      }
    }
  });

  it('is transitive', () => {
    for (const a of sample)
      for (const b of sample)
        for (const c of sample) {
          if (compareKeys(a, b) < 0 && compareKeys(b, c) < 0) expect(compareKeys(a, c), `${a} < ${b} < ${c}`).toBeLessThan(0);
        }
  });

  it('sorts the sample as the reference order does', () => {
    const mixed = [...INTEGERS, ...TEXTS];
    expect(shuffled(mixed, new Prng(9)).sort(compareKeys)).toEqual(reference(mixed));
  });
});
