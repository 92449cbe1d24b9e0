import { afterAll, beforeAll } from 'vitest';
import { changedAfterSuite, TIMES } from '../changed-after-cases.js';
import { INT_KEYS, TEXT_KEYS } from '../key-range-cases.js';
import { mysqlTestDb, type MysqlTestDb } from './harness.js';

let db: MysqlTestDb;

beforeAll(async () => {
  db = await mysqlTestDb();
  await db.admin.query(`CREATE TABLE vers (k INT PRIMARY KEY, ver BIGINT)`);
  await db.admin.query(`CREATE TABLE codes (k INT PRIMARY KEY, code VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci)`);
  await db.admin.query(`CREATE TABLE times (k INT PRIMARY KEY, ts DATETIME)`);
  await db.admin.query(`CREATE TABLE empty_vers (k INT PRIMARY KEY, ver INT)`);
  await db.admin.query(`CREATE TABLE flags (k INT PRIMARY KEY, f DECIMAL(5,1))`);
  await db.admin.query(`INSERT INTO vers VALUES (0, NULL)`);
  for (const [i, v] of INT_KEYS.entries()) await db.admin.query('INSERT INTO vers VALUES (?, ?)', [i + 1, v]);
  for (const [i, c] of TEXT_KEYS.entries()) await db.admin.query('INSERT INTO codes VALUES (?, ?)', [i + 1, c]);
  for (const [i, t] of TIMES.entries()) await db.admin.query('INSERT INTO times VALUES (?, ?)', [i + 1, t]);
}, 60_000);

afterAll(async () => {
  await db.drop();
});

changedAfterSuite('MariaDB', {
  source: () => db.source(),
  tables: { vers: 'vers', codes: 'codes', times: 'times', empty_vers: 'empty_vers', flags: 'flags' },
});
