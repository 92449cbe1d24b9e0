/**
 * The ledger versioning of a SQLite target (connectors/ledger/versioning.ts). BEGIN IMMEDIATE
 * takes the database's write lock up front, so a second Ferry opening the same file waits
 * (busy_timeout) and then finds the ledger already current; SQLite DDL is transactional, so a
 * failed migration leaves the ledger as it was.
 */
import type Database from 'better-sqlite3';
import { upgradeLedger, type LedgerStore } from '../ledger/versioning.js';
import type { Stmt, StmtResult } from '../sql-ledger/statements.js';

/** The LedgerStore of an open database; use inside a transaction. */
export function sqliteLedgerStore(db: Database.Database): LedgerStore {
  return {
    dialect: 'sqlite',
    async readApplied() {
      db.exec('CREATE TABLE IF NOT EXISTS _ferry_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)');
      return db.prepare('SELECT id, name, checksum FROM _ferry_migrations ORDER BY id').all() as Array<{ id: number; name: string; checksum: string }>;
    },
    async run(statement) {
      db.exec(statement);
    },
    async record(row) {
      db.prepare('INSERT INTO _ferry_migrations (id, name, checksum, applied_at) VALUES (?, ?, ?, ?)').run(row.id, row.name, row.checksum, row.appliedAt);
    },
    async ledgerLayout() {
      const names = db
        .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND substr(name, 1, 6) = '_ferry' AND name <> '_ferry_migrations' ORDER BY name")
        .pluck()
        .all() as string[];
      return new Map(names.map((n) => [n, db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(n) as string[]]));
    },
  };
}

/** Upgrades the ledger of `db` under BEGIN IMMEDIATE; `where` names the target in messages. */
export async function upgradeSqliteLedger(db: Database.Database, where: string): Promise<void> {
  db.exec('BEGIN IMMEDIATE');
  try {
    // Nothing else uses this connection while it opens, so awaiting inside the transaction is safe.
    await upgradeLedger(sqliteLedgerStore(db), where);
    db.exec('COMMIT');
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

/** Runs the shared SQL ledger's statements on a database, synchronously (so inside its transaction functions), preparing each text once. */
export function sqliteExec(db: Database.Database): (s: Stmt) => StmtResult {
  const prepared = new Map<string, Database.Statement>();
  return (s) => {
    let stmt = prepared.get(s.sql);
    if (!stmt) prepared.set(s.sql, (stmt = db.prepare(s.sql)));
    return stmt.reader ? { rows: stmt.all(...s.params) as StmtResult['rows'], changes: 0 } : { rows: [], changes: stmt.run(...s.params).changes };
  };
}
