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

/** CREATE TABLE for a contract table (its foreign keys are added by foreignKeySql once every table exists). */
export function createTableSql(t: TargetTableDef): string {
  const keys = new Set(t.primaryKey);
  const cols = t.columns.map((c) => `${ident(c.name)} ${mysqlColumnType(c, keys.has(c.name))}${c.nullable ? ' NULL' : ' NOT NULL'}`);
  if (t.primaryKey.length) cols.push(`PRIMARY KEY (${identList(t.primaryKey)})`);
  return `CREATE TABLE IF NOT EXISTS ${ident(t.name)} (\n  ${cols.join(',\n  ')}\n) ${TABLE_OPTIONS}`;
}

/**
 * ALTER TABLE statements adding a new table's enforced foreign keys (ForeignKeyInfo.enforced:
 * the engine quarantines a row whose parent did not load, so no batch meets the constraint with
 * an orphan). Keys whose children load anyway (`on_parent_quarantined: load`) are never
 * created: one orphan would fail its whole batch.
 */
export function foreignKeySql(t: TargetTableDef): string[] {
  return t.foreignKeys
    .filter((fk) => fk.enforced === true)
    .map((fk) => `ALTER TABLE ${ident(t.name)} ADD FOREIGN KEY (${identList(fk.columns)}) REFERENCES ${ident(fk.references.table)} (${identList(fk.references.columns)})`);
}
