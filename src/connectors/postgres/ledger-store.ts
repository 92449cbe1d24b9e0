/**
 * The ledger versioning of a PostgreSQL target (connectors/ledger/versioning.ts), bound to one
 * transaction: an advisory lock per schema keeps two Ferry processes from migrating the same
 * ledger at once, and `search_path` points the unqualified migration statements at the schema.
 */
import type { ClientBase } from 'pg';
import type { AppliedMigration } from '../../migrations/migration.js';
import type { LedgerStore } from '../ledger/versioning.js';
import type { Stmt, StmtResult } from '../sql-ledger/statements.js';
import { ident, qualified } from './quote.js';

/** Takes the schema's ledger lock and aims unqualified names at it, until the transaction ends. */
export async function lockLedger(c: ClientBase, schema: string): Promise<void> {
  await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ferry ledger ${schema}`]);
  await c.query(`SET LOCAL search_path TO ${ident(schema)}`);
}

/** The ledger history of `schema` as recorded, without creating anything; empty when it keeps none. */
export async function readPgLedgerHistory(c: ClientBase, schema: string): Promise<AppliedMigration[]> {
  const present = await c.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [qualified(schema, '_ferry_migrations')]);
  if (!present.rows[0].ok) return [];
  return (await c.query<AppliedMigration>(`SELECT id, name, checksum FROM ${qualified(schema, '_ferry_migrations')} ORDER BY id`)).rows;
}

/** The LedgerStore of `schema` on a client inside a transaction that holds lockLedger. */
export function pgLedgerStore(c: ClientBase, schema: string): LedgerStore {
  return {
    dialect: 'postgres',
    async readApplied() {
      await c.query('CREATE TABLE IF NOT EXISTS _ferry_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)');
      return readPgLedgerHistory(c, schema);
    },
    async run(statement) {
      await c.query(statement);
    },
    async record(row) {
      await c.query('INSERT INTO _ferry_migrations (id, name, checksum, applied_at) VALUES ($1, $2, $3, $4)', [row.id, row.name, row.checksum, row.appliedAt]);
    },
    async ledgerLayout() {
      const res = await c.query<{ t: string; c: string }>(
        `SELECT table_name AS t, column_name AS c FROM information_schema.columns
          WHERE table_schema = $1 AND left(table_name, 6) = '_ferry' AND table_name <> '_ferry_migrations' ORDER BY table_name, ordinal_position`,
        [schema],
      );
      const layout = new Map<string, string[]>();
      for (const r of res.rows) layout.set(r.t, [...(layout.get(r.t) ?? []), r.c]);
      return layout;
    },
  };
}

/** Runs the shared SQL ledger's statements on a client (joining its transaction, if any). */
export function pgExec(c: ClientBase): (s: Stmt) => Promise<StmtResult> {
  return async (s) => {
    const res = await c.query(s.sql, s.params);
    return { rows: res.rows, changes: res.rowCount ?? 0 };
  };
}
