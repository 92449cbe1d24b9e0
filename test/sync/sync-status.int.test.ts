/**
 * `ferry sync status` (syncStatus) on targets no sync ever prepared: a fresh PostgreSQL and
 * MariaDB database list no syncs and name an unknown id as such, without creating the ledger.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncStatus } from '../../src/sync/sync-status.js';
import { createMysqlDatabase, createPgDatabase } from '../helpers/databases.js';

let pgDb: Awaited<ReturnType<typeof createPgDatabase>>;
let myDb: Awaited<ReturnType<typeof createMysqlDatabase>>;

beforeAll(async () => {
  [pgDb, myDb] = await Promise.all([createPgDatabase('ferry_status'), createMysqlDatabase('ferry_status')]);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([pgDb?.drop(), myDb?.drop()]);
});

async function pgTables(): Promise<unknown[]> {
  const c = new pg.Client({ connectionString: pgDb.url });
  await c.connect();
  try {
    return (await c.query("SELECT table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")).rows;
  } finally {
    await c.end();
  }
}

async function mysqlTables(): Promise<unknown> {
  const c = await mysql.createConnection(myDb.url);
  try {
    return (await c.query('SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()'))[0];
  } finally {
    await c.end();
  }
}

describe('sync status on a target without a sync ledger', () => {
  it('lists no syncs and calls an id unknown, on PostgreSQL and MariaDB, creating nothing', async () => {
    for (const url of [pgDb.url, myDb.url]) {
      expect(await syncStatus(url)).toEqual([]);
      await expect(syncStatus(url, 'sync-never')).rejects.toMatchObject({ code: 'sync.unknown' });
    }
    expect(await pgTables()).toEqual([]);
    expect(await mysqlTables()).toEqual([]);
  });
});
