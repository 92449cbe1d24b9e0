/**
 * Key-range reads and partition bounds (issue #17) checked the same way for every SQL source:
 * the fixture rows each database test creates, and the properties partitions must have.
 */
import { describe, expect, it } from 'vitest';
import type { KeyRange, ReadOptions, Source, Value } from '../../src/connectors/connector.js';
import { FerryError } from '../../src/errors.js';

/** Integer keys: sparse, negative, and ones whose text order differs from their numeric order. */
export const INT_KEYS: string[] = [
  '-1000000',
  '-1000',
  '-10',
  '-9',
  '-1',
  '0',
  '1',
  '2',
  '3',
  '9',
  '10',
  '11',
  '19',
  '20',
  '99',
  '100',
  '101',
  '1000',
  '1001',
  '65535',
  '99999',
  '2147483648',
  '9007199254740993',
  '9223372036854775807',
];

/**
 * Text keys: mixed case, unicode, quotes, backslashes, SQL in a key, leading and trailing
 * spaces, and keys that are prefixes of others. Distinct under a case- and pad-insensitive
 * collation too (MariaDB's default), so one fixture serves every database.
 */
export const TEXT_KEYS: string[] = [
  'a',
  'ab',
  'abc',
  'abcd',
  'Apple',
  'banana',
  'Cherry',
  "O'Brien",
  "'; DROP TABLE x; --",
  'back\\slash',
  "\\'",
  '\\',
  '  lead',
  'trail  x',
  'Zoë',
  'Ærø',
  'Ünïcödé',
  '日本語',
  '😀',
  'naïve',
  'x%_y',
  '"dq"',
  'k01',
  'k02',
  'k10',
  'k2',
  'K3',
  'z',
];

/** Every row a read yields. */
export async function readAll(source: Source, table: string, options: Omit<ReadOptions, 'sliceRows'>): Promise<Value[][]> {
  const rows: Value[][] = [];
  for await (const slice of source.read(table, { sliceRows: 5, ...options })) rows.push(...slice.rows);
  return rows;
}

/** The ranges a set of split points defines, in order: (-inf, s1], (s1, s2], ..., (sk, +inf). */
export function rangesOf(column: string, bounds: string[]): KeyRange[] {
  const edges: Array<string | undefined> = [undefined, ...bounds, undefined];
  return edges.slice(1).map((through, i) => ({ column, ...(edges[i] !== undefined ? { after: edges[i] } : {}), ...(through !== undefined ? { through } : {}) }));
}

/**
 * Checks keyBounds(parts) on `table` by `column`: distinct, deterministic, ascending in the
 * database's own order, and partitions read with `orderBy` that concatenate to exactly the
 * whole-table read. Returns the bounds and the partitions' rows for further checks.
 */
export async function checkPartitions(
  source: Source,
  table: string,
  column: string,
  parts: number,
  orderBy: string[] = [column],
): Promise<{ bounds: string[]; partitions: Value[][][]; whole: Value[][] }> {
  const bounds = await source.keyBounds!(table, column, parts);
  expect(await source.keyBounds!(table, column, parts)).toEqual(bounds);
  expect(bounds.length).toBeLessThanOrEqual(Math.max(0, parts - 1));
  expect(new Set(bounds).size).toBe(bounds.length);
  for (const b of bounds) expect(typeof b).toBe('string');
  const whole = await readAll(source, table, { orderBy });
  const partitions: Value[][][] = [];
  for (const range of rangesOf(column, bounds)) partitions.push(await readAll(source, table, { orderBy, range }));
  expect(partitions.flat()).toEqual(whole);
  // Ascending in the database's order: each split point ends a non-empty partition, and none leaves the last one empty.
  if (whole.length > 0) for (let i = 0; i < partitions.length; i++) expect(partitions[i].length, `partition ${i}`).toBeGreaterThan(0);
  return { bounds, partitions, whole };
}

/** Asserts a promise rejects with a FerryError of this code (and returns it for more checks). */
export async function rejectsWith(p: Promise<unknown>, code: string): Promise<FerryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FerryError);
  expect((err as FerryError).code).toBe(code);
  return err as FerryError;
}

/** First column of every row as canonical text, the way bounds are written. */
export function keysOf(rows: Value[][]): string[] {
  return rows.map((r) => String(r[0]));
}

/** Reads a source row stream through all partition checks used by every database. */
export async function checkSkipAndOpenEnds(source: Source, table: string, column: string, bounds: string[], partitions: Value[][][]): Promise<void> {
  expect(bounds.length).toBeGreaterThanOrEqual(2);
  const ranges = rangesOf(column, bounds);
  // skip counts within the range.
  expect(await readAll(source, table, { orderBy: [column], range: ranges[1], skip: 2 })).toEqual(partitions[1].slice(2));
  expect(await readAll(source, table, { orderBy: [column], range: ranges[1], skip: partitions[1].length })).toEqual([]);
  // Only `through`, only `after`.
  expect(await readAll(source, table, { orderBy: [column], range: { column, through: bounds[1] } })).toEqual([...partitions[0], ...partitions[1]]);
  expect(await readAll(source, table, { orderBy: [column], range: { column, after: bounds[1] } })).toEqual(partitions.slice(2).flat());
  // A range open at both ends is the whole table.
  expect(await readAll(source, table, { orderBy: [column], range: { column } })).toEqual(partitions.flat());
}

/** The fixture tables a database's test created; `source` opens the source on them. */
export interface KeyRangeFixture {
  source(): Promise<Source>;
  /** `ints` (k integer key from INT_KEYS, v text), `texts` (k text key from TEXT_KEYS, v integer), `grouped` (id integer key, g nullable text with repeats), `empty` (k integer), `few` (k integer, 3 rows), `odd` (k integer, d a date column). */
  tables: { ints: string; texts: string; grouped: string; empty: string; few: string; odd: string };
  /** Codes the source gives for an unknown table and column. */
  missing: { table: string; column: string };
}

/** The behaviour every SQL source's key ranges must have, registered as tests under `name`. */
export function keyRangeSuite(name: string, fx: KeyRangeFixture): void {
  const withSource = async (fn: (s: Source) => Promise<void>): Promise<void> => {
    const source = await fx.source();
    try {
      await fn(source);
    } finally {
      await source.close();
    }
  };

  describe(`${name} key ranges`, () => {
    it('integer keys: 4 parts cover the table in order, compared as numbers; skip and open ends work', () =>
      withSource(async (s) => {
        const { bounds, partitions, whole } = await checkPartitions(s, fx.tables.ints, 'k', 4);
        expect(keysOf(whole)).toEqual(INT_KEYS);
        expect(bounds).toHaveLength(3);
        for (const p of partitions) expect(p).toHaveLength(INT_KEYS.length / 4);
        // Split points are keys, in numeric order (10 after 9, not after 1).
        expect(bounds).toEqual([INT_KEYS[5], INT_KEYS[11], INT_KEYS[17]]);
        await checkSkipAndOpenEnds(s, fx.tables.ints, 'k', bounds, partitions);
        // A bound that is not a key still cuts numerically: (9, 100] holds 10, 11, 19, 20, 99, 100.
        expect(keysOf(await readAll(s, fx.tables.ints, { orderBy: ['k'], range: { column: 'k', after: '9', through: '100' } }))).toEqual(['10', '11', '19', '20', '99', '100']);
      }));

    it('text keys: 4 parts cover the table in the database order; hostile keys are just values', () =>
      withSource(async (s) => {
        const { bounds, partitions, whole } = await checkPartitions(s, fx.tables.texts, 'k', 4);
        expect(keysOf(whole).sort()).toEqual([...TEXT_KEYS].sort());
        expect(bounds).toHaveLength(3);
        for (const p of partitions) expect(p).toHaveLength(TEXT_KEYS.length / 4);
        await checkSkipAndOpenEnds(s, fx.tables.texts, 'k', bounds, partitions);
        // Every key as a bound, hostile ones included, splits the table exactly there.
        const order = keysOf(whole);
        for (const [i, key] of order.entries()) {
          expect(keysOf(await readAll(s, fx.tables.texts, { orderBy: ['k'], range: { column: 'k', through: key } }))).toEqual(order.slice(0, i + 1));
          expect(keysOf(await readAll(s, fx.tables.texts, { orderBy: ['k'], range: { column: 'k', after: key } }))).toEqual(order.slice(i + 1));
        }
        // And the table is still there after "'; DROP TABLE x; --" went through as a bound.
        expect(await s.count(fx.tables.texts)).toBe(TEXT_KEYS.length);
      }));

    it('a repeated, nullable key: every row in exactly one partition, NULLs included', () =>
      withSource(async (s) => {
        const { bounds, whole } = await checkPartitions(s, fx.tables.grouped, 'g', 4, ['g', 'id']);
        expect(bounds.length).toBeGreaterThan(0);
        expect(whole.filter((r) => r[1] === null).length).toBeGreaterThan(0);
      }));

    it('more parts than rows, an empty table, and parts <= 1', () =>
      withSource(async (s) => {
        const { bounds } = await checkPartitions(s, fx.tables.few, 'k', 10);
        expect(bounds).toHaveLength(2);
        expect(await s.keyBounds!(fx.tables.empty, 'k', 4)).toEqual([]);
        expect(await readAll(s, fx.tables.empty, { orderBy: ['k'], range: { column: 'k', after: '1' } })).toEqual([]);
        expect(await s.keyBounds!(fx.tables.ints, 'k', 1)).toEqual([]);
        expect(await s.keyBounds!(fx.tables.ints, 'k', 0)).toEqual([]);
      }));

    it('refuses a key of another type, bad bounds, and unknown tables and columns with stable codes', () =>
      withSource(async (s) => {
        const err = await rejectsWith(s.keyBounds!(fx.tables.odd, 'd', 4), 'source.partition_key_type');
        expect(err.kind).toBe('usage');
        expect(err.message).toContain(fx.tables.odd);
        expect(err.message).toContain('d');
        await rejectsWith(readAll(s, fx.tables.odd, { range: { column: 'd', after: '2024-01-01' } }), 'source.partition_key_type');
        for (const bad of ['007', '+7', '1.0', ' 1', '1e3', '-0', '1; DROP TABLE x']) {
          await rejectsWith(readAll(s, fx.tables.ints, { range: { column: 'k', after: bad } }), 'source.bad_range');
        }
        await rejectsWith(s.keyBounds!(fx.tables.ints, 'k', 2.5), 'source.bad_parts');
        await rejectsWith(s.keyBounds!('no_such_table', 'k', 4), fx.missing.table);
        await rejectsWith(s.keyBounds!(fx.tables.ints, 'no_such_column', 4), fx.missing.column);
        await rejectsWith(readAll(s, fx.tables.ints, { range: { column: 'no_such_column', after: '1' } }), fx.missing.column);
      }));
  });
}
