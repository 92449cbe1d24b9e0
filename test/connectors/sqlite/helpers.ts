/**
 * Throw-away SQLite files for tests, and a legacy-style fixture loader that declares native
 * column types (DECIMAL, DATE, DATETIME, BOOLEAN…) the way legacy systems do, so the source's
 * type mapping is exercised rather than Ferry's own storage choices.
 */
import Database from 'better-sqlite3';
import type { LogicalType, Value } from '../../../src/connectors/connector.js';
import type { TableFixture } from '../conformance.js';
import { tempDir } from '../../helpers/tmp.js';

/** A fresh database path in its own temp directory, and its removal. */
export async function tempDb(prefix: string): Promise<{ file: string; cleanup(): Promise<void> }> {
  const { dir, cleanup } = await tempDir(`ferry-${prefix}-`);
  return { file: `${dir}/test.db`, cleanup };
}

const NATIVE: Record<LogicalType, string> = {
  text: 'VARCHAR(100)',
  integer: 'INTEGER',
  decimal: 'DECIMAL(5,1)',
  date: 'DATE',
  timestamp: 'DATETIME',
  boolean: 'BOOLEAN',
  binary: 'BLOB',
};

/** Creates and fills the fixture tables with native DDL, plus a decoy `_ferry_runs` table. */
export function writeLegacyDb(file: string, fixtures: TableFixture[]): void {
  const db = new Database(file);
  try {
    db.exec('CREATE TABLE _ferry_runs (run_id TEXT PRIMARY KEY, status TEXT)');
    for (const { def, rows } of fixtures) {
      const cols = def.columns.map((c) => `"${c.name}" ${NATIVE[c.type]}${c.nullable ? '' : ' NOT NULL'}`);
      cols.push(`PRIMARY KEY (${def.primaryKey.map((k) => `"${k}"`).join(', ')})`);
      for (const fk of def.foreignKeys) cols.push(`FOREIGN KEY ("${fk.columns.join('", "')}") REFERENCES "${fk.references.table}" ("${fk.references.columns.join('", "')}")`);
      db.exec(`CREATE TABLE "${def.name}" (${cols.join(', ')})`);
      const insert = db.prepare(`INSERT INTO "${def.name}" VALUES (${def.columns.map(() => '?').join(', ')})`);
      db.transaction(() => {
        for (const row of rows) insert.run(row.map((v: Value) => (typeof v === 'boolean' ? Number(v) : v)));
      })();
    }
  } finally {
    db.close();
  }
}
