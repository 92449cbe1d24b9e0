import { describe, expect, it } from 'vitest';
import { isVerhoeffValid, verhoeffCheckDigit } from '../../src/rules/verhoeff.js';

describe('verhoeffCheckDigit', () => {
  it('gives the published worked examples', () => {
    expect(verhoeffCheckDigit('236')).toBe(3);
    expect(verhoeffCheckDigit('12345')).toBe(1);
    expect(verhoeffCheckDigit('142857')).toBe(0);
  });

  it('gives the check digit of SNOMED CT concept ids', () => {
    expect(verhoeffCheckDigit('2229800')).toBe(6);
    expect(verhoeffCheckDigit('19596700')).toBe(1);
  });

  it('refuses input that is not digits', () => {
    expect(() => verhoeffCheckDigit('')).toThrow(RangeError);
    expect(() => verhoeffCheckDigit('12a')).toThrow(RangeError);
  });
});

describe('isVerhoeffValid', () => {
  it('accepts digits ending in their check digit', () => {
    expect(isVerhoeffValid('2363')).toBe(true);
    expect(isVerhoeffValid('123451')).toBe(true);
  });

  it('catches every single-digit error and adjacent transposition of an id', () => {
    const id = '22298006';
    for (let i = 0; i < id.length; i++) {
      for (const d of '0123456789') {
        if (d === id[i]) continue;
        expect(isVerhoeffValid(id.slice(0, i) + d + id.slice(i + 1))).toBe(false);
      }
      if (i + 1 < id.length && id[i] !== id[i + 1]) {
        expect(isVerhoeffValid(id.slice(0, i) + id[i + 1] + id[i] + id.slice(i + 2))).toBe(false);
      }
    }
  });

  it('rejects empty and non-digit input', () => {
    expect(isVerhoeffValid('')).toBe(false);
    expect(isVerhoeffValid('2363 ')).toBe(false);
  });
});
