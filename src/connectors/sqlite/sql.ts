/**
 * SQL text for SQLite: identifier quoting and the DDL of the contract's tables (Ferry's ledger
 * tables come from ../ledger/migrations.ts). Identifiers are always quoted, never
 * interpolated bare, so a table named `order` or `a"b` is just a name.
 */
import type { LogicalType, TargetTableDef, Value } from '../connector.js';

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
  // A key whose children load even without their parent (on_parent_quarantined: load) must not be enforced.
  for (const fk of def.foreignKeys.filter((k) => k.enforced !== false)) parts.push(`FOREIGN KEY (${qList(fk.columns)}) REFERENCES ${q(fk.references.table)} (${qList(fk.references.columns)})`);
  return `CREATE TABLE ${q(def.name)} (\n  ${parts.join(',\n  ')}\n)`;
}

/** INSERT for rows of `def`; for upsert, later rows with the same key replace earlier ones. */
export function insertSql(def: TargetTableDef, upsert: boolean): string {
  const cols = def.columns.map((c) => c.name);
  const sql = `INSERT INTO ${q(def.name)} (${qList(cols)}) VALUES (${cols.map(() => '?').join(', ')})`;
  if (!upsert) return sql;
  const rest = cols.filter((c) => !def.primaryKey.includes(c));
  const action = rest.length ? `DO UPDATE SET ${rest.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}` : 'DO NOTHING';
  return `${sql} ON CONFLICT (${qList(def.primaryKey)}) ${action}`;
}

/** A value as better-sqlite3 binds it: it binds no booleans; everything else a Value can be is bound as is. */
export function toDriver(v: Value): unknown {
  if (v === true) return 1;
  if (v === false) return 0;
  return v ?? null;
}
