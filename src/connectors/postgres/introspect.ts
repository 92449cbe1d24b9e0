/**
 * Reads a PostgreSQL schema's tables, columns, keys and foreign keys from pg_catalog.
 * Ferry's own bookkeeping tables (`_ferry_*`) are never listed: they are not data.
 */
import type { ClientBase } from 'pg';
import type { ColumnInfo, ForeignKeyInfo, LogicalType, SchemaInfo, TableInfo } from '../connector.js';

const LOGICAL: Record<string, LogicalType> = {
  int2: 'integer',
  int4: 'integer',
  int8: 'integer',
  numeric: 'decimal',
  float4: 'decimal',
  float8: 'decimal',
  date: 'date',
  timestamp: 'timestamp',
  timestamptz: 'timestamp',
  bool: 'boolean',
  bytea: 'binary',
};

/** Maps a PostgreSQL base type name (pg_type.typname) to Ferry's logical type. */
export function logicalType(typname: string): LogicalType {
  return LOGICAL[typname] ?? 'text';
}

// Domains are resolved to their base type so a `nhs_number` domain over text reads as text.
const COLUMNS_SQL = `
SELECT c.relname AS table, a.attname AS column,
       format_type(a.atttypid, a.atttypmod) AS native,
       coalesce(bt.typname, t.typname) AS base,
       a.attnotnull AS notnull
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
 WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
   AND c.relname NOT LIKE '\\_ferry\\_%'
   AND NOT c.relispartition
 ORDER BY c.relname, a.attnum`;

const CONSTRAINTS_SQL = `
SELECT c.relname AS table, k.contype AS type, k.conname AS name,
       array(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, i)
               JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i) AS columns,
       rc.relname AS ref_table,
       array(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(n, i)
               JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.i) AS ref_columns
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_class rc ON rc.oid = k.confrelid
 WHERE n.nspname = $1 AND k.contype IN ('p', 'f')
 ORDER BY c.relname, k.conname`;

interface ColumnRow {
  table: string;
  column: string;
  native: string;
  base: string;
  notnull: boolean;
}

interface ConstraintRow {
  table: string;
  type: 'p' | 'f';
  name: string;
  columns: string[];
  ref_table: string | null;
  ref_columns: string[];
}

/** Introspects every table and view of `schema`, columns in ordinal order. */
export async function introspectSchema(client: ClientBase, schema: string): Promise<SchemaInfo> {
  const columns = await client.query<ColumnRow>(COLUMNS_SQL, [schema]);
  const constraints = await client.query<ConstraintRow>(CONSTRAINTS_SQL, [schema]);
  const tables = new Map<string, TableInfo>();
  // format_type qualifies types (domains, enums) of a schema outside the search path; the
  // source's own schema is implied, so it is dropped to keep native names stable across schemas.
  const own = [`${schema}.`, `"${schema.replace(/"/g, '""')}".`];
  const native = (t: string) => own.reduce((name, p) => (name.startsWith(p) ? name.slice(p.length) : name), t);
  for (const r of columns.rows) {
    let t = tables.get(r.table);
    if (!t) tables.set(r.table, (t = { name: r.table, columns: [], primaryKey: [], foreignKeys: [] }));
    const col: ColumnInfo = { name: r.column, type: logicalType(r.base), nativeType: native(r.native), nullable: !r.notnull };
    t.columns.push(col);
  }
  for (const k of constraints.rows) {
    const t = tables.get(k.table);
    if (!t) continue;
    if (k.type === 'p') t.primaryKey = k.columns;
    else if (k.ref_table) {
      const fk: ForeignKeyInfo = { columns: k.columns, references: { table: k.ref_table, columns: k.ref_columns } };
      t.foreignKeys.push(fk);
    }
  }
  return { tables: [...tables.values()] };
}

/** Finds a table by exact name, else by a unique case-insensitive match (contracts often differ in case from the catalog). */
export function findTable(schema: SchemaInfo, name: string): TableInfo | undefined {
  const exact = schema.tables.find((t) => t.name === name);
  if (exact) return exact;
  const folded = schema.tables.filter((t) => t.name.toLowerCase() === name.toLowerCase());
  return folded.length === 1 ? folded[0] : undefined;
}

/** Resolves requested column names against a table the same way. */
export function resolveColumns(table: TableInfo, names: readonly string[]): ColumnInfo[] | string {
  const out: ColumnInfo[] = [];
  for (const name of names) {
    const col = table.columns.find((c) => c.name === name) ?? table.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (!col) return name;
    out.push(col);
  }
  return out;
}
