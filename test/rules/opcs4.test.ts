import { describe, expect, it } from 'vitest';
import { isValidOpcs4, normaliseOpcs4 } from '../../src/rules/opcs4.js';

describe('isValidOpcs4', () => {
  it.each(['W40.1', 'W401', 'K40.1', 'H01.9', 'U05.1', 'Y53.4', 'Z94.2', 'X62'])('accepts %s', (code) => {
    expect(isValidOpcs4(code)).toBe(true);
  });

  it.each([
    ['I12.1', 'OPCS-4 has no chapter I'],
    ['O12.1', 'OPCS-4 has no chapter O'],
    ['W40.12', 'one subdivision digit only'],
    ['W4.1', 'two digits after the letter'],
    ['W40.', 'dot without a digit'],
    ['w40.1', 'lower case'],
    ['', 'empty'],
  ])('rejects %j (%s)', (code) => {
    expect(isValidOpcs4(code)).toBe(false);
  });
});

describe('normaliseOpcs4', () => {
  it('writes the fourth character after a dot', () => {
    expect(normaliseOpcs4('W401')).toBe('W40.1');
    expect(normaliseOpcs4('W40.1')).toBe('W40.1');
    expect(normaliseOpcs4('X62')).toBe('X62');
    expect(normaliseOpcs4('I121')).toBeNull();
  });
});
