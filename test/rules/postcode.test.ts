import { describe, expect, it } from 'vitest';
import { isValidPostcode, normalisePostcode } from '../../src/rules/postcode.js';

describe('isValidPostcode', () => {
  it.each(['SW1A 1AA', 'EC1A 1BB', 'W1A 0AX', 'M1 1AE', 'B33 8TH', 'CR2 6XH', 'DN55 1PT', 'GIR 0AA', 'LS1 4AP'])('accepts %s', (pc) => {
    expect(isValidPostcode(pc)).toBe(true);
  });

  it.each([
    ['Q1 1AA', 'Q never starts a postcode'],
    ['V1 1AA', 'V never starts a postcode'],
    ['X1 1AA', 'X never starts a postcode'],
    ['1AA 1AA', 'the area starts with a letter'],
    ['SW1A1AAA', 'too long'],
    ['AJ1 1AA', 'J is not used in second position'],
    ['W1I 1AA', 'I is not used in third position of A9A'],
    ['EC1C 1BB', 'C is not used in fourth position of AA9A'],
    ['SW1A 1CA', 'C is not used in the inward code'],
    ['SW1A 1AV', 'V is not used in the inward code'],
    ['SW1A', 'no inward code'],
    ['', 'empty'],
  ])('rejects %s (%s)', (pc) => {
    expect(isValidPostcode(pc)).toBe(false);
  });

  it('accepts a valid postcode written in lower case or without its space', () => {
    expect(isValidPostcode('sw1a1aa')).toBe(true);
    expect(isValidPostcode(' ls1  4ap ')).toBe(true);
  });
});

describe('normalisePostcode', () => {
  it('upper-cases and puts one space before the inward code', () => {
    expect(normalisePostcode('sw1a1aa')).toBe('SW1A 1AA');
    expect(normalisePostcode('m1   1ae')).toBe('M1 1AE');
    expect(normalisePostcode('gir0aa')).toBe('GIR 0AA');
    expect(normalisePostcode('DN55 1PT')).toBe('DN55 1PT');
  });

  it('returns null for an invalid format', () => {
    expect(normalisePostcode('Q1 1AA')).toBeNull();
    expect(normalisePostcode('SW1A1AAA')).toBeNull();
    expect(normalisePostcode('UNKNOWN')).toBeNull();
  });
});
