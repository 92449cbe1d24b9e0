import { describe, expect, it } from 'vitest';
import { dmdIdProblem, isValidDmdId } from '../../src/rules/dmd.js';

describe('isValidDmdId', () => {
  it.each([
    ['90332006', 'core concept, short form'],
    ['322236009', 'core concept, short form'],
    ['42109611000001109', 'UK drug extension id (long form, namespace 1000001)'],
    ['39720311000001101', 'UK drug extension id (long form, namespace 1000001)'],
  ])('accepts %s (%s)', (id) => {
    expect(isValidDmdId(id)).toBe(true);
  });

  it('rejects a wrong check digit in a long-form id', () => {
    expect(isValidDmdId('42109611000001108')).toBe(false);
    expect(dmdIdProblem('42109611000001108')).toBe('check_digit');
  });

  it('rejects codes that are not SNOMED-format ids', () => {
    expect(dmdIdProblem('0322236009')).toBe('format');
    expect(dmdIdProblem('PARA500')).toBe('format');
  });
});
