import { describe, expect, it } from 'vitest';
import { DecimalSum, decimalDistance } from '../../src/reconcile/decimal-sum.js';

describe('exact decimal sums for business checks', () => {
  it('adds mixed scales exactly, where floats would drift', () => {
    const s = new DecimalSum();
    for (const v of ['0.1', '0.2', '10', '-0.30', 5n, 1.25]) expect(s.add(v)).toBe(true);
    expect(s.toString()).toBe('16.25');
    expect(s.add('twelve')).toBe(false);
    expect(s.toString()).toBe('16.25');
  });

  it('measures the absolute distance between two figures', () => {
    expect(decimalDistance('10', '12.5')).toBe('2.5');
    expect(decimalDistance('-1.5', '1.5')).toBe('3');
    expect(decimalDistance('7', '7.000')).toBe('0');
  });
});
