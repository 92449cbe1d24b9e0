import mysql, { type RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { LEDGER_MIGRATIONS } from '../../../src/connectors/ledger/migrations.js';
import { mysqlLedgerStore, withLedgerLock } from '../../../src/connectors/mysql/ledger-store.js';
import { describeLedgerVersioning, migrateTo } from '../ledger-versioning.js';
import { mysqlTestDb } from './harness.js';

/** Brings the ledger of database `url` to `version` as that Ferry did: the ledger store wants a pool's connection, as the target hands it one. */
async function migrateDb(url: string, version: number): Promise<void> {
  const pool = mysql.createPool({ uri: url, connectionLimit: 1 });
  try {
    const c = await pool.getConnection();
    try {
      await withLedgerLock(c, 'the test database', () => migrateTo(mysqlLedgerStore(c), version));
    } finally {
      c.release();
    }
  } finally {
    await pool.end();
  }
}

describeLedgerVersioning('mysql', async () => {
  const db = await mysqlTestDb();
  return {
    open: () => db.target(),
    async writeLegacy() {
      for (const s of LEDGER_MIGRATIONS[0].sql.mysql) await db.admin.query(s);
      await db.admin.query("INSERT INTO `_ferry_runs` VALUES ('old', 'd', '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 'succeeded')");
    },
    async writeVersion(version) {
      await migrateDb(db.url, version);
      await db.admin.query("INSERT INTO `_ferry_runs` (run_id, contract_digest, started_at, finished_at, status) VALUES ('old', 'd', '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 'succeeded')");
      if (version >= 2) await db.admin.query("UPDATE `_ferry_runs` SET run_report = ? WHERE run_id = 'old'", ['{"runId":"old"}']);
    },
    async writeForeign() {
      await db.admin.query('CREATE TABLE `_ferry_runs` (run_id VARCHAR(255) PRIMARY KEY, status TEXT)');
      return { name: '_ferry_runs' };
    },
    async addHistory(id, name) {
      await db.admin.query("INSERT INTO `_ferry_migrations` VALUES (?, ?, 'x', '2030-01-01T00:00:00Z')", [id, name]);
    },
    async history() {
      const [present] = await db.admin.query<RowDataPacket[]>("SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '_ferry_migrations'");
      if (present.length === 0) return [];
      const [rows] = await db.admin.query<RowDataPacket[]>('SELECT id FROM `_ferry_migrations` ORDER BY id');
      return rows.map((r) => Number(r.id));
    },
    cleanup: () => db.drop(),
  };
});

describe('mysql target ledger version 3', () => {
  it('finishes a version-3 migration cut short after its ADD COLUMN committed (MySQL DDL commits on its own)', async () => {
    const db = await mysqlTestDb();
    try {
      await migrateDb(db.url, 2);
      // What a Ferry killed between the DDL and its history row leaves: run_plan there, version 3 not recorded.
      for (const s of LEDGER_MIGRATIONS[2].sql.mysql) await db.admin.query(s);
      const target = await db.target();
      try {
        await target.ensureSchema([], { create: true });
        const [rows] = await db.admin.query<RowDataPacket[]>('SELECT id FROM `_ferry_migrations` ORDER BY id');
        expect(rows.map((r) => Number(r.id))).toEqual(LEDGER_MIGRATIONS.map((m) => m.id));
        await target.beginRun({ runId: 'r', contractDigest: 'd', startedAt: '2026-01-02T00:00:00Z', status: 'running', plan: '{"partitions":4}' });
        expect((await target.getRun('r'))?.plan).toBe('{"partitions":4}');
      } finally {
        await target.close();
      }
    } finally {
      await db.drop();
    }
  });
});
