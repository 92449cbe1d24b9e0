/**
 * The read-only connection reconciliation compares on reports a backend the server terminated
 * (57P01) as that, not as the driver's echo of a dead connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError } from '../../src/errors.js';
import { openSqlTarget } from '../../src/reconcile/sql-target.js';
import { pgTestDb, type PgTestDb } from '../connectors/postgres/harness.js';

let db: PgTestDb;
beforeAll(async () => {
  db = await pgTestDb();
});
afterAll(async () => {
  await db.drop();
});

describe("reconciliation's target connection", () => {
  it('names the server terminating the connection when a later query fails', async () => {
    const sql = await openSqlTarget(db.url);
    try {
      const [[pid]] = await sql!.exec('SELECT pg_backend_pid()', []);
      await db.admin.query('SELECT pg_terminate_backend($1)', [pid]);
      // The driver emits the server's ErrorResponse asynchronously; give it a moment to arrive.
      await new Promise((r) => setTimeout(r, 200));
      const err = await sql!.exec('SELECT 1', []).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FerryError);
      expect((err as FerryError).code).toBe('reconcile.query_failed');
      expect((err as FerryError).message).toMatch(/the PostgreSQL server terminated the connection \(57P01 admin shutdown/);
    } finally {
      await sql?.close();
    }
  });
});
