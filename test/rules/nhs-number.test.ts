import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { isValidNhsNumber, nhsNumberCheckDigit, nhsNumberDigits } from '../../src/rules/nhs-number.js';

interface Vector {
  value: string;
  source_asserts: string;
  mod11_after_removing_spaces: string;
  source_repo: string;
  note: string;
}

const vectors: Vector[] = parse(readFileSync(fileURLToPath(new URL('../fixtures/nhs/nhs_number_test_vectors.csv', import.meta.url))), {
  columns: true,
  skip_empty_lines: false,
});

// Ferry accepts the 3-3-4 grouping with hyphens as well as spaces (legacy PAS exports use both);
// the Rust crate that contributed this row rejects hyphens.
const FERRY_ACCEPTS = new Set(['012-345-6789']);

function expected(v: Vector): boolean {
  if (FERRY_ACCEPTS.has(v.value)) return true;
  // Layout errors (stray, doubled or misplaced spaces) are rejected even when the digits pass.
  if (v.source_asserts === 'parse-error') return false;
  // The modulus-11 column, not the source's claim, decides: it settles the disputed 9991234560.
  return v.mod11_after_removing_spaces === 'valid';
}

describe('NHS number test vectors', () => {
  it('reads every row of the published vectors file', () => {
    expect(vectors).toHaveLength(46);
  });

  it.each(vectors.map((v) => [JSON.stringify(v.value), v.source_asserts, v]))('%s (%s) is judged as the modulus-11 rule says', (_l, _a, v) => {
    expect(isValidNhsNumber((v as Vector).value)).toBe(expected(v as Vector));
  });
});

describe('isValidNhsNumber', () => {
  it('accepts the published example 943 476 5919 with and without spaces', () => {
    expect(isValidNhsNumber('943 476 5919')).toBe(true);
    expect(isValidNhsNumber('9434765919')).toBe(true);
    expect(isValidNhsNumber('943-476-5919')).toBe(true);
  });

  it('rejects a single changed digit and a transposition', () => {
    expect(isValidNhsNumber('9434765918')).toBe(false);
    expect(isValidNhsNumber('9434765991')).toBe(false);
  });

  it('rejects mixed separators and non-ASCII digits', () => {
    expect(isValidNhsNumber('943 476-5919')).toBe(false);
    expect(isValidNhsNumber('９４３４７６５９１９')).toBe(false);
  });
});

describe('nhsNumberCheckDigit', () => {
  it('gives the check digit of a stem', () => {
    expect(nhsNumberCheckDigit('943476591')).toBe(9);
    expect(nhsNumberCheckDigit('999999999')).toBe(9);
  });

  it('gives 0 when the remainder is 0 (check value 11)', () => {
    expect(nhsNumberCheckDigit('000000000')).toBe(0);
    expect(nhsNumberCheckDigit('943476508')).toBe(0);
    expect(isValidNhsNumber('9434765080')).toBe(true);
  });

  it('returns null when the check value would be 10, so the stem is never issued', () => {
    expect(nhsNumberCheckDigit('999123456')).toBeNull();
    expect(nhsNumberCheckDigit('999000000')).toBeNull();
  });

  it('returns null for stems that are not nine digits', () => {
    expect(nhsNumberCheckDigit('12345678')).toBeNull();
    expect(nhsNumberCheckDigit('12345678a')).toBeNull();
  });

  it('agrees with the validator for every stem: one completion valid, or none when null', () => {
    for (let n = 999_000_000; n < 999_000_000 + 2000; n++) {
      const stem = String(n);
      const check = nhsNumberCheckDigit(stem);
      const valid = [...'0123456789'].filter((d) => isValidNhsNumber(stem + d));
      expect(valid).toEqual(check === null ? [] : [String(check)]);
    }
  });
});

describe('nhsNumberDigits', () => {
  it('strips the 3-3-4 grouping and rejects other layouts', () => {
    expect(nhsNumberDigits('943 476 5919')).toBe('9434765919');
    expect(nhsNumberDigits('94 3476 5919')).toBeNull();
  });
});
