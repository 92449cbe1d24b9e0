import fs from 'node:fs/promises';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openSource } from '../../../src/connectors/registry.js';
import { logicalType } from '../../../src/connectors/sqlite/introspect.js';
import { FerryError } from '../../../src/errors.js';
import { tempDb } from './helpers.js';

async function withDb(setup: string, fn: (file: string) => Promise<void>): Promise<void> {
  const { file, cleanup } = await tempDb('sqlite-src');
  try {
    const db = new Database(file);
    db.exec(setup);
    db.close();
    await fn(file);
  } finally {
    await cleanup();
  }
}

describe('sqlite type mapping', () => {
  it.each([
    ['INTEGER', 'integer'],
    ['bigint', 'integer'],
    ['INT(11)', 'integer'],
    ['REAL', 'decimal'],
    ['NUMERIC', 'decimal'],
    ['DECIMAL(10,2)', 'decimal'],
    ['DOUBLE PRECISION', 'decimal'],
    ['DATE', 'date'],
    ['DATETIME', 'timestamp'],
    ['TIMESTAMP', 'timestamp'],
    ['BLOB', 'binary'],
    ['BOOLEAN', 'boolean'],
    ['VARCHAR(35)', 'text'],
    ['', 'text'],
  ])('maps declared type %j to %s', (declared, logical) => {
    expect(logicalType(declared)).toBe(logical);
  });
});

describe('sqlite source', () => {
  it('never creates a missing database file', async () => {
    const { file, cleanup } = await tempDb('sqlite-missing');
    try {
      await expect(openSource(`sqlite:${file}`)).rejects.toMatchObject({ kind: 'connection', code: 'sqlite.open_failed' });
      await expect(fs.access(file)).rejects.toThrow();
    } finally {
      await cleanup();
    }
  });

  it('cannot write through its connection', async () => {
    await withDb('CREATE TABLE t (id INTEGER PRIMARY KEY)', async (file) => {
      const source = await openSource(`sqlite:${file}`);
      const db = (source as unknown as { db: Database.Database }).db;
      expect(db.readonly).toBe(true);
      expect(() => db.exec('INSERT INTO t VALUES (1)')).toThrow(/readonly/);
      await source.close();
    });
  });

  it('resolves a foreign key that names only the parent table to its primary key', async () => {
    await withDb('CREATE TABLE ward (code TEXT PRIMARY KEY); CREATE TABLE bed (id INTEGER PRIMARY KEY, ward_code TEXT REFERENCES ward)', async (file) => {
      const source = await openSource(`sqlite:${file}`);
      const bed = (await source.introspect()).tables.find((t) => t.name === 'bed')!;
      expect(bed.foreignKeys).toEqual([{ columns: ['ward_code'], references: { table: 'ward', columns: ['code'] } }]);
      await source.close();
    });
  });

  it('keeps 64-bit integers exact and small ones as numbers', async () => {
    await withDb('CREATE TABLE t (id INTEGER PRIMARY KEY, big INTEGER); INSERT INTO t VALUES (1, 9007199254740993)', async (file) => {
      const source = await openSource(`sqlite:${file}`);
      const batches = [];
      for await (const b of source.read('t', { sliceRows: 10 })) batches.push(b);
      expect(batches[0].rows).toEqual([[1, 9007199254740993n]]);
      await source.close();
    });
  });

  it('reads several tables at once on one source', async () => {
    await withDb(
      `CREATE TABLE a (id INTEGER PRIMARY KEY); CREATE TABLE b (id INTEGER PRIMARY KEY);
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) INSERT INTO a SELECT i FROM n;
       INSERT INTO b SELECT id * 10 FROM a;`,
      async (file) => {
        const source = await openSource(`sqlite:${file}`);
        const ia = source.read('a', { orderBy: ['id'], sliceRows: 7 })[Symbol.asyncIterator]();
        const ib = source.read('b', { orderBy: ['id'], sliceRows: 7 })[Symbol.asyncIterator]();
        let total = 0;
        for (;;) {
          const [ra, rb] = await Promise.all([ia.next(), ib.next()]);
          if (ra.done && rb.done) break;
          total += (ra.value?.rows.length ?? 0) + (rb.value?.rows.length ?? 0);
          expect(await source.count('a')).toBe(50);
        }
        expect(total).toBe(100);
        await source.close();
      },
    );
  });

  it('refuses an unknown orderBy column before running any SQL', async () => {
    await withDb('CREATE TABLE t (id INTEGER PRIMARY KEY)', async (file) => {
      const source = await openSource(`sqlite:${file}`);
      const read = async () => {
        for await (const _ of source.read('t', { orderBy: ['id"; DROP TABLE t; --'], sliceRows: 1 }));
      };
      await expect(read()).rejects.toBeInstanceOf(FerryError);
      await source.close();
    });
  });

  it('refuses unknown URL options', async () => {
    await expect(openSource('sqlite:/tmp/x.db?busytimeout=1')).rejects.toMatchObject({ kind: 'usage', code: 'connector.bad_option' });
  });
});
