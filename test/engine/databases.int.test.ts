/**
 * The same contract end to end across the real database connectors: PostgreSQL and MariaDB
 * as sources and targets give exactly the counts and rows of the CSV → SQLite run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import mysql from 'mysql2/promise';
import { migrate } from '../../src/run/migrate.js';
import { createMysqlDatabase, createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';
import { writeFixture } from './fixture.js';

const TABLES = ['PAT', 'ADDR', 'GP'];
let dir: string;
let contractFile: string;
let cleanupDir: () => Promise<void>;
const drops: Array<() => Promise<void>> = [];

async function header(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n')[0].split(',');
}

/** Loads the fixture CSVs into PostgreSQL tables with text columns and primary keys. */
async function seedPg(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (const t of TABLES) {
      const file = path.join(dir, 'source', `${t}.csv`);
      const cols = await header(file);
      await c.query(`CREATE TABLE "${t}" (${cols.map((x) => `"${x}" text`).join(', ')}, PRIMARY KEY ("${cols[0]}"))`);
      await pipeline(Readable.from([await readFile(file)]), c.query(copyFrom(`COPY "${t}" FROM STDIN WITH (FORMAT csv, HEADER true)`)));
    }
  } finally {
    await c.end();
  }
}

/** Loads the fixture CSVs into MariaDB tables. */
async function seedMysql(url: string): Promise<void> {
  const c = await mysql.createConnection(url);
  try {
    for (const t of TABLES) {
      const lines = (await readFile(path.join(dir, 'source', `${t}.csv`), 'utf8')).trim().split('\n');
      const cols = lines[0].split(',');
      await c.query(`CREATE TABLE \`${t}\` (${cols.map((x) => `\`${x}\` VARCHAR(64)`).join(', ')}, PRIMARY KEY (\`${cols[0]}\`))`);
      const rows = lines.slice(1).map((l) => l.split(','));
      await c.query(`INSERT INTO \`${t}\` VALUES ?`, [rows]);
    }
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  ({ dir, cleanup: cleanupDir } = await tempDir());
  contractFile = await writeFixture(dir, 30);
});
afterAll(async () => {
  for (const d of drops) await d();
  await cleanupDir();
});

describe('database connectors end to end', () => {
  it('CSV → PostgreSQL, PostgreSQL → MariaDB and MariaDB → SQLite give identical results', async () => {
    const pgTarget = await createPgDatabase();
    drops.push(pgTarget.drop);
    const viaCsv = await migrate({ contractFile, sourceUrl: `csv:${dir}/source`, targetUrl: pgTarget.url });

    const pgSource = await createPgDatabase();
    drops.push(pgSource.drop);
    await seedPg(pgSource.url);
    const my = await createMysqlDatabase();
    drops.push(my.drop);
    const viaPg = await migrate({ contractFile, sourceUrl: pgSource.url, targetUrl: my.url });

    const mySource = await createMysqlDatabase();
    drops.push(mySource.drop);
    await seedMysql(mySource.url);
    const viaMysql = await migrate({ contractFile, sourceUrl: mySource.url, targetUrl: `sqlite:${dir}/out.db` });

    for (const r of [viaCsv, viaPg, viaMysql]) {
      expect(r.status, JSON.stringify(r.error)).toBe('succeeded');
      expect(r.totals).toEqual(viaCsv.totals);
      expect(r.quarantineReasons).toEqual(viaCsv.quarantineReasons);
    }
    expect(viaCsv.tables.find((t) => t.table === 'patient')).toMatchObject({ read: 30, quarantined: 3, excluded: 1, loaded: 26 });

    const c = new pg.Client({ connectionString: pgTarget.url });
    await c.connect();
    const pgRows = (await c.query('SELECT patient_id::text, nhs_number, family_name, date_of_birth::text AS dob, sex, gp_practice FROM patient ORDER BY patient_id')).rows;
    await c.end();
    const m = await mysql.createConnection(my.url);
    const [myRows] = await m.query({
      sql: 'SELECT CAST(patient_id AS CHAR) AS patient_id, nhs_number, family_name, CAST(date_of_birth AS CHAR) AS dob, sex, gp_practice FROM patient ORDER BY patient_id',
      rowsAsArray: false,
    });
    await m.end();
    expect(myRows).toEqual(pgRows);
    expect(pgRows).toHaveLength(26);
  });
});

describe('cancelling a run that reads PostgreSQL', () => {
  it('ends cancelled with the counts it committed, although the source stops by throwing', async () => {
    const pgSource = await createPgDatabase();
    drops.push(pgSource.drop);
    const bigDir = path.join(dir, 'big');
    await writeFixture(bigDir, 3000);
    const saved = dir;
    dir = bigDir;
    try {
      await seedPg(pgSource.url);
    } finally {
      dir = saved;
    }
    const ctl = new AbortController();
    const report = await migrate({
      contractFile,
      sourceUrl: pgSource.url,
      targetUrl: `sqlite:${dir}/cancelled.db`,
      batchSize: 500,
      concurrency: 1,
      reconcile: false,
      signal: ctl.signal,
      // Cancel once the first batch is committed, in the middle of the first table.
      onEvent: (e) => {
        if (e.type === 'batch:loaded') ctl.abort();
      },
    });
    expect(report.status).toBe('cancelled');
    expect(report.tables).toHaveLength(1);
    expect(report.tables[0].read).toBe(500);
    expect(report.totals.read).toBe(500);
  });
});
