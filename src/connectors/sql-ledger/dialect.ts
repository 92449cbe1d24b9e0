/**
 * What the shared SQL ledger needs to know about a database: how to name a ledger table, how
 * to write a parameter, how to upsert and lock a row, and how a boolean is bound.
 */
import type { Stmt } from './statements.js';

/** The per-database description the SQL ledger is written over. */
export interface SqlLedgerDialect {
  /** A ledger table's name, quoted (and schema-qualified where the target has a schema). */
  table(name: string): string;
  /** A column name, quoted. */
  column(name: string): string;
  /** The placeholder of the `n`-th parameter, counting from 1. */
  param(n: number): string;
  /** The clause that locks a row read for update inside a transaction; empty where the transaction already excludes writers (SQLite). */
  forUpdate: string;
  /** Upsert clause for a conflict on `key`, setting `columns` to the new values. */
  upsert(key: readonly string[], columns: readonly string[]): string;
  /** Clause that turns an INSERT hitting an existing `key` into a no-op. */
  ignoreConflict(key: readonly string[]): string;
  /** A boolean as the driver binds it. */
  bool(v: boolean): unknown;
  /** A query with a row when ledger table `name` exists: readers that do not prepare the ledger (rollback) meet older layouts. */
  hasTable(name: string): Stmt;
}

/** PostgreSQL: `$n` parameters, ON CONFLICT … DO UPDATE, tables qualified by the target schema. */
export function postgresLedgerDialect(quote: (table: string) => string): SqlLedgerDialect {
  return {
    table: quote,
    column: (name) => `"${name.replace(/"/g, '""')}"`,
    param: (n) => `$${n}`,
    forUpdate: ' FOR UPDATE',
    upsert: (key, columns) => `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`,
    ignoreConflict: (key) => `ON CONFLICT (${key.join(', ')}) DO NOTHING`,
    bool: (v) => v,
    hasTable: (name) => ({ sql: 'SELECT 1 AS ok WHERE to_regclass($1) IS NOT NULL', params: [quote(name)] }),
  };
}

/** MySQL/MariaDB: `?` parameters, ON DUPLICATE KEY UPDATE, backtick-quoted tables. */
export const MYSQL_LEDGER_DIALECT: SqlLedgerDialect = {
  table: (name) => `\`${name.replace(/`/g, '``')}\``,
  column: (name) => `\`${name.replace(/`/g, '``')}\``,
  param: () => '?',
  forUpdate: ' FOR UPDATE',
  upsert: (_key, columns) => `ON DUPLICATE KEY UPDATE ${columns.map((c) => `${c} = VALUES(${c})`).join(', ')}`,
  ignoreConflict: (key) => `ON DUPLICATE KEY UPDATE ${key[0]} = ${key[0]}`,
  bool: (v) => (v ? 1 : 0),
  hasTable: (name) => ({ sql: 'SELECT 1 AS ok FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?', params: [name] }),
};

/** SQLite: `?` parameters, ON CONFLICT … DO UPDATE; BEGIN IMMEDIATE already excludes other writers. */
export const SQLITE_LEDGER_DIALECT: SqlLedgerDialect = {
  table: (name) => `"${name.replace(/"/g, '""')}"`,
  column: (name) => `"${name.replace(/"/g, '""')}"`,
  param: () => '?',
  forUpdate: '',
  upsert: (key, columns) => `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${columns.map((c) => `${c} = excluded.${c}`).join(', ')}`,
  ignoreConflict: (key) => `ON CONFLICT (${key.join(', ')}) DO NOTHING`,
  bool: (v) => (v ? 1 : 0),
  hasTable: (name) => ({ sql: "SELECT 1 AS ok FROM sqlite_master WHERE type = 'table' AND name = ?", params: [name] }),
};
