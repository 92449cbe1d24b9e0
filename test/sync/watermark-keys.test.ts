import { describe, expect, it } from 'vitest';
import { isDeleted } from '../../src/engine/filter.js';
import { compareKeys, decodeValues, encodeValues, hasKey, rowDigest, vanishedKeys } from '../../src/sync/watermark-keys.js';

describe('watermark key lists', () => {
  it('encode key tuples reversibly, keeping bigint, Buffer, number and text apart', () => {
    const values = [1, '1', 9007199254740993n, Buffer.from([0, 255]), null, true, "O'Brien\\"];
    const text = encodeValues(values);
    expect(decodeValues(text)).toEqual(values);
    expect(encodeValues([1])).not.toBe(encodeValues(['1']));
    expect(encodeValues([1n])).not.toBe(encodeValues([1]));
  });

  it('digest whole rows so an unchanged row is recognised', () => {
    expect(rowDigest([1, 'a', null])).toBe(rowDigest([1, 'a', null]));
    expect(rowDigest([1, 'a', null])).not.toBe(rowDigest([1, 'a', '']));
  });

  it('find keys that vanished, including ones upserted since the last list', () => {
    const k = (n: number) => encodeValues([n]);
    const previous = [k(1), k(2), k(3), k(4)].sort(compareKeys);
    const current = [k(1), k(3), k(5)].sort(compareKeys);
    // 5 was inserted and stayed; 6 was inserted and deleted between two lists; 2 and 4 were deleted.
    const gone = vanishedKeys(previous, new Set([k(5), k(6), k(2)]), current);
    expect(gone.map((g) => decodeValues(g)[0])).toEqual([2, 4, 6]);
    expect(vanishedKeys([], new Set(), [])).toEqual([]);
    expect(hasKey(current, k(3))).toBe(true);
    expect(hasKey(current, k(4))).toBe(false);
  });

  it('reads a delete marker as not null, or equal to its value', () => {
    expect(isDeleted(null, undefined)).toBe(false);
    expect(isDeleted('2024-01-01 10:00:00', undefined)).toBe(true);
    expect(isDeleted('Y', 'Y')).toBe(true);
    expect(isDeleted('N', 'Y')).toBe(false);
    expect(isDeleted(null, 'Y')).toBe(false);
    expect(isDeleted(1, true)).toBe(true);
    expect(isDeleted(0, true)).toBe(false);
    expect(isDeleted(true, true)).toBe(true);
    expect(isDeleted(true, 1)).toBe(true);
    expect(isDeleted(9, 9)).toBe(true);
    expect(isDeleted(9n, '9')).toBe(true);
  });
});
