import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Source } from '../../../src/connectors/connector.js';
import { openSource } from '../../../src/connectors/registry.js';
import { INT_KEYS, TEXT_KEYS, checkPartitions, keyRangeSuite, keysOf, readAll, rejectsWith } from '../key-range-cases.js';
import { tempDb } from './helpers.js';

let file: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ file, cleanup } = await tempDb('sqlite-key-range'));
  const db = new Database(file);
  db.exec(`
    CREATE TABLE ints (k BIGINT PRIMARY KEY, v TEXT);
    CREATE TABLE texts (k VARCHAR(40) PRIMARY KEY, v INTEGER);
    CREATE TABLE grouped (id INTEGER PRIMARY KEY, g TEXT);
    CREATE TABLE empty (k INTEGER PRIMARY KEY);
    CREATE TABLE few (k INTEGER PRIMARY KEY);
    CREATE TABLE odd (k INTEGER PRIMARY KEY, d DATE);
    CREATE TABLE nocase (id INTEGER PRIMARY KEY, name TEXT COLLATE NOCASE);
    CREATE TABLE mixed (k INTEGER, v TEXT);
    INSERT INTO few VALUES (1), (2), (3);
    INSERT INTO odd VALUES (1, '2024-01-01');
    INSERT INTO mixed VALUES (1, 'a'), (2, 'b'), ('x', 'c');
    WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 60)
    INSERT INTO grouped SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE 'g' || (g % 7) END FROM s;
  `);
  const ins = db.prepare('INSERT INTO ints VALUES (?, ?)');
  for (const [i, k] of INT_KEYS.entries()) ins.run(BigInt(k), `v${i}`);
  const ins2 = db.prepare('INSERT INTO texts VALUES (?, ?)');
  for (const [i, k] of TEXT_KEYS.entries()) ins2.run(k, i);
  // Names equal under NOCASE but spelled differently: one collation, one split point.
  const ins3 = db.prepare('INSERT INTO nocase VALUES (?, ?)');
  ['a', 'A', 'a', 'A', 'b', 'B', 'b', 'B', 'c', 'C', 'c', 'C'].forEach((n, i) => ins3.run(i + 1, n));
  db.close();
});

afterAll(async () => {
  await cleanup();
});

const open = (): Promise<Source> => openSource(`sqlite:${file}`);

keyRangeSuite('SQLite', {
  source: open,
  tables: { ints: 'ints', texts: 'texts', grouped: 'grouped', empty: 'empty', few: 'few', odd: 'odd' },
  missing: { table: 'connector.table_missing', column: 'connector.column_missing' },
});

describe('SQLite partition bounds', () => {
  it('bounds compare in the column collation: NOCASE spellings of one name give one split point', async () => {
    const s = await open();
    try {
      const { bounds, partitions } = await checkPartitions(s, 'nocase', 'name', 6, ['name', 'id']);
      expect(bounds.map((b) => b.toLowerCase())).toEqual(['a', 'b']);
      expect(partitions.map((p) => p.length)).toEqual([4, 4, 4]);
    } finally {
      await s.close();
    }
  });

  it('an integer bound compares as a number against an INTEGER column', async () => {
    const s = await open();
    try {
      expect(keysOf(await readAll(s, 'ints', { orderBy: ['k'], range: { column: 'k', after: '2', through: '10' } }))).toEqual(['3', '9', '10']);
    } finally {
      await s.close();
    }
  });

  it('refuses a key column holding values of another storage class', async () => {
    const s = await open();
    try {
      const err = await rejectsWith(s.keyBounds!('mixed', 'k', 2), 'source.partition_key_values');
      expect(err.message).toContain('mixed.k');
      expect(err.message).not.toContain("'x'");
    } finally {
      await s.close();
    }
  });
});
