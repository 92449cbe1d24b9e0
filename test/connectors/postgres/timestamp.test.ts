import { describe, expect, it } from 'vitest';
import { mayHaveZone, utcTimestamp } from '../../../src/connectors/postgres/timestamp.js';

describe('utcTimestamp', () => {
  it('shifts zoned values to UTC and drops the zone, keeping fractional seconds as written', () => {
    expect(utcTimestamp('2024-03-31T01:30:00+01:00')).toBe('2024-03-31T00:30:00');
    expect(utcTimestamp('2024-01-01T00:15:00.123456-05:30')).toBe('2024-01-01T05:45:00.123456');
    expect(utcTimestamp('2023-12-31 23:59:59Z')).toBe('2023-12-31T23:59:59');
    expect(utcTimestamp('2024-02-29T10:00:00+00')).toBe('2024-02-29T10:00:00');
    expect(utcTimestamp('2024-03-01T00:30:00+0100')).toBe('2024-02-29T23:30:00');
  });

  it('leaves unzoned values alone apart from the separator', () => {
    expect(utcTimestamp('2024-03-01T09:30:00')).toBe('2024-03-01T09:30:00');
    expect(utcTimestamp('2024-03-01T09:30:00.5', ' ')).toBe('2024-03-01 09:30:00.5');
    expect(utcTimestamp('2024-03-01 09:30', 'T')).toBe('2024-03-01T09:30');
  });
});

describe('mayHaveZone', () => {
  it('flags every zoned form and no plain date or time', () => {
    for (const v of ['2024-01-01T00:00:00Z', '2024-01-01 00:00:00+01', '2024-01-01T00:00:00.5-0530', '2024-01-01T00:00:00+05:30']) expect(mayHaveZone(v)).toBe(true);
    for (const v of ['2024-01-01', '2024-01-01T00:00', '2024-01-01 00:00:00', '2024-01-01T00:00:00.123456']) expect(mayHaveZone(v)).toBe(false);
  });
});
