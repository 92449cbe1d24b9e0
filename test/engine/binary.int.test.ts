/**
 * Binary columns (scanned letters) move intact from every database source, and a table of
 * large values commits in units bounded by bytes, not only by rows, so a batch never holds
 * thousands of multi-megabyte values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { RunEvent } from '../../src/engine/events.js';
import { migrate } from '../../src/run/migrate.js';
import { createMysqlDatabase, createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';

const LETTERS = 12;
const SIZE = 1024 * 1024;
let dir: string;
let cleanup: () => Promise<void>;
const drops: Array<() => Promise<void>> = [];

/** Letter i: SIZE pseudo-random bytes (incompressible, every byte value present). */
function scan(i: number): Buffer {
  const b = Buffer.alloc(SIZE);
  let x = 2463534242 + i;
  for (let k = 0; k < SIZE; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[k] = x & 0xff;
  }
  return b;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const expected = Array.from({ length: LETTERS }, (_, i) => sha(scan(i + 1)));

const CONTRACT = `ferry: 1
metadata: { name: letters, version: 1.0.0, owner: tests }
source:
  tables:
    LETTERS:
      primary_key: [ID]
      columns:
        ID: { type: integer }
        SCAN: { type: binary }
target:
  tables:
    letter:
      primary_key: [letter_id]
      columns:
        letter_id: { type: integer, nullable: false }
        scan: { type: binary, nullable: false }
mappings:
  letter:
    source: LETTERS
    load: append
    fields:
      letter_id: { from: ID, rationale: Legacy key. }
      scan: { from: SCAN, rationale: The scanned letter byte for byte. }
`;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await writeFile(path.join(dir, 'contract.yaml'), CONTRACT);
});
afterAll(async () => {
  for (const d of drops) await d();
  await cleanup();
});

async function pgSource(): Promise<string> {
  const db = await createPgDatabase('ferry_bin');
  drops.push(db.drop);
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query('CREATE TABLE "LETTERS" ("ID" bigint PRIMARY KEY, "SCAN" bytea NOT NULL)');
  for (let i = 1; i <= LETTERS; i++) await c.query('INSERT INTO "LETTERS" VALUES ($1, $2)', [i, scan(i)]);
  await c.end();
  return db.url;
}

async function mysqlSource(): Promise<string> {
  const db = await createMysqlDatabase('ferry_bin');
  drops.push(db.drop);
  const c = await mysql.createConnection(db.url);
  await c.query('CREATE TABLE `LETTERS` (`ID` BIGINT PRIMARY KEY, `SCAN` LONGBLOB NOT NULL)');
  for (let i = 1; i <= LETTERS; i++) await c.query('INSERT INTO `LETTERS` VALUES (?, ?)', [i, scan(i)]);
  await c.end();
  return db.url;
}

async function sqliteSource(): Promise<string> {
  const file = path.join(dir, `letters-${drops.length}.db`);
  const db = new Database(file);
  db.exec('CREATE TABLE LETTERS (ID INTEGER PRIMARY KEY, SCAN BLOB NOT NULL)');
  const ins = db.prepare('INSERT INTO LETTERS VALUES (?, ?)');
  for (let i = 1; i <= LETTERS; i++) ins.run(i, scan(i));
  db.close();
  return `sqlite:${file}`;
}

describe.each([
  { kind: 'postgres', source: pgSource },
  { kind: 'mariadb', source: mysqlSource },
  { kind: 'sqlite', source: sqliteSource },
])('binary columns from $kind', ({ source }) => {
  it('arrive byte for byte, in commit units bounded by bytes', async () => {
    const sourceUrl = await source();
    const target = await createPgDatabase('ferry_bin_t');
    drops.push(target.drop);
    const batches: number[] = [];
    const onEvent = (e: RunEvent) => {
      if (e.type === 'batch:loaded') batches.push(e.batchRows);
    };
    const report = await migrate({ contractFile: path.join(dir, 'contract.yaml'), sourceUrl, targetUrl: target.url, batchSize: 1000, batchBytes: 3 * SIZE, onEvent });
    expect(report.status).toBe('succeeded');
    expect(report.totals).toMatchObject({ read: LETTERS, loaded: LETTERS, quarantined: 0 });
    // 12 letters of 1 MB with a 3 MB bound: every unit commits at about three letters, none at all twelve.
    expect(batches.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...batches)).toBeLessThanOrEqual(3 + 1);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(LETTERS);

    const c = new pg.Client({ connectionString: target.url });
    await c.connect();
    const rows = (await c.query('SELECT letter_id, scan FROM letter ORDER BY letter_id')).rows as Array<{ letter_id: string; scan: Buffer }>;
    await c.end();
    expect(rows.map((r) => sha(r.scan))).toEqual(expected);
  }, 120_000);
});
