import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INT_KEYS, TEXT_KEYS, checkPartitions, keyRangeSuite, keysOf, readAll, rejectsWith } from '../key-range-cases.js';
import { mysqlTestDb, type MysqlTestDb } from './harness.js';

let db: MysqlTestDb;

beforeAll(async () => {
  db = await mysqlTestDb();
  await db.admin.query(`CREATE TABLE ints (k BIGINT PRIMARY KEY, v TEXT)`);
  await db.admin.query(`CREATE TABLE texts (k VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci PRIMARY KEY, v INT)`);
  await db.admin.query(`CREATE TABLE \`grouped\` (id INT PRIMARY KEY, g VARCHAR(10))`);
  await db.admin.query(`CREATE TABLE empty (k INT PRIMARY KEY)`);
  await db.admin.query(`CREATE TABLE few (k SMALLINT PRIMARY KEY)`);
  await db.admin.query(`CREATE TABLE odd (k INT PRIMARY KEY, d DATE, e ENUM('z', 'a'), b BIT(8), flag TINYINT(1))`);
  await db.admin.query(`CREATE TABLE names (id INT PRIMARY KEY, name VARCHAR(10) COLLATE utf8mb4_general_ci)`);
  await db.admin.query(`CREATE TABLE unsigned_keys (k BIGINT UNSIGNED PRIMARY KEY)`);
  await db.admin.query(`CREATE TABLE x (k INT)`);
  await db.admin.query(`INSERT INTO few VALUES (1), (2), (3)`);
  await db.admin.query(`CREATE TABLE big (k INT PRIMARY KEY, code VARCHAR(12) NOT NULL)`);
  await db.admin.query(`INSERT INTO big SELECT seq * 3, CONCAT('P', LPAD(seq * 7 % 300007, 7, '0')) FROM seq_1_to_300000`);
  await db.admin.query(`ANALYZE TABLE big`);
  await db.admin.query(`INSERT INTO odd VALUES (1, '2024-01-01', 'a', b'101', 1)`);
  await db.admin.query(`INSERT INTO unsigned_keys VALUES (1), (9007199254740992), (9007199254740993), (9223372036854775808), (18446744073709551615)`);
  for (let g = 1; g <= 60; g++) await db.admin.query('INSERT INTO `grouped` VALUES (?, ?)', [g, g % 5 === 0 ? null : `g${g % 7}`]);
  for (const [i, k] of INT_KEYS.entries()) await db.admin.query('INSERT INTO ints VALUES (?, ?)', [k, `v${i}`]);
  for (const [i, k] of TEXT_KEYS.entries()) await db.admin.query('INSERT INTO texts VALUES (?, ?)', [k, i]);
  for (const [i, n] of ['a', 'A', 'a', 'A', 'b', 'B', 'b ', 'B', 'c', 'C', 'c', 'C'].entries()) await db.admin.query('INSERT INTO names VALUES (?, ?)', [i + 1, n]);
}, 60_000);

afterAll(async () => {
  await db.drop();
});

keyRangeSuite('MariaDB', {
  source: () => db.source(),
  tables: { ints: 'ints', texts: 'texts', grouped: 'grouped', empty: 'empty', few: 'few', odd: 'odd' },
  missing: { table: 'source.table_missing', column: 'source.column_missing' },
});

describe('MariaDB partition bounds', () => {
  it('bounds compare in the column collation: case and trailing-space spellings of one name give one split point', async () => {
    const s = await db.source();
    try {
      const { bounds, partitions } = await checkPartitions(s, 'names', 'name', 6, ['name', 'id']);
      expect(bounds.map((b) => b.toLowerCase().trim())).toEqual(['a', 'b']);
      expect(partitions.map((p) => p.length)).toEqual([4, 4, 4]);
    } finally {
      await s.close();
    }
  });

  it('integer bounds beyond 2^53 and unsigned 64-bit keys compare exactly', async () => {
    const s = await db.source();
    try {
      const read = async (after: string, through?: string) => keysOf(await readAll(s, 'unsigned_keys', { orderBy: ['k'], range: { column: 'k', after, ...(through ? { through } : {}) } }));
      expect(await read('9007199254740992', '9007199254740993')).toEqual(['9007199254740993']);
      expect(await read('9223372036854775807')).toEqual(['9223372036854775808', '18446744073709551615']);
      expect(await read('-1', '1')).toEqual(['1']);
      await checkPartitions(s, 'unsigned_keys', 'k', 3);
    } finally {
      await s.close();
    }
  });

  it('samples a table estimated above 200,000 rows by key hash: deterministic, balanced, covering', async () => {
    const s = await db.source();
    try {
      for (const column of ['k', 'code']) {
        const bounds = await s.keyBounds!('big', column, 4);
        expect(await s.keyBounds!('big', column, 4)).toEqual(bounds);
        expect(bounds).toHaveLength(3);
        // From the sample, so not the exact quartiles (225000, 450000, 675000 for k).
        if (column === 'k') expect(bounds).not.toEqual(['225000', '450000', '675000']);
        const [[counts]] = (await db.admin.query({
          sql: `SELECT SUM(\`${column}\` <= ?), SUM(\`${column}\` > ? AND \`${column}\` <= ?), SUM(\`${column}\` > ? AND \`${column}\` <= ?), SUM(\`${column}\` > ?) FROM big`,
          values: [bounds[0], bounds[0], bounds[1], bounds[1], bounds[2], bounds[2]].map((b) => (column === 'k' ? Number(b) : b)),
          rowsAsArray: true,
        })) as unknown as [[unknown[]]];
        const sizes = counts.map(Number);
        expect(sizes.reduce((a, b) => a + b)).toBe(300_000);
        for (const n of sizes) expect(Math.abs(n - 75_000), `${column}: ${sizes.join(' ')}`).toBeLessThan(7_500);
      }
    } finally {
      await s.close();
    }
  }, 60_000);

  it('refuses ENUM, BIT and boolean keys: they do not compare with a bound as ORDER BY sorts them', async () => {
    const s = await db.source();
    try {
      for (const column of ['e', 'b', 'flag']) await rejectsWith(s.keyBounds!('odd', column, 2), 'source.partition_key_type');
      expect(await s.count('x')).toBe(0);
    } finally {
      await s.close();
    }
  });
});
