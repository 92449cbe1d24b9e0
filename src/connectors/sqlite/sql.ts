/**
 * SQL text for SQLite: identifier quoting and the DDL Ferry creates. Identifiers are always
 * quoted, never interpolated bare, so a table named `order` or `a"b` is just a name.
 */
import type { LogicalType, TargetTableDef } from '../connector.js';

/** Quotes an identifier for SQLite. */
export function q(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes and joins a list of identifiers. */
export function qList(names: readonly string[]): string {
  return names.map(q).join(', ');
}

// Decimals, dates and timestamps are stored as TEXT: NUMERIC affinity would turn '12.50' into
// the REAL 12.5 and lose the scale the contract declared.
const STORAGE: Record<LogicalType, string> = {
  text: 'TEXT',
  integer: 'INTEGER',
  decimal: 'TEXT',
  date: 'TEXT',
  timestamp: 'TEXT',
  boolean: 'INTEGER',
  binary: 'BLOB',
};

/** CREATE TABLE for a contract's target table. */
export function createTableSql(def: TargetTableDef): string {
  const parts = def.columns.map((c) => `${q(c.name)} ${STORAGE[c.type]}${c.nullable ? '' : ' NOT NULL'}`);
  if (def.primaryKey.length) parts.push(`PRIMARY KEY (${qList(def.primaryKey)})`);
  for (const fk of def.foreignKeys) parts.push(`FOREIGN KEY (${qList(fk.columns)}) REFERENCES ${q(fk.references.table)} (${qList(fk.references.columns)})`);
  return `CREATE TABLE ${q(def.name)} (\n  ${parts.join(',\n  ')}\n)`;
}

/** Ferry's bookkeeping tables, the same names and columns as every database target. */
export const BOOKKEEPING_DDL = [
  `CREATE TABLE IF NOT EXISTS _ferry_runs (
    run_id TEXT PRIMARY KEY, contract_digest TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS _ferry_checkpoints (
    run_id TEXT NOT NULL, table_name TEXT NOT NULL, row_offset INTEGER NOT NULL, loaded INTEGER NOT NULL,
    quarantined INTEGER NOT NULL, excluded INTEGER NOT NULL, done INTEGER NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (run_id, table_name))`,
  `CREATE TABLE IF NOT EXISTS _ferry_quarantine (
    id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, source_table TEXT NOT NULL, source_key TEXT NOT NULL,
    target_table TEXT NOT NULL, rule TEXT NOT NULL, reason_code TEXT NOT NULL, message TEXT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS _ferry_quarantine_run ON _ferry_quarantine (run_id, id)`,
];

/** INSERT for rows of `def`; for upsert, later rows with the same key replace earlier ones. */
export function insertSql(def: TargetTableDef, upsert: boolean): string {
  const cols = def.columns.map((c) => c.name);
  const sql = `INSERT INTO ${q(def.name)} (${qList(cols)}) VALUES (${cols.map(() => '?').join(', ')})`;
  if (!upsert) return sql;
  const rest = cols.filter((c) => !def.primaryKey.includes(c));
  const action = rest.length ? `DO UPDATE SET ${rest.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}` : 'DO NOTHING';
  return `${sql} ON CONFLICT (${qList(def.primaryKey)}) ${action}`;
}
