/**
 * DDL for PostgreSQL targets: contract tables and Ferry's bookkeeping tables.
 */
import type { TargetColumnDef, TargetTableDef } from '../connector.js';
import { ident, identList, qualified } from './quote.js';

/** The PostgreSQL column type for a contract column. */
export function pgColumnType(c: TargetColumnDef): string {
  switch (c.type) {
    case 'text':
      return c.length ? `varchar(${c.length})` : 'text';
    case 'integer':
      return 'bigint';
    case 'decimal':
      return c.precision ? `numeric(${c.precision}, ${c.scale ?? 0})` : 'numeric';
    case 'date':
      return 'date';
    case 'timestamp':
      return 'timestamp';
    case 'boolean':
      return 'boolean';
    case 'binary':
      return 'bytea';
  }
}

/**
 * CREATE TABLE for a contract table. Foreign keys stay in the contract but are deliberately
 * not created: tables load in FK order, yet a quarantined parent row would make every child
 * batch that references it fail as a whole. Referential integrity is measured and gated by
 * the quality KPIs instead, where a dangling reference is counted and reported by key.
 */
export function createTableSql(schema: string, t: TargetTableDef): string {
  const cols = t.columns.map((c) => `${ident(c.name)} ${pgColumnType(c)}${c.nullable ? '' : ' NOT NULL'}`);
  if (t.primaryKey.length) cols.push(`PRIMARY KEY (${identList(t.primaryKey)})`);
  return `CREATE TABLE IF NOT EXISTS ${qualified(schema, t.name)} (\n  ${cols.join(',\n  ')}\n)`;
}

/** CREATE statements for `_ferry_runs`, `_ferry_checkpoints` and `_ferry_quarantine`. */
export function bookkeepingSql(schema: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${qualified(schema, '_ferry_runs')} (
      run_id TEXT PRIMARY KEY, contract_digest TEXT NOT NULL, started_at TEXT NOT NULL,
      finished_at TEXT, status TEXT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${qualified(schema, '_ferry_checkpoints')} (
      run_id TEXT NOT NULL, table_name TEXT NOT NULL, row_offset BIGINT NOT NULL,
      loaded BIGINT NOT NULL, quarantined BIGINT NOT NULL, excluded BIGINT NOT NULL,
      done BOOLEAN NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (run_id, table_name))`,
    `CREATE TABLE IF NOT EXISTS ${qualified(schema, '_ferry_quarantine')} (
      id BIGSERIAL PRIMARY KEY, run_id TEXT NOT NULL, source_table TEXT NOT NULL,
      source_key TEXT NOT NULL, target_table TEXT NOT NULL, rule TEXT NOT NULL,
      reason_code TEXT NOT NULL, message TEXT NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS "_ferry_quarantine_run" ON ${qualified(schema, '_ferry_quarantine')} (run_id, id)`,
  ];
}
