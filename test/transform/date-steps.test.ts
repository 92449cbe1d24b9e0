import { describe, expect, it } from 'vitest';
import { failure, run } from './harness.js';

const LEGACY = [{ parse_date: { formats: ['dd/mm/yyyy', 'yyyymmdd', 'dd-mm-yy'], pivot: 25 } }];

describe('parse_date', () => {
  it('uses the first format that matches', () => {
    expect(run(LEGACY, '07/03/1984')).toBe('1984-03-07');
    expect(run(LEGACY, '19840307')).toBe('1984-03-07');
    expect(run(LEGACY, '07-03-84')).toBe('1984-03-07');
    expect(run(LEGACY, '07-03-24')).toBe('2024-03-07');
  });

  it('defaults the two-digit year pivot to 30', () => {
    const steps = [{ parse_date: { formats: ['dd/mm/yy'] } }];
    expect(run(steps, '01/01/30')).toBe('2030-01-01');
    expect(run(steps, '01/01/31')).toBe('1931-01-01');
  });

  it('parses timestamps when the format has a time', () => {
    const steps = [{ parse_date: { formats: ['dd/mm/yyyy HH:MI', 'dd/mm/yyyy'] } }];
    expect(run(steps, '29/02/2024 08:30')).toBe('2024-02-29T08:30:00');
    expect(run(steps, '29/02/2024')).toBe('2024-02-29');
  });

  it('reads numbers by their string form', () => {
    expect(run(LEGACY, 19840307)).toBe('1984-03-07');
  });

  it('fails on dates that are not real, wrong widths, trailing junk and blanks', () => {
    for (const bad of ['31/02/2020', '29/02/2023', '7/3/1984', '07/03/1984 ', '19840307x', '', '   ', 'UNKNOWN']) {
      expect(run(LEGACY, bad, { name: 'date_of_birth' }), JSON.stringify(bad)).toMatchObject(failure('date_of_birth.parse_date', 'transform.parse_date'));
    }
  });

  it('names the formats it tried in the failure message', () => {
    const r = run(LEGACY, '31/02/2020');
    expect(r).toMatchObject({ message: expect.stringContaining('dd/mm/yyyy, yyyymmdd, dd-mm-yy') });
  });

  it('passes null through and fails on binary data', () => {
    expect(run(LEGACY, null)).toBeNull();
    expect(run(LEGACY, Buffer.from('07/03/1984'))).toMatchObject(failure('f.parse_date', 'transform.type'));
  });

  it('rejects a malformed format when compiling', () => {
    expect(() => run([{ parse_date: { formats: ['DD/MM/YYYY'] } }], 'x')).toThrowError(expect.objectContaining({ code: 'contract.bad_date_format' }));
  });
});

describe('format_date', () => {
  it('formats ISO dates and timestamps by the pattern', () => {
    expect(run([{ format_date: { format: 'dd/mm/yyyy' } }], '1984-03-07')).toBe('07/03/1984');
    expect(run([{ format_date: { format: 'yyyymmddHHMISS' } }], '2024-02-29T08:30:05')).toBe('20240229083005');
  });

  it('round-trips what parse_date produced', () => {
    expect(run([...LEGACY, { format_date: { format: 'yyyymmdd' } }], '07/03/1984')).toBe('19840307');
  });

  it('fails on text that is not an ISO date, including blanks', () => {
    for (const bad of ['07/03/1984', '2023-02-29', '', ' ']) {
      expect(run([{ format_date: { format: 'dd/mm/yyyy' } }], bad), JSON.stringify(bad)).toMatchObject(failure('f.format_date', 'transform.format_date'));
    }
  });

  it('passes null through', () => {
    expect(run([{ format_date: { format: 'dd/mm/yyyy' } }], null)).toBeNull();
  });
});
