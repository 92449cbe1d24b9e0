import type { RowDataPacket } from 'mysql2/promise';
import { LEDGER_MIGRATIONS } from '../../../src/connectors/ledger/migrations.js';
import { describeLedgerVersioning } from '../ledger-versioning.js';
import { mysqlTestDb } from './harness.js';

describeLedgerVersioning('mysql', async () => {
  const db = await mysqlTestDb();
  return {
    open: () => db.target(),
    async writeLegacy() {
      for (const s of LEDGER_MIGRATIONS[0].sql.mysql) await db.admin.query(s);
      await db.admin.query("INSERT INTO `_ferry_runs` VALUES ('old', 'd', '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 'succeeded')");
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
