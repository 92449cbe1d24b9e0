import { describe, expect, it } from 'vitest';
import { checkParts, checkRange, isCanonicalInteger, quantileBoundsSql, rangeCondition, splitRows } from '../../src/connectors/key-range.js';
import { FerryError } from '../../src/errors.js';

describe('key range helpers', () => {
  it('recognises canonical integers only, 64-bit ones included', () => {
    for (const s of ['0', '7', '-7', '9223372036854775807', '-9223372036854775808', '18446744073709551615']) expect(isCanonicalInteger(s), s).toBe(true);
    for (const s of ['', '-', '-0', '007', '+7', '1.0', '1e3', ' 1', '1 ', '0x10', '1; DROP TABLE x', '123456789012345678901']) expect(isCanonicalInteger(s), s).toBe(false);
  });

  it('checks bounds by key kind and never echoes a bound', () => {
    expect(() => checkRange('t', { column: 'k', after: '-3', through: '10' }, 'integer')).not.toThrow();
    expect(() => checkRange('t', { column: 'k', after: '007' }, 'text')).not.toThrow();
    const err = (() => {
      try {
        checkRange('t', { column: 'k', through: 'secret-1' }, 'integer');
      } catch (e) {
        return e as FerryError;
      }
    })();
    expect(err).toBeInstanceOf(FerryError);
    expect(err?.code).toBe('source.bad_range');
    expect(err?.message).not.toContain('secret');
    expect(() => checkRange('t', { column: 'k', after: 5 as unknown as string }, 'integer')).toThrow(FerryError);
  });

  it('turns a range into a condition, NULL keys with the open end ORDER BY puts them at', () => {
    const lit = (b: string) => `[${b}]`;
    expect(rangeCondition({ column: 'k' }, 'K', lit, 'first')).toBe('');
    expect(rangeCondition({ column: 'k', after: '1', through: '2' }, 'K', lit, 'first')).toBe('K > [1] AND K <= [2]');
    expect(rangeCondition({ column: 'k', through: '2' }, 'K', lit, 'first')).toBe('(K <= [2] OR K IS NULL)');
    expect(rangeCondition({ column: 'k', through: '2' }, 'K', lit, 'last')).toBe('K <= [2]');
    expect(rangeCondition({ column: 'k', after: '1' }, 'K', lit, 'last')).toBe('(K > [1] OR K IS NULL)');
    expect(rangeCondition({ column: 'k', after: '1' }, 'K', lit, 'first')).toBe('K > [1]');
  });

  it('picks the row numbers that end about equal slices, then the last row', () => {
    expect(splitRows(24, 4)).toEqual([6, 12, 18, 24]);
    expect(splitRows(10, 4)).toEqual([3, 5, 8, 10]);
    expect(splitRows(3, 10)).toEqual([1, 2, 3]);
    expect(splitRows(1, 4)).toEqual([]);
    expect(splitRows(0, 4)).toEqual([]);
    expect(splitRows(100, 1)).toEqual([]);
  });

  it('refuses parts that are not whole numbers or absurdly many, and split rows that are not', () => {
    expect(() => checkParts(4)).not.toThrow();
    for (const p of [2.5, NaN, Infinity, 10_001]) expect(() => checkParts(p), String(p)).toThrow(FerryError);
    expect(() => quantileBoundsSql('SELECT 1 AS k', [1.5, 3], (k) => k)).toThrow(FerryError);
    expect(quantileBoundsSql('SELECT 1 AS k', [2, 4], (k) => k)).toContain('rn IN (2, 4)');
  });
});
