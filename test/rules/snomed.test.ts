import { describe, expect, it } from 'vitest';
import { conceptIdProblem, isValidSctid, isValidSnomedConceptId, sctidPartition } from '../../src/rules/snomed.js';
import { verhoeffCheckDigit } from '../../src/rules/verhoeff.js';

describe('isValidSnomedConceptId', () => {
  it.each([
    ['22298006', 'myocardial infarction'],
    ['195967001', 'asthma'],
    ['38341003', 'hypertensive disorder'],
    ['73211009', 'diabetes mellitus'],
    ['900000000000207008', 'core module, a long-form id in the core namespace'],
    ['999000011000000103', 'a UK extension concept'],
  ])('accepts %s (%s)', (id) => {
    expect(isValidSnomedConceptId(id)).toBe(true);
  });

  it('rejects a wrong check digit', () => {
    expect(isValidSnomedConceptId('22298007')).toBe(false);
    expect(conceptIdProblem('22298007')).toBe('check_digit');
  });

  it('rejects ids of other component types, whatever their check digit', () => {
    // Partition 01 is a description id, 02 a relationship id.
    for (const stem of ['12345601', '12345602', '1234567890111']) {
      const id = stem + verhoeffCheckDigit(stem);
      expect(isValidSctid(id)).toBe(true);
      expect(isValidSnomedConceptId(id)).toBe(false);
      expect(conceptIdProblem(id)).toBe('partition');
    }
  });

  it('rejects ids that are too short, too long or start with zero', () => {
    for (const id of ['1006', '02229800', '1'.repeat(19), '2229800 6', '']) {
      expect(conceptIdProblem(id)).toBe('format');
    }
  });

  it('rejects a long-form id too short to hold a namespace', () => {
    const stem = '1234510';
    expect(conceptIdProblem(stem + verhoeffCheckDigit(stem))).toBe('format');
  });
});

describe('sctidPartition', () => {
  it('reads the second- and third-last digits', () => {
    expect(sctidPartition('22298006')).toBe('00');
    expect(sctidPartition('999000011000000103')).toBe('10');
  });
});
