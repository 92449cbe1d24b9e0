import { describe, expect, it } from 'vitest';
import { changeAbove, comparePositions, decodePosition, encodePosition, readFrom } from '../../src/sync/watermark-position.js';
import { FerryError } from '../../src/errors.js';

describe('watermark positions', () => {
  it('encode as JSON with tables in name order, and decode back', () => {
    const text = encodePosition({ n: 7, w: { visit: '12', patient: '2024-01-01 10:00:00', ward: null } });
    expect(text).toBe('{"n":7,"w":{"patient":"2024-01-01 10:00:00","visit":"12","ward":null}}');
    expect(decodePosition(text)).toEqual({ n: 7, w: { patient: '2024-01-01 10:00:00', visit: '12', ward: null } });
    // Hostile watermark text survives the trip.
    const hostile = '\'; DROP TABLE x; --\\"';
    expect(decodePosition(encodePosition({ n: 1, w: { t: hostile } })).w.t).toBe(hostile);
  });

  it('compare by poll number only', () => {
    const a = encodePosition({ n: 2, w: { t: '99' } });
    const b = encodePosition({ n: 10, w: { t: '1' } });
    expect(comparePositions(a, b)).toBeLessThan(0);
    expect(comparePositions(b, a)).toBeGreaterThan(0);
    expect(comparePositions(a, encodePosition({ n: 2, w: { t: '5' } }))).toBe(0);
  });

  it('refuse text that is not a watermark position without quoting it', () => {
    for (const bad of ['0/16B3748', 'binlog.000003:4711', '{"n":-1,"w":{}}', '{"n":1}', '{"n":1,"w":{"t":5}}', '{"n":1,"w":{},"x":1}', 'secret-value']) {
      try {
        decodePosition(bad);
        throw new Error(`accepted ${bad}`);
      } catch (err) {
        expect(err).toBeInstanceOf(FerryError);
        expect((err as FerryError).code).toBe('sync.position_invalid');
        expect((err as FerryError).message).not.toContain('secret');
      }
    }
  });
});

describe('where a poll reads from (overlap)', () => {
  it('integers and text: the watermark itself; no watermark: from the start', () => {
    expect(readFrom('42', 'integer', 5)).toBe('42');
    expect(readFrom("O'Brien", 'text', 5)).toBe("O'Brien");
    expect(readFrom(null, 'timestamp', 5)).toBeUndefined();
    expect(readFrom(undefined, 'integer', 5)).toBeUndefined();
  });

  it('timestamps: back by the overlap, keeping separator, fraction and zone', () => {
    expect(readFrom('2024-01-01 10:00:03', 'timestamp', 5)).toBe('2024-01-01 09:59:58');
    expect(readFrom('2024-01-01T00:00:02.123456', 'timestamp', 5)).toBe('2023-12-31T23:59:57.123456');
    expect(readFrom('2024-03-01 00:00:00+00', 'timestamp', 1)).toBe('2024-02-29 23:59:59+00');
    expect(readFrom('2024-01-01 10:00:00Z', 'timestamp', 0)).toBe('2024-01-01 10:00:00Z');
    expect(readFrom('0099-01-01 00:00:00', 'timestamp', 0)).toBe('0099-01-01 00:00:00');
    expect(readFrom('2024-01-01', 'timestamp', 60)).toBe('2023-12-31 23:59:00');
  });

  it('dates: back whole days, at least one, so a row changed later on the same day is read', () => {
    expect(readFrom('2024-03-01', 'date', 5)).toBe('2024-02-29');
    expect(readFrom('2024-03-01', 'date', 0)).toBe('2024-02-29');
    expect(readFrom('2024-03-01', 'date', 2 * 86_400 + 1)).toBe('2024-02-27');
  });

  it('refuses a time watermark that is not ISO', () => {
    expect(() => readFrom('1704103200', 'timestamp', 5)).toThrow(FerryError);
    expect(() => readFrom('01/02/2024', 'date', 5)).toThrow(/not an ISO date/);
  });
});

describe('changeAbove', () => {
  it('compares integers as numbers and ISO times as text, either separator', () => {
    expect(changeAbove('10', '9', 'integer')).toBe(true);
    expect(changeAbove('-10', '9', 'integer')).toBe(false);
    expect(changeAbove('9223372036854775807', '9223372036854775806', 'integer')).toBe(true);
    expect(changeAbove('2024-01-01T10:00:01', '2024-01-01 10:00:00', 'timestamp')).toBe(true);
    expect(changeAbove('2024-01-01 10:00:00', '2024-01-01 10:00:00', 'timestamp')).toBe(false);
    expect(changeAbove('2024-01-01 10:00:00.5', '2024-01-01 10:00:00', 'timestamp')).toBe(true);
    expect(changeAbove('2024-01-02', '2024-01-01', 'date')).toBe(true);
  });
});
