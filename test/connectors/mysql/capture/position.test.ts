import { describe, expect, it } from 'vitest';
import { bytesBetween, checkStart } from '../../../../src/connectors/mysql/capture/binlogs.js';
import { comparePositions, formatPosition, parsePosition } from '../../../../src/connectors/mysql/capture/position.js';
import { FerryError } from '../../../../src/errors.js';

const p = parsePosition;
const logs = [
  { file: 'mariadb-bin.000009', size: 1000 },
  { file: 'mariadb-bin.000010', size: 500 },
  { file: 'mariadb-bin.000011', size: 300 },
];

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof FerryError ? err.code : 'not a FerryError';
  }
  return undefined;
}

describe('binlog positions', () => {
  it('round-trips FILE:POS and orders by the file number, then the offset', () => {
    expect(formatPosition(p('mariadb-bin.000003:4711'))).toBe('mariadb-bin.000003:4711');
    expect(comparePositions(p('bin.000009:900'), p('bin.000010:4'))).toBeLessThan(0);
    expect(comparePositions(p('bin.000010:4'), p('bin.000010:4'))).toBe(0);
    expect(comparePositions(p('bin.000010:400'), p('bin.000010:4'))).toBeGreaterThan(0);
    // The number, not the text: a counter past 999999 gains a digit.
    expect(comparePositions(p('bin.999999:9'), p('bin.1000000:4'))).toBeLessThan(0);
  });

  it('refuses text that is not a binlog position', () => {
    for (const bad of ['0/16B3748', 'bin.000001', 'bin:12', 'bin.000001:x', '']) expect(code(() => p(bad))).toBe('sync.bad_position');
  });

  it('counts the bytes between a position and the head across files', () => {
    expect(bytesBetween(logs, p('mariadb-bin.000009:900'), p('mariadb-bin.000011:120'))).toBe(100 + 500 + 120);
    expect(bytesBetween(logs, p('mariadb-bin.000011:120'), p('mariadb-bin.000011:120'))).toBe(0);
    expect(bytesBetween(logs, p('mariadb-bin.000008:4'), p('mariadb-bin.000011:120'))).toBeNull();
  });

  it('starts only where the history after the position is complete on disk', () => {
    const head = p('mariadb-bin.000011:300');
    expect(code(() => checkStart(logs, p('mariadb-bin.000010:500'), head, 'db'))).toBeUndefined();
    expect(code(() => checkStart(logs, p('mariadb-bin.000008:4'), head, 'db'))).toBe('sync.position_lost');
    expect(code(() => checkStart(logs, p('mariadb-bin.000011:301'), head, 'db'))).toBe('sync.position_ahead');
    expect(code(() => checkStart(logs, p('mariadb-bin.000012:4'), head, 'db'))).toBe('sync.position_ahead');
    expect(code(() => checkStart(logs, p('mariadb-bin.000010:501'), head, 'db'))).toBe('sync.position_ahead');
  });
});
