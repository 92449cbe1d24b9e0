/**
 * DDL for the contract's tables in a PostgreSQL target (Ferry's own ledger tables are created by
 * the versioned migrations in ../ledger/migrations.ts).
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

/** CREATE TABLE for a contract table (its foreign keys are added by foreignKeySql once every table exists). */
export function createTableSql(schema: string, t: TargetTableDef): string {
  const cols = t.columns.map((c) => `${ident(c.name)} ${pgColumnType(c)}${c.nullable ? '' : ' NOT NULL'}`);
  if (t.primaryKey.length) cols.push(`PRIMARY KEY (${identList(t.primaryKey)})`);
  return `CREATE TABLE IF NOT EXISTS ${qualified(schema, t.name)} (\n  ${cols.join(',\n  ')}\n)`;
}

/**
 * ALTER TABLE statements adding a new table's enforced foreign keys (ForeignKeyInfo.enforced:
 * the engine quarantines a row whose parent did not load, so no batch meets the constraint with
 * an orphan). DEFERRABLE INITIALLY DEFERRED: checked when a transaction commits, so a rollback
 * may delete and restore rows of several tables in any order within its one transaction. Keys
 * whose children load anyway (`on_parent_quarantined: load`) are never created: one orphan would
 * fail its whole batch.
 */
export function foreignKeySql(schema: string, t: TargetTableDef): string[] {
  return t.foreignKeys
    .filter((fk) => fk.enforced === true)
    .map(
      (fk) =>
        `ALTER TABLE ${qualified(schema, t.name)} ADD FOREIGN KEY (${identList(fk.columns)}) REFERENCES ${qualified(schema, fk.references.table)} (${identList(fk.references.columns)}) DEFERRABLE INITIALLY DEFERRED`,
    );
}
