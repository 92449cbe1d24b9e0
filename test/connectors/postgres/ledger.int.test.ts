import { afterAll, beforeAll } from 'vitest';
import { LEDGER_MIGRATIONS } from '../../../src/connectors/ledger/migrations.js';
import { lockLedger, pgLedgerStore } from '../../../src/connectors/postgres/ledger-store.js';
import { describeLedgerVersioning, migrateTo } from '../ledger-versioning.js';
import { pgTestDb, type PgTestDb } from './harness.js';

let db: PgTestDb;
beforeAll(async () => {
  db = await pgTestDb();
});
afterAll(async () => {
  await db.drop();
});

describeLedgerVersioning('postgres', async () => {
  const schema = db.schemaName();
  const inSchema = async (statements: readonly string[]) => {
    await db.admin.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await db.admin.query(`SET search_path TO "${schema}"`);
    try {
      for (const s of statements) await db.admin.query(s);
    } finally {
      await db.admin.query('RESET search_path');
    }
  };
  return {
    open: () => db.target(schema),
    async writeLegacy() {
      await inSchema([...LEDGER_MIGRATIONS[0].sql.postgres, "INSERT INTO _ferry_runs VALUES ('old', 'd', '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 'succeeded')"]);
    },
    async writeVersion(version) {
      await db.admin.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await db.admin.query('BEGIN');
      try {
        await lockLedger(db.admin, schema);
        await migrateTo(pgLedgerStore(db.admin, schema), version);
        await db.admin.query("INSERT INTO _ferry_runs (run_id, contract_digest, started_at, finished_at, status) VALUES ('old', 'd', '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 'succeeded')");
        if (version >= 2) await db.admin.query("UPDATE _ferry_runs SET run_report = $1 WHERE run_id = 'old'", ['{"runId":"old"}']);
        await db.admin.query('COMMIT');
      } catch (err) {
        await db.admin.query('ROLLBACK');
        throw err;
      }
    },
    async writeForeign() {
      await inSchema(['CREATE TABLE _ferry_runs (run_id TEXT PRIMARY KEY, status TEXT)']);
      return { name: '_ferry_runs' };
    },
    async addHistory(id, name) {
      await db.admin.query(`INSERT INTO "${schema}"._ferry_migrations VALUES ($1, $2, 'x', '2030-01-01T00:00:00Z')`, [id, name]);
    },
    async history() {
      const present = await db.admin.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [schema, '_ferry_migrations']);
      if (present.rowCount === 0) return [];
      return (await db.admin.query<{ id: number }>(`SELECT id FROM "${schema}"._ferry_migrations ORDER BY id`)).rows.map((r) => r.id);
    },
    async cleanup() {
      await db.admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
});
