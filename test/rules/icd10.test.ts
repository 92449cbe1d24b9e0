import { describe, expect, it } from 'vitest';
import { isValidIcd10, normaliseIcd10 } from '../../src/rules/icd10.js';

describe('isValidIcd10', () => {
  it.each(['J45.9', 'J459', 'A00', 'A00.0', 'R69X', 'M545', 'M54.5', 'U07.1', 'M23.36', 'M2336'])('accepts %s', (code) => {
    expect(isValidIcd10(code)).toBe(true);
  });

  it.each(['J4', 'J45.', 'J45.123', '145.9', 'JJ45', 'J45X9', 'J45.X', 'j45.9', ' J45.9', ''])('rejects %j', (code) => {
    expect(isValidIcd10(code)).toBe(false);
  });
});

describe('normaliseIcd10', () => {
  it('turns the NHS undotted form into the dotted form', () => {
    expect(normaliseIcd10('J459')).toBe('J45.9');
    expect(normaliseIcd10('M2336')).toBe('M23.36');
  });

  it('drops the X filler of a three-character category', () => {
    expect(normaliseIcd10('R69X')).toBe('R69');
  });

  it('leaves dotted and three-character codes as they are', () => {
    expect(normaliseIcd10('J45.9')).toBe('J45.9');
    expect(normaliseIcd10('A00')).toBe('A00');
  });

  it('returns null for codes that are not ICD-10', () => {
    expect(normaliseIcd10('J45.X')).toBeNull();
  });
});
