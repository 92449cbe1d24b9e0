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
