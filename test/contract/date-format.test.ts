import { describe, expect, it } from 'vitest';
import { FerryError } from '../../src/errors.js';
import { compileDateFormat } from '../../src/contract/date-format.js';

describe('compileDateFormat: parsing legacy dates', () => {
  it('parses dd/mm/yyyy to an ISO date', () => {
    const f = compileDateFormat('dd/mm/yyyy');
    expect(f.hasTime).toBe(false);
    expect(f.parse('07/03/1984', 30)).toBe('1984-03-07');
  });

  it('parses yyyymmdd with no separators', () => {
    expect(compileDateFormat('yyyymmdd').parse('20240131', 30)).toBe('2024-01-31');
  });

  it('puts two-digit years at or below the pivot in the 2000s and above it in the 1900s', () => {
    const f = compileDateFormat('dd-mm-yy');
    expect(f.parse('01-02-30', 30)).toBe('2030-02-01');
    expect(f.parse('01-02-31', 30)).toBe('1931-02-01');
    expect(f.parse('01-02-00', 30)).toBe('2000-02-01');
    expect(f.parse('01-02-99', 30)).toBe('1999-02-01');
    expect(f.parse('01-02-31', 50)).toBe('2031-02-01');
  });

  it('parses a date with hours and minutes to an ISO timestamp with zero seconds', () => {
    const f = compileDateFormat('dd/mm/yyyy HH:MI');
    expect(f.hasTime).toBe(true);
    expect(f.parse('29/02/2024 23:59', 30)).toBe('2024-02-29T23:59:00');
  });

  it('parses seconds when the pattern has them', () => {
    expect(compileDateFormat('yyyy-mm-dd HH:MI:SS').parse('2020-12-31 00:00:07', 30)).toBe('2020-12-31T00:00:07');
  });

  it('accepts 29 February only in leap years', () => {
    const f = compileDateFormat('dd/mm/yyyy');
    expect(f.parse('29/02/2024', 30)).toBe('2024-02-29');
    expect(f.parse('29/02/2000', 30)).toBe('2000-02-29');
    expect(f.parse('29/02/2023', 30)).toBeNull();
    expect(f.parse('29/02/1900', 30)).toBeNull();
  });

  it('rejects dates that are not on the calendar', () => {
    const f = compileDateFormat('dd/mm/yyyy');
    for (const text of ['31/02/2020', '31/04/2020', '00/01/2020', '01/00/2020', '01/13/2020', '32/01/2020', '01/01/0000']) {
      expect(f.parse(text, 30), text).toBeNull();
    }
  });

  it('rejects impossible times', () => {
    const f = compileDateFormat('dd/mm/yyyy HH:MI:SS');
    expect(f.parse('01/01/2020 24:00:00', 30)).toBeNull();
    expect(f.parse('01/01/2020 23:60:00', 30)).toBeNull();
    expect(f.parse('01/01/2020 23:59:60', 30)).toBeNull();
    expect(f.parse('01/01/2020 00:00:00', 30)).toBe('2020-01-01T00:00:00');
  });

  it('requires exactly the width of each token', () => {
    const f = compileDateFormat('dd/mm/yyyy');
    for (const text of ['7/3/1984', '07/3/1984', '07/03/84', '007/03/1984', '']) {
      expect(f.parse(text, 30), text).toBeNull();
    }
  });

  it('rejects trailing junk, leading spaces and wrong separators', () => {
    const f = compileDateFormat('dd/mm/yyyy');
    for (const text of ['07/03/1984x', ' 07/03/1984', '07/03/1984 ', '07-03-1984', '07/03/19a4', '０7/03/1984']) {
      expect(f.parse(text, 30), text).toBeNull();
    }
  });
});

describe('compileDateFormat: formatting ISO dates', () => {
  it('formats an ISO date by the pattern', () => {
    expect(compileDateFormat('dd/mm/yyyy').format('1984-03-07')).toBe('07/03/1984');
    expect(compileDateFormat('yyyymmdd').format('2024-01-31')).toBe('20240131');
    expect(compileDateFormat('dd.mm.yy').format('1999-12-31')).toBe('31.12.99');
  });

  it('formats timestamps and fills missing times with zeros', () => {
    const f = compileDateFormat('dd/mm/yyyy HH:MI:SS');
    expect(f.format('2024-02-29T13:05:09')).toBe('29/02/2024 13:05:09');
    expect(f.format('2024-02-29 13:05:09.123')).toBe('29/02/2024 13:05:09');
    expect(f.format('2024-02-29')).toBe('29/02/2024 00:00:00');
  });

  it('returns null for text that is not a valid ISO date', () => {
    const f = compileDateFormat('dd/mm/yyyy');
    for (const text of ['2023-02-29', '07/03/1984', '2024-1-5', '2024-01-05Z', '2024-01-05T10:00:00+01:00', '2024-01-05T25:00']) {
      expect(f.format(text), text).toBeNull();
    }
  });
});

describe('compileDateFormat: malformed patterns', () => {
  function codeOf(pattern: string): string {
    try {
      compileDateFormat(pattern);
    } catch (err) {
      expect(err).toBeInstanceOf(FerryError);
      expect((err as FerryError).kind).toBe('contract');
      expect((err as FerryError).message).toContain('yyyy, yy, mm, dd, HH, MI, SS');
      return (err as FerryError).code;
    }
    return 'accepted';
  }

  it('rejects letters that are not tokens', () => {
    expect(codeOf('DD/MM/YYYY')).toBe('contract.bad_date_format');
    expect(codeOf('dd/mon/yyyy')).toBe('contract.bad_date_format');
    expect(codeOf('d/m/yyyy')).toBe('contract.bad_date_format');
    expect(codeOf('yyyy-mm-ddTHH:MI')).toBe('contract.bad_date_format');
  });

  it('rejects patterns missing a year, month or day, or repeating a token', () => {
    expect(codeOf('dd/mm')).toBe('contract.bad_date_format');
    expect(codeOf('mm/yyyy')).toBe('contract.bad_date_format');
    expect(codeOf('dd/mm/yyyy/yy')).toBe('contract.bad_date_format');
    expect(codeOf('dd/dd/mm/yyyy')).toBe('contract.bad_date_format');
    expect(codeOf('dd/mm/yyyy MI')).toBe('contract.bad_date_format');
  });

  it('accepts punctuation and spaces as literals', () => {
    expect(codeOf('[dd.mm.yyyy] HH:MI')).toBe('accepted');
  });
});
