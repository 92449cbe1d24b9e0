import Database from 'better-sqlite3';
import { LEDGER_MIGRATIONS } from '../../../src/connectors/ledger/migrations.js';
import { sqliteLedgerStore } from '../../../src/connectors/sqlite/ledger-store.js';
import { SqliteTarget } from '../../../src/connectors/sqlite/target.js';
import { describeLedgerVersioning, migrateTo } from '../ledger-versioning.js';
import { tempDb } from './helpers.js';

describeLedgerVersioning('sqlite', async () => {
  const { file, cleanup } = await tempDb('sqlite-ledger');
  const withDb = <T>(fn: (db: Database.Database) => T): T => {
    const db = new Database(file);
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  return {
    open: () => SqliteTarget.open(`sqlite:${file}`, { file, busyTimeout: 5000 }),
    async writeLegacy() {
      withDb((db) => {
        for (const s of LEDGER_MIGRATIONS[0].sql.sqlite) db.exec(s);
        db.prepare("INSERT INTO _ferry_runs VALUES ('old', 'd', '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 'succeeded')").run();
      });
    },
    async writeVersion(version) {
      const db = new Database(file);
      try {
        await migrateTo(sqliteLedgerStore(db), version);
        db.prepare("INSERT INTO _ferry_runs (run_id, contract_digest, started_at, finished_at, status) VALUES ('old', 'd', '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 'succeeded')").run();
        if (version >= 2) db.prepare("UPDATE _ferry_runs SET run_report = ? WHERE run_id = 'old'").run('{"runId":"old"}');
      } finally {
        db.close();
      }
    },
    async writeForeign() {
      withDb((db) => db.exec('CREATE TABLE _ferry_runs (run_id TEXT PRIMARY KEY, status TEXT)'));
      return { name: '_ferry_runs' };
    },
    async addHistory(id, name) {
      withDb((db) => db.prepare("INSERT INTO _ferry_migrations VALUES (?, ?, 'x', '2030-01-01T00:00:00Z')").run(id, name));
    },
    async history() {
      return withDb((db) => {
        const present = db.prepare("SELECT 1 FROM sqlite_master WHERE name = '_ferry_migrations'").get();
        return present ? (db.prepare('SELECT id FROM _ferry_migrations ORDER BY id').pluck().all() as number[]) : [];
      });
    },
    cleanup,
  };
});
