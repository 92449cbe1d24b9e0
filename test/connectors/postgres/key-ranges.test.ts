import { describe, expect, it } from 'vitest';
import { canonicalInt } from '../../../src/connectors/canonical-int.js';
import { KeyRangeLines } from '../../../src/connectors/postgres/key-ranges.js';

describe('canonicalInt', () => {
  it('accepts only integers whose text a range would expand back to exactly', () => {
    expect(canonicalInt('0')).toBe(0);
    expect(canonicalInt('42')).toBe(42);
    expect(canonicalInt('-7')).toBe(-7);
    expect(canonicalInt('999999999999999')).toBe(999_999_999_999_999);
    for (const s of ['', '-', '-0', '007', '+7', '4.0', '1e3', ' 1', '1 ', '12a', '1000000000000000', 'Z1234']) expect(canonicalInt(s), s).toBeNaN();
  });
});

describe('KeyRangeLines', () => {
  const text = (r: KeyRangeLines) => Buffer.concat(r.take()).toString('utf8');

  it('writes one line per run of consecutive keys, in arrival order', () => {
    const r = new KeyRangeLines('3\tpatient\t');
    for (const k of [1, 2, 3, 4, 9, 10, 8, -2, -1, 0]) r.add(k);
    expect(text(r)).toBe('3\tpatient\t1\t4\n3\tpatient\t9\t10\n3\tpatient\t8\t8\n3\tpatient\t-2\t0\n');
  });

  it('closes the open run at every take, so each batch carries its own ranges', () => {
    const r = new KeyRangeLines('p\t');
    r.add(5);
    r.add(6);
    expect(text(r)).toBe('p\t5\t6\n');
    r.add(7);
    expect(text(r)).toBe('p\t7\t7\n');
    expect(r.take()).toEqual([]);
  });
});
