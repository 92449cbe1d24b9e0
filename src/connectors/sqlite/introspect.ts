/**
 * Reads a SQLite database's schema from its catalogue (sqlite_master and the table-valued
 * pragmas), mapping declared types to Ferry's logical types. Ferry's own `_ferry_*` tables
 * are never listed.
 */
import type Database from 'better-sqlite3';
import { FerryError } from '../../errors.js';
import { isLedgerName } from '../ledger-names.js';
import type { ColumnInfo, ForeignKeyInfo, LogicalType, SchemaInfo, TableInfo } from '../connector.js';

interface PragmaColumn {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}

interface PragmaForeignKey {
  id: number;
  seq: number;
  table: string;
  from: string;
  to: string | null;
}

/** Maps a declared SQLite type to a logical type, in SQLite's own spirit of substring rules. */
export function logicalType(declared: string): LogicalType {
  const t = declared.toUpperCase();
  if (t.includes('BOOL')) return 'boolean';
  if (t.includes('INT')) return 'integer';
  if (t.includes('DATETIME') || t.includes('TIMESTAMP')) return 'timestamp';
  if (t.includes('DATE')) return 'date';
  if (t.includes('REAL') || t.includes('NUMERIC') || t.includes('DECIMAL') || t.includes('FLOA') || t.includes('DOUB')) return 'decimal';
  if (t.includes('BLOB')) return 'binary';
  return 'text';
}

/** Names of the user tables and views, sorted. */
export function tableNames(db: Database.Database): string[] {
  const rows = db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`).all() as Array<{ name: string }>;
  return rows.map((r) => r.name).filter((n) => !isLedgerName(n));
}

/** Describes one table, or throws not_found naming the tables that exist. */
export function tableInfo(db: Database.Database, table: string): TableInfo {
  const cols = isLedgerName(table) ? [] : (db.prepare('SELECT name, type, "notnull", pk FROM pragma_table_info(?)').all(table) as PragmaColumn[]);
  if (cols.length === 0) {
    throw new FerryError('not_found', 'connector.table_missing', `no table ${table} in ${db.name}; tables there: ${tableNames(db).join(', ') || 'none'}`);
  }
  const columns: ColumnInfo[] = cols.map((c) => ({ name: c.name, type: logicalType(c.type), nativeType: c.type, nullable: c.notnull === 0 && c.pk === 0 }));
  const primaryKey = cols
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
  return { name: table, columns, primaryKey, foreignKeys: foreignKeys(db, table) };
}

function foreignKeys(db: Database.Database, table: string): ForeignKeyInfo[] {
  const rows = db.prepare('SELECT id, seq, "table", "from", "to" FROM pragma_foreign_key_list(?) ORDER BY id, seq').all(table) as PragmaForeignKey[];
  const byId = new Map<number, ForeignKeyInfo>();
  for (const r of rows) {
    let fk = byId.get(r.id);
    if (!fk) {
      fk = { columns: [], references: { table: r.table, columns: [] } };
      byId.set(r.id, fk);
    }
    fk.columns.push(r.from);
    if (r.to !== null) fk.references.columns.push(r.to);
  }
  // `REFERENCES parent` without columns means the parent's primary key.
  for (const fk of byId.values()) {
    if (fk.references.columns.length === 0) {
      const parent = db.prepare('SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk').all(fk.references.table) as Array<{ name: string }>;
      fk.references.columns = parent.map((p) => p.name);
    }
  }
  return [...byId.values()];
}

/** Describes every user table and view. */
export function introspectSqlite(db: Database.Database): SchemaInfo {
  return { tables: tableNames(db).map((t) => tableInfo(db, t)) };
}
