import { describe, expect, it } from 'vitest';
import { compareLsn, formatLsn, parseLsn } from '../../../src/connectors/postgres/capture/lsn.js';
import { slotName } from '../../../src/connectors/postgres/capture/names.js';
import { decodePgoutput, UNCHANGED } from '../../../src/connectors/postgres/capture/pgoutput.js';
import { decodeOld, decodeRow, relationShape } from '../../../src/connectors/postgres/capture/values.js';
import { FerryError } from '../../../src/errors.js';

describe('LSN positions', () => {
  it('parse, format and compare as 64-bit numbers, not as text', () => {
    expect(parseLsn('0/16B3748')).toBe(0x16b3748n);
    expect(parseLsn('1/0')).toBe(1n << 32n);
    expect(formatLsn(parseLsn('A/ff'))).toBe('A/FF');
    expect(compareLsn('0/9', '0/10')).toBeLessThan(0);
    expect(compareLsn('1/0', '0/FFFFFFFF')).toBeGreaterThan(0);
    expect(compareLsn('0/a', '0/A')).toBe(0);
  });

  it('refuses anything else', () => {
    for (const bad of ['', '0', 'binlog.000003:4711', '0/1 ', '123456789/0', "0/1'; DROP"]) {
      expect(() => parseLsn(bad)).toThrow(FerryError);
    }
  });
});

describe('slotName', () => {
  it('is ferry_ and the id folded to [a-z0-9_], deterministic', () => {
    expect(slotName('sync-20261207-111300-ab12cd')).toBe('ferry_sync_20261207_111300_ab12cd');
    expect(slotName('sync-20261207-111300-ab12cd')).toBe(slotName('sync-20261207-111300-ab12cd'));
  });

  it('never injects, never exceeds 63 characters, and keeps ids that fold alike apart', () => {
    const names = ['Sync-A', 'sync-a', 'sync_a', 'x"; DROP TABLE t; --', 'é'.repeat(100), 's'.repeat(200), 's'.repeat(201)].map(slotName);
    for (const n of names) {
      expect(n).toMatch(/^ferry_[a-z0-9_]+$/);
      expect(n.length).toBeLessThanOrEqual(63);
    }
    expect(new Set(names).size).toBe(names.length);
    expect(() => slotName('')).toThrow(FerryError);
  });
});

/** A pgoutput message from its parts: u8/i16/i32/i64 numbers, strings (NUL-terminated), tuples. */
function msg(...parts: Array<['u8' | 'i16' | 'i32', number] | ['i64', bigint] | ['s', string] | ['t', string]>): Buffer {
  const bufs = parts.map(([kind, v]) => {
    switch (kind) {
      case 'u8':
        return Buffer.from([v as number]);
      case 'i16': {
        const b = Buffer.alloc(2);
        b.writeInt16BE(v as number);
        return b;
      }
      case 'i32': {
        const b = Buffer.alloc(4);
        b.writeInt32BE(v as number);
        return b;
      }
      case 'i64': {
        const b = Buffer.alloc(8);
        b.writeBigInt64BE(v as bigint);
        return b;
      }
      case 's':
        return Buffer.from(`${v as string}\0`);
      case 't': {
        const text = Buffer.from(v as string);
        const b = Buffer.alloc(5);
        b.write('t');
        b.writeInt32BE(text.length, 1);
        return Buffer.concat([b, text]);
      }
    }
  });
  return Buffer.concat(bufs);
}

const T = (c: string): ['u8', number] => ['u8', c.charCodeAt(0)];

describe('pgoutput decoding', () => {
  const relation = msg(
    T('R'),
    ['i32', 16385],
    ['s', 'public'],
    ['s', 'p'],
    T('d'),
    ['i16', 3],
    ['u8', 1],
    ['s', 'id'],
    ['i32', 20],
    ['i32', -1],
    ['u8', 0],
    ['s', 'doc'],
    ['i32', 25],
    ['i32', -1],
    ['u8', 0],
    ['s', 'photo'],
    ['i32', 17],
    ['i32', -1],
  );

  it('decodes begin, commit (end LSN, time) and relation (key flags, type oids)', () => {
    expect(decodePgoutput(msg(T('B'), ['i64', 0x100n], ['i64', 0n], ['i32', 7]))).toEqual({ tag: 'begin', finalLsn: '0/100', xid: 7 });
    expect(decodePgoutput(msg(T('C'), ['u8', 0], ['i64', 0x100n], ['i64', (1n << 32n) + 0x128n], ['i64', 1_000_000n]))).toEqual({
      tag: 'commit',
      commitLsn: '0/100',
      endLsn: '1/128',
      commitTime: new Date('2000-01-01T00:00:01Z'),
    });
    expect(decodePgoutput(relation)).toEqual({
      tag: 'relation',
      oid: 16385,
      schema: 'public',
      name: 'p',
      replicaIdentity: 'd',
      columns: [
        { name: 'id', key: true, typeOid: 20 },
        { name: 'doc', key: false, typeOid: 25 },
        { name: 'photo', key: false, typeOid: 17 },
      ],
    });
  });

  it('keeps text values as sent, unchanged TOAST and null apart, old key images positional', () => {
    const update = decodePgoutput(msg(T('U'), ['i32', 16385], T('K'), ['i16', 3], ['t', '7'], T('n'), T('n'), T('N'), ['i16', 3], ['t', '8'], T('u'), ['t', '\\x00ff']));
    expect(update).toEqual({ tag: 'update', oid: 16385, oldKind: 'K', old: ['7', null, null], row: ['8', UNCHANGED, '\\x00ff'] });
    const rel = decodePgoutput(relation);
    if (rel.tag !== 'relation' || update.tag !== 'update') throw new Error('unreachable');
    const shape = relationShape('p', rel.columns, (oid) => ({ 20: 'int8', 25: 'text', 17: 'bytea' })[oid] ?? '');
    expect(shape.types).toEqual(['integer', 'text', 'binary']);
    expect(decodeRow(shape, update.row)).toEqual({ row: ['8', null, Buffer.from([0, 255])], unchanged: [1] });
    expect(decodeOld(shape, update.old!, true)).toEqual(['7', undefined, undefined]);
    expect(decodePgoutput(msg(T('T'), ['i32', 2], ['u8', 0], ['i32', 16385], ['i32', 16390]))).toEqual({ tag: 'truncate', oids: [16385, 16390] });
    expect(decodePgoutput(msg(T('D'), ['i32', 16385], T('O'), ['i16', 1], ['t', 'é😀\t\\']))).toEqual({ tag: 'delete', oid: 16385, oldKind: 'O', old: ['é😀\t\\'] });
  });

  it('refuses binary-format values and unknown parts with sync.stream_failed', () => {
    expect(() => decodePgoutput(msg(T('I'), ['i32', 1], T('N'), ['i16', 1], T('b'), ['i32', 0]))).toThrow(/cannot decode/);
    expect(decodePgoutput(msg(T('Y'), ['i32', 1], ['s', 'public'], ['s', 'mood']))).toEqual({ tag: 'other' });
  });
});
