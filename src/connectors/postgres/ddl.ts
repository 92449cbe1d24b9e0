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
