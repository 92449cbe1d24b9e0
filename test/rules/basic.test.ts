import { describe, expect, it } from 'vitest';
import { codePointLength, enumCheck, fitsLogicalType, isBlank, lengthCheck, numericValue, rangeCheck, regexCheck, requiredCheck, typeCheck } from '../../src/rules/basic.js';
import { FerryError } from '../../src/errors.js';

describe('isBlank', () => {
  it('treats null, empty and whitespace-only text as missing', () => {
    for (const v of [null, '', '   ', '\t\n']) expect(isBlank(v)).toBe(true);
    for (const v of ['0', 0, false, ' x ', Buffer.alloc(0)]) expect(isBlank(v)).toBe(false);
  });
});

describe('required', () => {
  it('fails missing values and passes anything present', () => {
    const check = requiredCheck();
    expect(check(null)).not.toBeNull();
    expect(check('  ')).not.toBeNull();
    expect(check('x')).toBeNull();
    expect(check(0)).toBeNull();
  });
});

describe('fitsLogicalType', () => {
  it('checks integers in every form they travel in', () => {
    expect(fitsLogicalType(42, 'integer')).toBe(true);
    expect(fitsLogicalType(42n, 'integer')).toBe(true);
    expect(fitsLogicalType('-42', 'integer')).toBe(true);
    expect(fitsLogicalType(4.2, 'integer')).toBe(false);
    expect(fitsLogicalType('4.2', 'integer')).toBe(false);
    expect(fitsLogicalType('42abc', 'integer')).toBe(false);
  });

  it('checks decimals, dates, timestamps, booleans and binary', () => {
    expect(fitsLogicalType('3.14', 'decimal')).toBe(true);
    expect(fitsLogicalType('.5', 'decimal')).toBe(true);
    expect(fitsLogicalType('1e3', 'decimal')).toBe(false);
    expect(fitsLogicalType(Number.NaN, 'decimal')).toBe(false);
    expect(fitsLogicalType('2024-02-29', 'date')).toBe(true);
    expect(fitsLogicalType('2023-02-29', 'date')).toBe(false);
    expect(fitsLogicalType('2024-02-29T08:30:00', 'timestamp')).toBe(true);
    expect(fitsLogicalType('t', 'boolean')).toBe(true);
    expect(fitsLogicalType('maybe', 'boolean')).toBe(false);
    expect(fitsLogicalType(Buffer.from('x'), 'binary')).toBe(true);
    expect(fitsLogicalType(Buffer.from('x'), 'text')).toBe(false);
  });

  it('reports the expected type without echoing the value', () => {
    expect(typeCheck({ type: 'integer' })('NHS 943')).toBe('value is not a valid integer');
  });
});

describe('length', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(codePointLength('😀😀')).toBe(2);
    expect(codePointLength('abc')).toBe(3);
    const check = lengthCheck({ max: 2 });
    expect(check('😀😀')).toBeNull();
    expect(check('😀😀😀')).toBe('value is longer than the maximum of 2 characters');
  });

  it('fails text shorter than the minimum', () => {
    const check = lengthCheck({ min: 3 });
    expect(check('ab')).toBe('value is shorter than the minimum of 3 characters');
    expect(check('😀😀')).toBe('value is shorter than the minimum of 3 characters');
    expect(check('abc')).toBeNull();
    expect(check(12345)).toBeNull();
  });
});

describe('enum', () => {
  it('compares the text form of values', () => {
    const check = enumCheck({ values: ['1', 2, 'X', true] });
    expect(check(1)).toBeNull();
    expect(check('2')).toBeNull();
    expect(check('X')).toBeNull();
    expect(check(true)).toBeNull();
    expect(check('x')).toBe('value is not one of the 4 allowed values');
    expect(check(9)).not.toBeNull();
  });
});

describe('range', () => {
  it('compares numbers and numeric text numerically, inclusive at both ends', () => {
    const check = rangeCheck({ min: 0, max: 10 });
    expect(check(0)).toBeNull();
    expect(check('10')).toBeNull();
    expect(check('9.5')).toBeNull();
    expect(check(10n)).toBeNull();
    expect(check(-1)).toBe('value is below the minimum of 0');
    expect(check('10.01')).toBe('value is above the maximum of 10');
    expect(check('ten')).toBe('value is not a number');
  });

  it('reads numeric text only when it is a plain decimal', () => {
    expect(numericValue(' 5')).toBeNull();
    expect(numericValue('0x10')).toBeNull();
    expect(numericValue('-0.5')).toBe(-0.5);
  });
});

describe('regex', () => {
  it('matches with the given flags', () => {
    const check = regexCheck({ pattern: '^[a-z]{2}\\d$', flags: 'i' }, 'f.rules[0]');
    expect(check('AB1')).toBeNull();
    expect(check('ABC')).toBe('value does not match the pattern /^[a-z]{2}\\d$/i');
  });

  it('refuses an invalid pattern when compiling, not per row', () => {
    expect(() => regexCheck({ pattern: '(' }, 'dob.rules[2]')).toThrow(FerryError);
    expect(() => regexCheck({ pattern: '(' }, 'dob.rules[2]')).toThrow(/dob\.rules\[2\]/);
  });
});
