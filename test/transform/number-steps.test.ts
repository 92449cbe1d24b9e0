import { describe, expect, it } from 'vitest';
import { canonicalInteger, roundDecimal } from '../../src/transform/decimal.js';
import { failure, run } from './harness.js';

describe('to_integer', () => {
  it('canonicalises integer text: sign, spaces, leading zeros, zero fractions', () => {
    expect(run(['to_integer'], '42')).toBe('42');
    expect(run(['to_integer'], ' -042 ')).toBe('-42');
    expect(run(['to_integer'], '+7')).toBe('7');
    expect(run(['to_integer'], '12.0')).toBe('12');
    expect(run(['to_integer'], '12.00')).toBe('12');
    expect(run(['to_integer'], '000')).toBe('0');
    expect(run(['to_integer'], '-0')).toBe('0');
  });

  it('accepts numbers and bigints, exact beyond 2^53', () => {
    expect(run(['to_integer'], 12)).toBe('12');
    expect(run(['to_integer'], -0)).toBe('0');
    expect(run(['to_integer'], 2 ** 60)).toBe('1152921504606846976');
    expect(run(['to_integer'], 9007199254740993n)).toBe('9007199254740993');
    expect(run(['to_integer'], '9007199254740993')).toBe('9007199254740993');
  });

  it('fails on fractions, separators, exponents, blanks and non-numbers', () => {
    for (const bad of ['12.5', '1,000', '1e3', '', '   ', '-', '12.', '.0', 'twelve', '1 2', '0x1F', '١٢']) {
      expect(run(['to_integer'], bad, { name: 'age' }), JSON.stringify(bad)).toMatchObject(failure('age.to_integer', 'transform.to_integer'));
    }
    expect(run(['to_integer'], 12.5)).toMatchObject(failure('f.to_integer', 'transform.to_integer'));
    expect(run(['to_integer'], Number.NaN)).toMatchObject(failure('f.to_integer', 'transform.to_integer'));
    expect(run(['to_integer'], true)).toMatchObject(failure('f.to_integer', 'transform.to_integer'));
    expect(run(['to_integer'], Buffer.from('12'))).toMatchObject(failure('f.to_integer', 'transform.type'));
  });

  it('passes null through', () => {
    expect(run(['to_integer'], null)).toBeNull();
  });

  it('is the same function as canonicalInteger', () => {
    expect(canonicalInteger('\t0012\n')).toBe('12');
    expect(canonicalInteger('+')).toBeNull();
  });
});

describe('to_decimal', () => {
  const dec = (scale: number) => [{ to_decimal: { scale } }];

  it('pads to the scale', () => {
    expect(run(dec(2), '12.5')).toBe('12.50');
    expect(run(dec(2), '12')).toBe('12.00');
    expect(run(dec(0), '12')).toBe('12');
    expect(run(dec(3), ' +.5 ')).toBe('0.500');
    expect(run(dec(2), '5.')).toBe('5.00');
    expect(run(dec(0), '5.')).toBe('5');
    expect(run(dec(2), '0.5')).toBe('0.50');
    expect(run(dec(2), '007.5')).toBe('7.50');
    expect(run(dec(2), '-12.5')).toBe('-12.50');
    expect(run(dec(2), '+12.5')).toBe('12.50');
  });

  it('rounds half away from zero on the written digits', () => {
    expect(run(dec(2), '0.005')).toBe('0.01');
    expect(run(dec(2), '0.004')).toBe('0.00');
    expect(run(dec(2), '-0.005')).toBe('-0.01');
    expect(run(dec(0), '2.5')).toBe('3');
    expect(run(dec(0), '-2.5')).toBe('-3');
    expect(run(dec(0), '0.4999')).toBe('0');
    expect(run(dec(2), '99.995')).toBe('100.00');
    expect(run(dec(1), '-9.96')).toBe('-10.0');
  });

  it('rounds numbers by their shortest decimal text, not their binary value', () => {
    // 1.005 is 1.00499999999999989... in binary; analysts wrote 1.005 and expect 1.01.
    expect(run(dec(2), 1.005)).toBe('1.01');
    expect(run(dec(2), 0.005)).toBe('0.01');
    expect(run(dec(4), 1e-7)).toBe('0.0000');
    expect(run(dec(1), 1e21)).toBe('1000000000000000000000.0');
  });

  it('never shows a negative zero', () => {
    expect(run(dec(2), '-0.001')).toBe('0.00');
    expect(run(dec(0), '-0')).toBe('0');
  });

  it('keeps large numbers exact', () => {
    expect(run(dec(2), '12345678901234567890.125')).toBe('12345678901234567890.13');
    expect(run(dec(2), 9007199254740993n)).toBe('9007199254740993.00');
    expect(run(dec(0), '-99999999999999999999.5')).toBe('-100000000000000000000');
  });

  it('accepts exponents', () => {
    expect(run(dec(2), '1.5E3')).toBe('1500.00');
    expect(run(dec(3), '25e-3')).toBe('0.025');
    expect(run(dec(2), '-1.2345e+2')).toBe('-123.45');
  });

  it('fails on text that is not a decimal number', () => {
    for (const bad of ['', '  ', '.', '-', '1,5', '£12', '12.5.1', '1e', '1e5000', 'NaN', '12 5']) {
      expect(run(dec(2), bad, { name: 'amount' }), JSON.stringify(bad)).toMatchObject(failure('amount.to_decimal', 'transform.to_decimal'));
    }
    expect(run(dec(2), Number.POSITIVE_INFINITY)).toMatchObject(failure('f.to_decimal', 'transform.to_decimal'));
    expect(run(dec(2), false)).toMatchObject(failure('f.to_decimal', 'transform.to_decimal'));
    expect(run(dec(2), Buffer.from('1'))).toMatchObject(failure('f.to_decimal', 'transform.type'));
  });

  it('passes null through', () => {
    expect(run(dec(2), null)).toBeNull();
  });

  it('is the same function as roundDecimal', () => {
    expect(roundDecimal('0.125', 2)).toBe('0.13');
    expect(roundDecimal('x', 2)).toBeNull();
  });
});
