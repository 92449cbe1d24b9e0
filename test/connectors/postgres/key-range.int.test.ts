import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integerLiteral, textLiteral } from '../../../src/connectors/postgres/quote.js';
import { FerryError } from '../../../src/errors.js';
import { INT_KEYS, TEXT_KEYS, checkPartitions, keyRangeSuite, keysOf, readAll, rejectsWith } from '../key-range-cases.js';
import { pgTestDb, type PgTestDb } from './harness.js';

let db: PgTestDb;
let schema: string;

const HOSTILE = ["'", "''", '\\', "\\'", "'; DROP TABLE x; --", "O'Brien", "E'x'", '$$', '$q$ x $q$', '  lead', 'trail  ', 'Zoë 日本語 😀', 'tab\there\nnew', '\\x41', '"dq"'];

beforeAll(async () => {
  db = await pgTestDb();
  schema = db.schemaName();
  await db.admin.query(`CREATE SCHEMA "${schema}"; SET search_path = "${schema}";
    CREATE TABLE ints (k int8 PRIMARY KEY, v text);
    CREATE TABLE texts (k varchar(40) PRIMARY KEY, v int4);
    CREATE TABLE grouped (id int4 PRIMARY KEY, g text);
    CREATE TABLE empty (k int4 PRIMARY KEY);
    CREATE TABLE few (k int2 PRIMARY KEY);
    CREATE TABLE odd (k int4 PRIMARY KEY, d date, n numeric(5,1));
    CREATE DOMAIN code AS text;
    CREATE TABLE refs (k uuid PRIMARY KEY, c code);
    CREATE TABLE big (k int4 PRIMARY KEY, pad text);
    CREATE TABLE x (k int4);
    INSERT INTO few VALUES (1), (2), (3);
    INSERT INTO odd VALUES (1, '2024-01-01', 1.5);
    INSERT INTO grouped SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE 'g' || (g % 7) END FROM generate_series(1, 60) g;
    INSERT INTO refs SELECT md5(g::text)::uuid, 'C' || g FROM generate_series(1, 40) g;
    INSERT INTO big SELECT g * 3, 'p' FROM generate_series(1, 300000) g;
    ANALYZE big;
    CREATE VIEW big_view AS SELECT k FROM big WHERE k % 2 = 0;`);
  for (const [i, k] of INT_KEYS.entries()) await db.admin.query(`INSERT INTO "${schema}".ints VALUES ($1, $2)`, [k, `v${i}`]);
  for (const [i, k] of TEXT_KEYS.entries()) await db.admin.query(`INSERT INTO "${schema}".texts VALUES ($1, $2)`, [k, i]);
}, 60_000);

afterAll(async () => {
  await db.drop();
});

keyRangeSuite('PostgreSQL', {
  source: () => db.source(schema),
  tables: { ints: 'ints', texts: 'texts', grouped: 'grouped', empty: 'empty', few: 'few', odd: 'odd' },
  missing: { table: 'source.table_missing', column: 'source.column_missing' },
});

describe('PostgreSQL literals for COPY (no bind parameters)', () => {
  it('renders text as an escape string and integers only in canonical form', () => {
    expect(textLiteral("O'Brien")).toBe("E'O''Brien'");
    expect(textLiteral('a\\b')).toBe("E'a\\\\b'");
    expect(textLiteral('')).toBe("E''");
    expect(() => textLiteral('a\u0000b')).toThrow(FerryError);
    expect(integerLiteral('-42')).toBe('-42');
    for (const bad of ['007', '1 OR 1=1', '', '-', '1e3', '0x10']) expect(() => integerLiteral(bad), bad).toThrow(FerryError);
  });

  it('round-trips hostile text exactly, whatever standard_conforming_strings says', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      for (const scs of ['on', 'off']) {
        await c.query(`SET standard_conforming_strings = ${scs}`);
        for (const v of HOSTILE) {
          const res = await c.query<{ same: boolean; v: string }>(`SELECT (${textLiteral(v)})::text AS v, (${textLiteral(v)})::text = $1 AS same`, [v]);
          expect(res.rows[0], `${scs}: ${JSON.stringify(v)}`).toEqual({ v, same: true });
        }
      }
    } finally {
      await c.end();
    }
  });
});

describe('PostgreSQL partition bounds', () => {
  it('uuid keys and a domain over text are text keys', async () => {
    const s = await db.source(schema);
    try {
      await checkPartitions(s, 'refs', 'k', 4);
      await checkPartitions(s, 'refs', 'c', 3);
    } finally {
      await s.close();
    }
  });

  it('hostile bounds in a read select by value and inject nothing', async () => {
    const s = await db.source(schema);
    try {
      for (const v of HOSTILE) {
        const got = keysOf(await readAll(s, 'texts', { orderBy: ['k'], range: { column: 'k', through: v } }));
        const res = await db.admin.query<{ k: string }>(`SELECT k FROM "${schema}".texts WHERE k <= $1 ORDER BY k`, [v]);
        expect(got, JSON.stringify(v)).toEqual(res.rows.map((r) => r.k));
      }
      expect(await s.count('x')).toBe(0);
      expect(await s.count('texts')).toBe(TEXT_KEYS.length);
      await rejectsWith(readAll(s, 'texts', { range: { column: 'k', after: 'a\u0000' } }), 'source.bad_literal');
    } finally {
      await s.close();
    }
  });

  it('samples a table estimated above 200,000 rows: deterministic, balanced, covering', async () => {
    const s = await db.source(schema);
    try {
      const bounds = await s.keyBounds!('big', 'k', 4);
      expect(await s.keyBounds!('big', 'k', 4)).toEqual(bounds);
      expect(bounds).toHaveLength(3);
      // From the sample, so not the exact quartiles.
      expect(bounds).not.toEqual(['225000', '450000', '675000']);
      const nums = bounds.map(Number);
      expect([...nums].sort((a, b) => a - b)).toEqual(nums);
      // Each quarter within a few percent of 75,000 rows; together exactly the table.
      const edges = [-Infinity, ...nums, Infinity];
      const sizes: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await db.admin.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".big WHERE k > $1 AND k <= $2`, [Math.max(edges[i], -1), Math.min(edges[i + 1], 2 ** 31 - 1)]);
        sizes.push(Number(res.rows[0].n));
      }
      expect(sizes.reduce((a, b) => a + b)).toBe(300_000);
      for (const n of sizes) expect(Math.abs(n - 75_000)).toBeLessThan(7_500);
      // A view cannot be sampled: ranked whole, and still covering.
      const viewBounds = await s.keyBounds!('big_view', 'k', 3);
      expect(viewBounds).toHaveLength(2);
      let total = 0;
      for (const range of [{ through: viewBounds[0] }, { after: viewBounds[0], through: viewBounds[1] }, { after: viewBounds[1] }]) {
        for await (const slice of s.read('big_view', { sliceRows: 50_000, orderBy: ['k'], range: { column: 'k', ...range } })) total += slice.rows.length;
      }
      expect(total).toBe(150_000);
    } finally {
      await s.close();
    }
  }, 60_000);

  it('stops when aborted', async () => {
    const s = await db.source(schema);
    try {
      const early = new AbortController();
      const p = s.keyBounds!('big_view', 'k', 4, early.signal);
      early.abort(new Error('stop'));
      await expect(p).rejects.toThrow('stop');
      // Aborted while the ranking query runs: the connection is ended and the source still works.
      const late = new AbortController();
      const q = s.keyBounds!('big_view', 'k', 4, late.signal);
      setTimeout(() => late.abort(new Error('late stop')), 20);
      await expect(q).rejects.toThrow('late stop');
      expect(await s.keyBounds!('few', 'k', 2)).toEqual(['2']);
    } finally {
      await s.close();
    }
  });
});
