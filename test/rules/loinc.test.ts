import { describe, expect, it } from 'vitest';
import { isValidLoinc, loincCheckDigit, loincProblem } from '../../src/rules/loinc.js';

describe('loincCheckDigit', () => {
  it('gives the mod-10 check digit LOINC publishes', () => {
    expect(loincCheckDigit('2160')).toBe(0);
    expect(loincCheckDigit('718')).toBe(7);
    expect(loincCheckDigit('2345')).toBe(7);
    // LOINC's own worked example: base 12345 → 5.
    expect(loincCheckDigit('12345')).toBe(5);
  });

  it('refuses a base that is not digits', () => {
    expect(() => loincCheckDigit('21-60')).toThrow(RangeError);
  });
});

describe('isValidLoinc', () => {
  it.each(['2160-0', '718-7', '2345-7', '4548-4', '8480-6', '1-8'])('accepts %s', (code) => {
    expect(isValidLoinc(code)).toBe(true);
  });

  it.each(['2160-1', '718-8', '2345-0'])('rejects %s, whose check digit is wrong', (code) => {
    expect(isValidLoinc(code)).toBe(false);
    expect(loincProblem(code)).toBe('check_digit');
  });

  it.each(['21600', '2160-', '-0', '02160-0', '2160-00', 'LP2160-0', ' 2160-0'])('rejects %j, which is not NNNNN-N', (code) => {
    expect(isValidLoinc(code)).toBe(false);
    expect(loincProblem(code)).toBe('format');
  });
});
