/**
 * The ledger versioning of a MySQL/MariaDB target (connectors/ledger/versioning.ts). MySQL DDL
 * commits implicitly, so a transaction cannot keep two migrators apart: a named server lock
 * per database (GET_LOCK) does, and every ledger statement is re-runnable in case a migration
 * is cut short between its DDL and its history row.
 */
import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { FerryError } from '../../errors.js';
import type { AppliedMigration } from '../../migrations/migration.js';
import type { LedgerStore } from '../ledger/versioning.js';
import type { Stmt, StmtResult } from '../sql-ledger/statements.js';
import { TABLE_OPTIONS } from './ddl.js';

/** How long a second Ferry waits for another one's ledger migration before giving up. */
const LOCK_WAIT_SECONDS = 120;

/** Runs `fn` holding the database's ledger lock on connection `c`. */
export async function withLedgerLock<T>(c: PoolConnection, where: string, fn: () => Promise<T>): Promise<T> {
  // Lock names are server-wide and at most 64 characters: hash the database name into one.
  const [rows] = await c.query<RowDataPacket[]>("SELECT GET_LOCK(CONCAT('ferry_ledger:', SHA1(DATABASE())), ?) AS got", [LOCK_WAIT_SECONDS]);
  if (Number(rows[0].got) !== 1) {
    throw new FerryError('conflict', 'target.ledger_locked', `another Ferry has been preparing the ledger in ${where} for over ${LOCK_WAIT_SECONDS} s; wait for it to finish, then run again`);
  }
  try {
    return await fn();
  } finally {
    await c.query("SELECT RELEASE_LOCK(CONCAT('ferry_ledger:', SHA1(DATABASE())))").catch(() => undefined);
  }
}

/** The ledger history of the connection's database as recorded, without creating anything; empty when it keeps none. */
export async function readMysqlLedgerHistory(c: PoolConnection): Promise<AppliedMigration[]> {
  const [present] = await c.query<RowDataPacket[]>("SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '_ferry_migrations'");
  if (present.length === 0) return [];
  const [rows] = await c.query<RowDataPacket[]>('SELECT id, name, checksum FROM `_ferry_migrations` ORDER BY id');
  return rows.map((r) => ({ id: Number(r.id), name: String(r.name), checksum: String(r.checksum) }));
}

/** The LedgerStore of the connection's database; use inside withLedgerLock. */
export function mysqlLedgerStore(c: PoolConnection): LedgerStore {
  return {
    dialect: 'mysql',
    async readApplied() {
      await c.query(
        `CREATE TABLE IF NOT EXISTS \`_ferry_migrations\` (id INT NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, checksum VARCHAR(64) NOT NULL, applied_at VARCHAR(40) NOT NULL) ${TABLE_OPTIONS}`,
      );
      return readMysqlLedgerHistory(c);
    },
    async run(statement) {
      try {
        await c.query(statement);
      } catch (err) {
        // ER_DUP_FIELDNAME: an ADD COLUMN that committed before a crash kept its history row from being written; it is done.
        if ((err as { errno?: number }).errno !== 1060) throw err;
      }
    },
    async record(row) {
      await c.query('INSERT INTO `_ferry_migrations` (id, name, checksum, applied_at) VALUES (?, ?, ?, ?)', [row.id, row.name, row.checksum, row.appliedAt]);
    },
    async ledgerLayout() {
      const [rows] = await c.query<RowDataPacket[]>(
        `SELECT table_name AS t, column_name AS c FROM information_schema.columns
          WHERE table_schema = DATABASE() AND LEFT(table_name, 6) = '_ferry' AND table_name <> '_ferry_migrations' ORDER BY table_name, ordinal_position`,
      );
      const layout = new Map<string, string[]>();
      for (const r of rows) layout.set(String(r.t), [...(layout.get(String(r.t)) ?? []), String(r.c)]);
      return layout;
    },
  };
}

/** Runs the shared SQL ledger's statements on a connection (joining its transaction, if any). */
export function mysqlExec(c: PoolConnection): (s: Stmt) => Promise<StmtResult> {
  return async (s) => {
    const [res] = await c.query(s.sql, s.params);
    return Array.isArray(res) ? { rows: res as RowDataPacket[], changes: 0 } : { rows: [], changes: (res as ResultSetHeader).affectedRows };
  };
}
