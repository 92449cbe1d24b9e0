import { describe, expect, it } from 'vitest';
import { detectDateFormat, valueClasses } from '../../src/profile/patterns.js';

describe('value pattern classes', () => {
  it.each([
    ['9434765919', 'nhs_number'],
    ['943 476 5919', 'nhs_number'],
    ['SW1A 1AA', 'postcode'],
    ['A81001', 'ods_code'],
    ['RX1', 'ods_code'],
    ['J45.9', 'icd10'],
    ['W40.1', 'opcs4'],
    ['22298006', 'snomed_ct'],
    ['2160-0', 'loinc'],
    ['2024-03-01T10:15:00Z', 'timestamp'],
    ['09:30', 'time'],
    ['Y', 'boolean'],
    ['42', 'integer'],
    ['3.14', 'decimal'],
    ['007', 'numeric_code'],
    ['GSURG', 'code'],
    ['Latex allergy, severe', 'free_text'],
  ])('classes %s as %s', (value, cls) => {
    expect(valueClasses(value)).toContain(cls);
  });

  it('does not call a mis-keyed NHS number (wrong check digit) an NHS number', () => {
    expect(valueClasses('9434765918')).not.toContain('nhs_number');
  });

  it('does not call a date or free text a local code', () => {
    expect(valueClasses('31/07/1968')).not.toContain('code');
    expect(valueClasses('Dooley')).not.toContain('code');
  });
});

describe('date format detection', () => {
  it('picks day-first when a day above 12 rules out month-first', () => {
    const d = detectDateFormat(['01/02/2020', '25/12/2019', '03/04/2021']);
    expect(d).toMatchObject({ format: 'dd/mm/yyyy', ambiguousWith: [] });
    expect(d!.fraction).toBeCloseTo(1);
  });

  it('picks month-first when a month position holds a value above 12', () => {
    expect(detectDateFormat(['12/25/2019', '01/02/2020', '07/31/2021'])).toMatchObject({ format: 'mm/dd/yyyy', ambiguousWith: [] });
  });

  it('reports day-first with month-first as ambiguous when no value tells them apart', () => {
    expect(detectDateFormat(['01/02/2020', '03/04/2021'])).toMatchObject({ format: 'dd/mm/yyyy', ambiguousWith: ['mm/dd/yyyy'] });
  });

  it('detects compact, ISO and two-digit-year layouts and ISO timestamps', () => {
    expect(detectDateFormat(['19680731', '20010115'])?.format).toBe('yyyymmdd');
    expect(detectDateFormat(['1968-07-31', '2001-01-15'])?.format).toBe('yyyy-mm-dd');
    expect(detectDateFormat(['31/07/68', '15/01/01'])?.format).toBe('dd/mm/yy');
    expect(detectDateFormat(['2023-01-27T16:17:47Z'])).toMatchObject({ format: 'iso8601', hasTime: true });
  });

  it('detects a time of day after any day-month-year layout, with or without seconds', () => {
    expect(detectDateFormat(['27-01-2023 16:17', '03-02-2023 09:05'])).toMatchObject({ format: 'dd-mm-yyyy HH:MI', hasTime: true, fraction: 1 });
    expect(detectDateFormat(['27.01.2023 16:17:47'])).toMatchObject({ format: 'dd.mm.yyyy HH:MI:SS', hasTime: true });
    expect(detectDateFormat(['01-27-2023 16:17'])?.format).toBe('mm-dd-yyyy HH:MI');
    expect(detectDateFormat(['27-01-2023', '03-02-2023'])).toMatchObject({ format: 'dd-mm-yyyy', hasTime: false });
  });

  it('reads SQL Server datetimes with fractions of a second as ISO timestamps, and leaves whole seconds to the layout', () => {
    expect(detectDateFormat(['2023-01-27 16:17:47.123', '2001-12-31 00:00:00.000'])).toMatchObject({ format: 'iso8601', hasTime: true, fraction: 1 });
    expect(detectDateFormat(['2023-01-27 16:17:47', '2001-12-31 00:00:00'])?.format).toBe('yyyy-mm-dd HH:MI:SS');
  });

  it('measures the share of values that parse, so defects show up as a fraction below 1', () => {
    expect(detectDateFormat(['31/07/1968', '15/01/2001', 'unknown', '00/00/0000'])?.fraction).toBeCloseTo(0.5);
  });

  it('finds no date layout in text', () => {
    expect(detectDateFormat(['abc', 'def'])).toBeNull();
  });
});
