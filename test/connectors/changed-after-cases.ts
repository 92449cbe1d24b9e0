/**
 * Change-column reads (ReadOptions.changedAfter) and Source.maxOf (watermark sync, issue #18),
 * checked the same way for every SQL source on fixture tables each database test creates.
 */
import { describe, expect, it } from 'vitest';
import type { Source } from '../../src/connectors/connector.js';
import { INT_KEYS, TEXT_KEYS, keysOf, readAll, rejectsWith } from './key-range-cases.js';

/** Timestamps of the `times` table (row k = index + 1), out of order on purpose. */
export const TIMES = ['2024-01-01 10:00:00', '2024-03-01 12:00:00', '2024-01-01 09:59:59', '2024-02-29 23:59:59', '2024-01-01 10:00:01'];

/**
 * The tables a database's test creates: `vers` (k integer key 1..n, ver integer from INT_KEYS
 * in that order, plus one row k = 0 whose ver is NULL), `codes` (k integer key 1..n, code text
 * from TEXT_KEYS), `times` (k integer key 1..n, ts a timestamp from TIMES), `empty_vers` (k
 * integer key, ver integer, no rows), `flags` (k integer key, f a boolean or decimal column).
 */
export interface ChangedAfterFixture {
  source(): Promise<Source>;
  tables: { vers: string; codes: string; times: string; empty_vers: string; flags: string };
}

const HOSTILE_BOUNDS = ["'", "x' OR '1'='1", "'; DROP TABLE codes; --", '\\', "\\'", "E'x'", '$$', '`', '"', '%', '?'];

/** The behaviour every SQL source's change reads must have, registered under `name`. */
export function changedAfterSuite(name: string, fx: ChangedAfterFixture): void {
  const withSource = async (fn: (s: Source) => Promise<void>): Promise<void> => {
    const source = await fx.source();
    try {
      await fn(source);
    } finally {
      await source.close();
    }
  };
  const vers = (after?: string, through?: string) =>
    INT_KEYS.flatMap((v, i) => ((after === undefined || BigInt(v) > BigInt(after)) && (through === undefined || BigInt(v) <= BigInt(through)) ? [String(i + 1)] : []));

  describe(`${name} change reads (changedAfter) and maxOf`, () => {
    it('integer change column: (after, through] compared as numbers, NULLs never, combined with a key range', () =>
      withSource(async (s) => {
        const read = async (after?: string, through?: string) =>
          keysOf(await readAll(s, fx.tables.vers, { orderBy: ['k'], changedAfter: { column: 'ver', after, through } })).sort((a, b) => Number(a) - Number(b));
        for (const [after, through] of [
          ['9', '100'],
          ['-1000', '0'],
          ['2147483648', undefined],
          [undefined, '-10'],
          ['9007199254740992', '9223372036854775807'],
          ['100', '100'],
          ['101', '100'],
        ] as Array<[string | undefined, string | undefined]>)
          expect(await read(after, through), `(${after}, ${through}]`).toEqual(vers(after, through));
        // Both ends open: every row with a change value; the NULL row (k = 0) is never a change.
        expect(await read()).toEqual(vers());
        // With a key range, both apply.
        const both = await readAll(s, fx.tables.vers, { orderBy: ['k'], range: { column: 'k', after: '3', through: '12' }, changedAfter: { column: 'ver', after: '0' } });
        expect(keysOf(both)).toEqual(vers('0').filter((k) => Number(k) > 3 && Number(k) <= 12));
        // Ordered by the change column, then the key.
        const ordered = await readAll(s, fx.tables.vers, { orderBy: ['ver', 'k'], changedAfter: { column: 'ver', after: '-10' } });
        expect(ordered.map((r) => String(r[1]))).toEqual(INT_KEYS.filter((v) => BigInt(v) > -10n));
        expect(await s.maxOf!(fx.tables.vers, 'ver')).toBe('9223372036854775807');
      }));

    it('text change column: every value, hostile ones included, cuts the table exactly where the database orders it', () =>
      withSource(async (s) => {
        const order = (await readAll(s, fx.tables.codes, { columns: ['code'], orderBy: ['code'] })).map((r) => String(r[0]));
        expect([...order].sort()).toEqual([...TEXT_KEYS].sort());
        for (const [i, code] of order.entries()) {
          const after = await readAll(s, fx.tables.codes, { columns: ['code'], orderBy: ['code'], changedAfter: { column: 'code', after: code } });
          expect(
            after.map((r) => String(r[0])),
            code,
          ).toEqual(order.slice(i + 1));
          const through = await readAll(s, fx.tables.codes, { columns: ['code'], orderBy: ['code'], changedAfter: { column: 'code', through: code } });
          expect(
            through.map((r) => String(r[0])),
            code,
          ).toEqual(order.slice(0, i + 1));
        }
        // Bounds that are no value are values too: each cuts the ordered table into a prefix and the rest.
        for (const bound of HOSTILE_BOUNDS) {
          const after = (await readAll(s, fx.tables.codes, { columns: ['code'], orderBy: ['code'], changedAfter: { column: 'code', after: bound } })).map((r) => String(r[0]));
          const upTo = (await readAll(s, fx.tables.codes, { columns: ['code'], orderBy: ['code'], changedAfter: { column: 'code', through: bound } })).map((r) => String(r[0]));
          expect([...upTo, ...after], bound).toEqual(order);
        }
        expect(await s.count(fx.tables.codes)).toBe(TEXT_KEYS.length);
        expect(await s.maxOf!(fx.tables.codes, 'code')).toBe(order[order.length - 1]);
      }));

    it('timestamp change column: ISO bounds compare as times; maxOf is the canonical text', () =>
      withSource(async (s) => {
        const read = async (after?: string, through?: string) => keysOf(await readAll(s, fx.tables.times, { orderBy: ['ts', 'k'], changedAfter: { column: 'ts', after, through } }));
        expect(await read('2024-01-01 10:00:00')).toEqual(['5', '4', '2']);
        expect(await read('2024-01-01 09:59:59', '2024-01-01 10:00:01')).toEqual(['1', '5']);
        expect(await read(undefined, '2024-01-01 10:00:00')).toEqual(['3', '1']);
        expect(await s.maxOf!(fx.tables.times, 'ts')).toBe('2024-03-01 12:00:00');
      }));

    it('maxOf of an empty table is null', () =>
      withSource(async (s) => {
        expect(await s.maxOf!(fx.tables.empty_vers, 'ver')).toBeNull();
        expect(await readAll(s, fx.tables.empty_vers, { changedAfter: { column: 'ver', after: '0' } })).toEqual([]);
      }));

    it('refuses bounds that are not of the column type, and columns a watermark cannot order', () =>
      withSource(async (s) => {
        await rejectsWith(readAll(s, fx.tables.vers, { changedAfter: { column: 'ver', after: '1 OR 1=1' } }), 'source.bad_changed_after');
        await rejectsWith(readAll(s, fx.tables.vers, { changedAfter: { column: 'ver', through: '007' } }), 'source.bad_changed_after');
        await rejectsWith(readAll(s, fx.tables.times, { changedAfter: { column: 'ts', after: "2024-01-01' OR '1'='1" } }), 'source.bad_changed_after');
        await rejectsWith(readAll(s, fx.tables.flags, { changedAfter: { column: 'f', after: '0' } }), 'source.change_column_type');
        await rejectsWith(s.maxOf!(fx.tables.flags, 'f'), 'source.change_column_type');
        expect(await s.count(fx.tables.vers)).toBe(INT_KEYS.length + 1);
      }));

    it('values reads (valuesIn): exactly the rows holding one of the values, hostile text as data, non-integers matching no integer', () =>
      withSource(async (s) => {
        const codes = async (values: string[]) => (await readAll(s, fx.tables.codes, { columns: ['code'], orderBy: ['k'], valuesIn: { column: 'code', values } })).map((r) => String(r[0])).sort();
        const hostile = TEXT_KEYS.filter((c) => /['\\"`$%?;]/.test(c));
        expect(await codes(hostile)).toEqual([...hostile].sort());
        expect(await codes(HOSTILE_BOUNDS.filter((b) => !TEXT_KEYS.includes(b)))).toEqual([]);
        expect(await codes([TEXT_KEYS[0], TEXT_KEYS[3]])).toEqual([TEXT_KEYS[0], TEXT_KEYS[3]].sort());
        const vers = async (values: string[]) => keysOf(await readAll(s, fx.tables.vers, { orderBy: ['k'], valuesIn: { column: 'ver', values } }));
        expect(await vers([INT_KEYS[1], INT_KEYS[INT_KEYS.length - 1]])).toEqual(['2', String(INT_KEYS.length)]);
        expect(await vers(['1 OR 1=1', '1.5', '007', ''])).toEqual([]);
        expect(await vers([])).toEqual([]);
      }));
  });
}
