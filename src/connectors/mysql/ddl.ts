/**
 * DDL for the contract's tables in MySQL/MariaDB targets (Ferry's ledger tables come from
 * ../ledger/migrations.ts): InnoDB (transactions are what make a batch atomic) and utf8mb4
 * (patient names need all of Unicode).
 */
import type { TargetColumnDef, TargetTableDef } from '../connector.js';
import { ident, identList } from './quote.js';

/** Table options of every table Ferry creates. */
export const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';

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
