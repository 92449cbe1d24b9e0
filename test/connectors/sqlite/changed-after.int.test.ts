import Database from 'better-sqlite3';
import { afterAll, beforeAll } from 'vitest';
import { openSource } from '../../../src/connectors/registry.js';
import { changedAfterSuite, TIMES } from '../changed-after-cases.js';
import { INT_KEYS, TEXT_KEYS } from '../key-range-cases.js';
import { tempDb } from './helpers.js';

let file: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ file, cleanup } = await tempDb('sqlite-changed-after'));
  const db = new Database(file);
  db.exec(`
    CREATE TABLE vers (k INTEGER PRIMARY KEY, ver BIGINT);
    CREATE TABLE codes (k INTEGER PRIMARY KEY, code VARCHAR(40));
    CREATE TABLE times (k INTEGER PRIMARY KEY, ts DATETIME);
    CREATE TABLE empty_vers (k INTEGER PRIMARY KEY, ver INTEGER);
    CREATE TABLE flags (k INTEGER PRIMARY KEY, f DECIMAL(5,1));
    INSERT INTO vers VALUES (0, NULL);
  `);
  const ins = db.prepare('INSERT INTO vers VALUES (?, ?)');
  for (const [i, v] of INT_KEYS.entries()) ins.run(i + 1, BigInt(v));
  const ins2 = db.prepare('INSERT INTO codes VALUES (?, ?)');
  for (const [i, c] of TEXT_KEYS.entries()) ins2.run(i + 1, c);
  const ins3 = db.prepare('INSERT INTO times VALUES (?, ?)');
  for (const [i, t] of TIMES.entries()) ins3.run(i + 1, t);
  db.close();
});

afterAll(async () => {
  await cleanup();
});

changedAfterSuite('SQLite', {
  source: () => openSource(`sqlite:${file}`),
  tables: { vers: 'vers', codes: 'codes', times: 'times', empty_vers: 'empty_vers', flags: 'flags' },
});
