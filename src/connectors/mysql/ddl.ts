/**
 * DDL for MySQL/MariaDB targets: contract tables and Ferry's bookkeeping tables, InnoDB
 * (transactions are what make a batch atomic) and utf8mb4 (patient names need all of Unicode).
 */
import type { TargetColumnDef, TargetTableDef } from '../connector.js';
import { ident, identList } from './quote.js';

const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';

// Above this a utf8mb4 VARCHAR no longer fits InnoDB's 65,535-byte row limit on its own.
const MAX_VARCHAR = 16_383;

/** The MySQL column type for a contract column; key columns must be VARCHAR because TEXT cannot be indexed whole. */
export function mysqlColumnType(c: TargetColumnDef, inKey: boolean): string {
  switch (c.type) {
    case 'text':
      if (c.length && c.length <= MAX_VARCHAR) return `VARCHAR(${c.length})`;
      return inKey ? 'VARCHAR(255)' : 'LONGTEXT';
    case 'integer':
      return 'BIGINT';
    case 'decimal':
      return c.precision ? `DECIMAL(${Math.min(c.precision, 65)}, ${Math.min(c.scale ?? 0, 30)})` : 'DECIMAL(38, 10)';
    case 'date':
      return 'DATE';
    case 'timestamp':
      return 'DATETIME(6)';
    case 'boolean':
      return 'TINYINT(1)';
    case 'binary':
      return 'LONGBLOB';
  }
}

/**
 * CREATE TABLE for a contract table. Foreign keys stay in the contract but are deliberately
 * not created: tables load in FK order, yet a quarantined parent row would make every child
 * batch that references it fail as a whole. Referential integrity is measured and gated by
 * the quality KPIs instead, where a dangling reference is counted and reported by key.
 */
export function createTableSql(t: TargetTableDef): string {
  const keys = new Set(t.primaryKey);
  const cols = t.columns.map((c) => `${ident(c.name)} ${mysqlColumnType(c, keys.has(c.name))}${c.nullable ? ' NULL' : ' NOT NULL'}`);
  if (t.primaryKey.length) cols.push(`PRIMARY KEY (${identList(t.primaryKey)})`);
  return `CREATE TABLE IF NOT EXISTS ${ident(t.name)} (\n  ${cols.join(',\n  ')}\n) ${TABLE_OPTIONS}`;
}

/** CREATE statements for `_ferry_runs`, `_ferry_checkpoints` and `_ferry_quarantine` (keys are VARCHAR: MySQL cannot key TEXT). */
export function bookkeepingSql(): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS \`_ferry_runs\` (
      run_id VARCHAR(255) NOT NULL PRIMARY KEY, contract_digest TEXT NOT NULL, started_at TEXT NOT NULL,
      finished_at TEXT NULL, status TEXT NOT NULL) ${TABLE_OPTIONS}`,
    `CREATE TABLE IF NOT EXISTS \`_ferry_checkpoints\` (
      run_id VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL, row_offset BIGINT NOT NULL,
      loaded BIGINT NOT NULL, quarantined BIGINT NOT NULL, excluded BIGINT NOT NULL,
      done TINYINT(1) NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (run_id, table_name)) ${TABLE_OPTIONS}`,
    `CREATE TABLE IF NOT EXISTS \`_ferry_quarantine\` (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, run_id VARCHAR(255) NOT NULL, source_table TEXT NOT NULL,
      source_key TEXT NOT NULL, target_table TEXT NOT NULL, rule TEXT NOT NULL,
      reason_code TEXT NOT NULL, message TEXT NOT NULL, KEY \`_ferry_quarantine_run\` (run_id, id)) ${TABLE_OPTIONS}`,
  ];
}
