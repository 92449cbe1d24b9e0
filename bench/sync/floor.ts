/**
 * The physical limit the sync is measured against: how many single-row upsert transactions per
 * second the target server commits for one client on this machine, in a fresh database of its
 * own. A stream that applied each source transaction as its own target transaction could go no
 * faster; Ferry groups the transactions already waiting into one target transaction.
 */
import pg from 'pg';
import { dropPgDatabase, freshPgDatabase } from '../lib.js';

const DB = 'ferry_bench_sync_floor';

/** Commits `n` single-row upserts (autocommit, one client) and returns transactions per second. */
export async function upsertFloor(n: number): Promise<{ transactions: number; ms: number; perSecond: number }> {
  const url = await freshPgDatabase(DB);
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    await c.query('CREATE TABLE t (id integer PRIMARY KEY, surname text NOT NULL, updated integer NOT NULL)');
    const sql = 'INSERT INTO t (id, surname, updated) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET surname = EXCLUDED.surname, updated = EXCLUDED.updated';
    // Half new keys, half updates of keys already there, as a sync applies a mix of inserts and updates.
    for (let i = 0; i < 50; i++) await c.query(sql, [i, 'WARM', 0]);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await c.query(sql, [i % 2 === 0 ? i : i % 1000, `S${i % 10}`, i]);
    const ms = performance.now() - t0;
    return { transactions: n, ms, perSecond: (n / ms) * 1000 };
  } finally {
    await c.end().catch(() => undefined);
    await dropPgDatabase(DB);
  }
}
