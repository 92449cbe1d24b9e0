import { afterAll, beforeAll } from 'vitest';
import { changedAfterSuite, TIMES } from '../changed-after-cases.js';
import { INT_KEYS, TEXT_KEYS } from '../key-range-cases.js';
import { pgTestDb, type PgTestDb } from './harness.js';

let db: PgTestDb;
let schema: string;

beforeAll(async () => {
  db = await pgTestDb();
  schema = db.schemaName();
  await db.admin.query(`CREATE SCHEMA "${schema}"; SET search_path = "${schema}";
    CREATE TABLE vers (k int4 PRIMARY KEY, ver int8);
    CREATE TABLE codes (k int4 PRIMARY KEY, code varchar(40));
    CREATE TABLE times (k int4 PRIMARY KEY, ts timestamp);
    CREATE TABLE empty_vers (k int4 PRIMARY KEY, ver int4);
    CREATE TABLE flags (k int4 PRIMARY KEY, f numeric(5,1));
    INSERT INTO vers VALUES (0, NULL);`);
  for (const [i, v] of INT_KEYS.entries()) await db.admin.query(`INSERT INTO "${schema}".vers VALUES ($1, $2)`, [i + 1, v]);
  for (const [i, c] of TEXT_KEYS.entries()) await db.admin.query(`INSERT INTO "${schema}".codes VALUES ($1, $2)`, [i + 1, c]);
  for (const [i, t] of TIMES.entries()) await db.admin.query(`INSERT INTO "${schema}".times VALUES ($1, $2)`, [i + 1, t]);
}, 60_000);

afterAll(async () => {
  await db.drop();
});

changedAfterSuite('PostgreSQL', {
  source: () => db.source(schema),
  tables: { vers: 'vers', codes: 'codes', times: 'times', empty_vers: 'empty_vers', flags: 'flags' },
});
