import { describe, expect, it } from 'vitest';
import { completedYears, dateProblem, isCalendarDate, isIsoDate, isIsoDateTime, isoDatePart, isoInstant } from '../../src/rules/dates.js';

describe('isCalendarDate', () => {
  it('knows leap years, including the century rules', () => {
    expect(isCalendarDate(2024, 2, 29)).toBe(true);
    expect(isCalendarDate(2023, 2, 29)).toBe(false);
    expect(isCalendarDate(1900, 2, 29)).toBe(false);
    expect(isCalendarDate(2000, 2, 29)).toBe(true);
  });

  it('rejects month 13, day 0 and the 31st of a 30-day month', () => {
    expect(isCalendarDate(2024, 13, 1)).toBe(false);
    expect(isCalendarDate(2024, 1, 0)).toBe(false);
    expect(isCalendarDate(2024, 4, 31)).toBe(false);
  });
});

describe('ISO layout', () => {
  it('tells dates from date-times', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2024-02-29T10:00:00')).toBe(false);
    expect(isIsoDateTime('2024-02-29T10:00:00')).toBe(true);
    expect(isIsoDateTime('2024-02-29 10:00')).toBe(true);
    expect(isIsoDateTime('2024-02-29T10:00:00.123Z')).toBe(true);
    expect(isIsoDateTime('2024-02-29T10:00:00+01:00')).toBe(true);
  });

  it('rejects impossible times and other layouts', () => {
    expect(isIsoDateTime('2024-02-29T24:00:00')).toBe(false);
    expect(isIsoDateTime('2024-02-29T10:60')).toBe(false);
    expect(isIsoDateTime('29/02/2024')).toBe(false);
    expect(isIsoDateTime('20240229')).toBe(false);
  });

  it('reads the date part of a valid value only', () => {
    expect(isoDatePart('2024-02-29T10:00:00Z')).toBe('2024-02-29');
    expect(isoDatePart('2023-02-29')).toBeNull();
  });
});

describe('isoInstant', () => {
  it('puts a date at midnight and applies zone offsets', () => {
    expect(isoInstant('2024-01-01')).toBe(isoInstant('2024-01-01T00:00:00'));
    expect(isoInstant('2024-06-01T10:00:00+01:00')).toBe(isoInstant('2024-06-01T09:00:00Z'));
    expect(isoInstant('2024-06-01T10:00:00-0230')).toBe(isoInstant('2024-06-01T12:30:00'));
  });

  it('keeps years before 100 exact', () => {
    expect(isoInstant('0050-01-01')).toBe(Date.parse('0050-01-01T00:00:00Z'));
    expect(isoInstant('0050-01-01')).not.toBe(isoInstant('1950-01-01'));
  });

  it('returns null for a value that is not a real ISO date', () => {
    expect(isoInstant('2023-02-29')).toBeNull();
    expect(isoInstant('yesterday')).toBeNull();
  });
});

describe('completedYears', () => {
  it('counts a year only once the birthday is reached', () => {
    expect(completedYears('2000-06-15', '2018-06-14')).toBe(17);
    expect(completedYears('2000-06-15', '2018-06-15')).toBe(18);
    expect(completedYears('2000-06-15', '1999-06-15')).toBe(-1);
  });
});

describe('dateProblem', () => {
  const today = '2025-03-10';

  it('passes a real date between the minimum and today', () => {
    expect(dateProblem('1880-01-01', '1880-01-01', today)).toBeNull();
    expect(dateProblem('2025-03-10', '1880-01-01', today)).toBeNull();
    expect(dateProblem('2025-03-10T23:59:59', '1880-01-01', today)).toBeNull();
  });

  it('names what is wrong', () => {
    expect(dateProblem('10/03/2025', '1880-01-01', today)).toBe('format');
    expect(dateProblem('2025-02-30', '1880-01-01', today)).toBe('calendar');
    expect(dateProblem('2025-03-11', '1880-01-01', today)).toBe('future');
    expect(dateProblem('1879-12-31', '1880-01-01', today)).toBe('too_early');
  });

  it('allows future dates when no today is given', () => {
    expect(dateProblem('2099-01-01', '1880-01-01')).toBeNull();
  });
});

describe('ISO scanning agrees with the platform', () => {
  it('gives the same instant as Date.parse across centuries, leap days and zones', () => {
    const samples = [
      '1880-01-01',
      '1900-02-28',
      '1970-01-01',
      '2000-02-29',
      '2024-12-31',
      '2400-02-29',
      '0001-01-01',
      '2024-03-31T01:30:00',
      '2024-06-01T23:59:59.999',
      '2024-06-01T10:00:00.5',
      '2024-06-01T10:00',
      '2024-06-01T10:00:00Z',
      '2024-06-01T10:00:00+05:30',
      '2024-06-01T10:00:00-08:00',
      '2024-06-01T10:00:00.123456789Z',
    ];
    for (const s of samples) {
      const withZone = /Z|[+-]\d\d:\d\d$/.test(s) ? s : s.length === 10 ? `${s}T00:00:00Z` : `${s}Z`;
      expect(isoInstant(s), s).toBe(Date.parse(withZone));
    }
  });

  it('rejects malformed times and zones', () => {
    for (const s of [
      '2024-06-01T',
      '2024-06-01T10',
      '2024-06-01T10:0',
      '2024-06-01T10:00:',
      '2024-06-01T10:00:00.',
      '2024-06-01T10:00:00.1234567890',
      '2024-06-01T10:00:00+01:',
      '2024-06-01T10:00:00+1',
      '2024-06-01T10:00:00ZZ',
      '2024-06-01X10:00',
      '2024-6-01',
      '２024-06-01',
    ]) {
      expect(isIsoDateTime(s), s).toBe(false);
    }
    expect(isIsoDateTime('2024-06-01T10:00:00+0100')).toBe(true);
    expect(isIsoDateTime('2024-06-01T10:00:00-01')).toBe(true);
  });
});
