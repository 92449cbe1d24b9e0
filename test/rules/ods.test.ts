import { describe, expect, it } from 'vitest';
import { isValidOdsCode } from '../../src/rules/ods.js';

describe('isValidOdsCode', () => {
  it('accepts GP practice codes: a letter and five digits', () => {
    expect(isValidOdsCode('A81001', 'gp_practice')).toBe(true);
    expect(isValidOdsCode('Y02906', 'gp_practice')).toBe(true);
    expect(isValidOdsCode('RX1', 'gp_practice')).toBe(false);
    expect(isValidOdsCode('A8100', 'gp_practice')).toBe(false);
    expect(isValidOdsCode('a81001', 'gp_practice')).toBe(false);
  });

  it('accepts trust codes: R or T and two letters or digits', () => {
    expect(isValidOdsCode('RX1', 'trust')).toBe(true);
    expect(isValidOdsCode('R0A', 'trust')).toBe(true);
    expect(isValidOdsCode('TAF', 'trust')).toBe(true);
    expect(isValidOdsCode('RX1AB', 'trust')).toBe(false);
    expect(isValidOdsCode('AX1', 'trust')).toBe(false);
  });

  it('accepts site codes: a trust code and two more characters', () => {
    expect(isValidOdsCode('RX1AB', 'site')).toBe(true);
    expect(isValidOdsCode('RRK02', 'site')).toBe(true);
    expect(isValidOdsCode('RX1', 'site')).toBe(false);
    expect(isValidOdsCode('RX1ABC', 'site')).toBe(false);
  });

  it('accepts any of the three kinds by default', () => {
    for (const code of ['A81001', 'RX1', 'R0A', 'RX1AB']) expect(isValidOdsCode(code)).toBe(true);
    for (const code of ['', 'RX', 'RX1A', 'A810011', 'rx1', 'RX1 AB']) expect(isValidOdsCode(code)).toBe(false);
  });
});
