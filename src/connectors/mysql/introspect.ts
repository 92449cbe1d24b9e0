/**
 * Reads a MySQL/MariaDB database's tables, columns, keys and foreign keys from
 * information_schema. Ferry's own bookkeeping tables (`_ferry_*`) are never listed.
 */
import type { ColumnInfo, LogicalType, SchemaInfo, TableInfo } from '../connector.js';

/** Runs a query and returns rows as arrays; lets the callback and promise APIs share this code. */
export type RowQuery = (sql: string, values: unknown[]) => Promise<unknown[][]>;

const LOGICAL: Record<string, LogicalType> = {
  tinyint: 'integer',
  smallint: 'integer',
  mediumint: 'integer',
  int: 'integer',
  integer: 'integer',
  bigint: 'integer',
  bit: 'integer',
  decimal: 'decimal',
  numeric: 'decimal',
  float: 'decimal',
  double: 'decimal',
  date: 'date',
  datetime: 'timestamp',
  timestamp: 'timestamp',
  tinyblob: 'binary',
  blob: 'binary',
  mediumblob: 'binary',
  longblob: 'binary',
  binary: 'binary',
  varbinary: 'binary',
};

/** Maps information_schema DATA_TYPE and COLUMN_TYPE to Ferry's logical type; TINYINT(1) is MySQL's boolean. */
export function logicalType(dataType: string, columnType: string): LogicalType {
  if (/^tinyint\(1\)/i.test(columnType)) return 'boolean';
  return LOGICAL[dataType.toLowerCase()] ?? 'text';
}

const COLUMNS_SQL = `
SELECT c.TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_TYPE, c.IS_NULLABLE
  FROM information_schema.COLUMNS c
  JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
 WHERE c.TABLE_SCHEMA = ? AND c.TABLE_NAME NOT LIKE '\\_ferry\\_%'
 ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`;

const KEYS_SQL = `
SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
  FROM information_schema.KEY_COLUMN_USAGE
 WHERE TABLE_SCHEMA = ? AND (CONSTRAINT_NAME = 'PRIMARY' OR REFERENCED_TABLE_NAME IS NOT NULL)
 ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`;

const str = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v));

/** Introspects every table and view of `database`, columns in ordinal order. */
export async function introspectDatabase(query: RowQuery, database: string): Promise<SchemaInfo> {
  const tables = new Map<string, TableInfo>();
  for (const [table, column, dataType, columnType, nullable] of (await query(COLUMNS_SQL, [database])).map((r) => r.map(str))) {
    let t = tables.get(table);
    if (!t) tables.set(table, (t = { name: table, columns: [], primaryKey: [], foreignKeys: [] }));
    const col: ColumnInfo = { name: column, type: logicalType(dataType, columnType), nativeType: columnType, nullable: nullable === 'YES' };
    t.columns.push(col);
  }
  const fks = new Map<string, { table: string; columns: string[]; refTable: string; refColumns: string[] }>();
  for (const row of await query(KEYS_SQL, [database])) {
    const [table, constraint, column] = row.slice(0, 3).map(str);
    const t = tables.get(table);
    if (!t) continue;
    if (constraint === 'PRIMARY') {
      t.primaryKey.push(column);
      continue;
    }
    const id = `${table}\u0000${constraint}`;
    let fk = fks.get(id);
    if (!fk) fks.set(id, (fk = { table, columns: [], refTable: str(row[3]), refColumns: [] }));
    fk.columns.push(column);
    fk.refColumns.push(str(row[4]));
  }
  for (const fk of fks.values()) tables.get(fk.table)!.foreignKeys.push({ columns: fk.columns, references: { table: fk.refTable, columns: fk.refColumns } });
  return { tables: [...tables.values()] };
}

/** Finds a table by exact name, else by a unique case-insensitive match. */
export function findTable(schema: SchemaInfo, name: string): TableInfo | undefined {
  const exact = schema.tables.find((t) => t.name === name);
  if (exact) return exact;
  const folded = schema.tables.filter((t) => t.name.toLowerCase() === name.toLowerCase());
  return folded.length === 1 ? folded[0] : undefined;
}
