/**
 * SQLite backups: every table read inside one read transaction (one instant of the file),
 * integers as 64-bit integers and blobs as raw bytes, so each value comes back in its own
 * storage class; restored with the table's stored CREATE statement, DELETE and prepared
 * INSERTs in one IMMEDIATE transaction, foreign key enforcement off for the connection.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { sqliteConfig } from '../../connectors/sqlite/config.js';
import { q, qList } from '../../connectors/sqlite/sql.js';
import type { ParsedUrl } from '../../connectors/url.js';
import type { BackupSnapshot, DumpCounter, RestoreSession, TableShape } from './engine.js';
import { chunked, decodeRows, encodeRow, type DumpValue } from './json-lines.js';

function shapeOf(db: Database.Database, table: string, names: readonly string[]): TableShape {
  const master = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) as { sql: string } | undefined;
  if (!master) return { name: table, absent: true, columns: [], primaryKey: [], references: [], create: null };
  const info = db.prepare(`PRAGMA table_info(${q(table)})`).all() as Array<{ name: string; type: string; notnull: number | bigint; pk: number | bigint }>;
  const fks = db.prepare(`PRAGMA foreign_key_list(${q(table)})`).all() as Array<{ table: string }>;
  return {
    name: table,
    absent: false,
    columns: info.map((c) => ({ name: c.name, type: c.type || 'ANY', nullable: Number(c.notnull) === 0 })),
    primaryKey: info
      .filter((c) => Number(c.pk) > 0)
      .sort((a, b) => Number(a.pk) - Number(b.pk))
      .map((c) => c.name),
    references: names.filter((n) => n !== table && fks.some((f) => f.table === n)),
    create: master.sql,
  };
}

/** Opens a snapshot of the target database file (a file that does not exist yet holds no tables). */
export async function sqliteSnapshot(url: ParsedUrl): Promise<BackupSnapshot> {
  const cfg = sqliteConfig(url);
  const db = existsSync(cfg.file) ? new Database(cfg.file, { readonly: true, fileMustExist: true, timeout: cfg.busyTimeout }) : undefined;
  // A deferred transaction takes its read snapshot at its first read: the schema query below.
  db?.exec('BEGIN');
  return {
    async describe(tables) {
      return tables.map((t) => (db ? shapeOf(db, t, tables) : { name: t, absent: true, columns: [], primaryKey: [], references: [], create: null }));
    },
    dump(table: TableShape, counter: DumpCounter) {
      if (table.absent || !db) return chunked([]);
      const stmt = db
        .prepare(`SELECT ${qList(table.columns.map((c) => c.name))} FROM ${q(table.name)}`)
        .raw(true)
        .safeIntegers(true);
      return chunked(
        (function* () {
          for (const row of stmt.iterate() as IterableIterator<DumpValue[]>) {
            counter.rows++;
            yield encodeRow(row);
          }
        })(),
      );
    },
    async close() {
      if (!db) return;
      try {
        db.exec('COMMIT');
      } finally {
        db.close();
      }
    },
  };
}

/** Opens a restore session on the target database file. */
export async function sqliteRestore(url: ParsedUrl): Promise<RestoreSession> {
  const cfg = sqliteConfig(url);
  const db = new Database(cfg.file, { timeout: cfg.busyTimeout });
  // better-sqlite3 enforces foreign keys by default; the restore writes back a state that held
  // together when it was taken, in whatever order, as MariaDB's restore does with its checks off.
  db.pragma('foreign_keys = OFF');
  return {
    async existing(tables) {
      const stmt = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
      return new Set(tables.filter((t) => stmt.get(t) !== undefined));
    },
    async begin(tables, present) {
      db.exec('BEGIN IMMEDIATE');
      for (const t of tables) {
        if (t.absent) continue;
        if (present.has(t.name)) db.exec(`DELETE FROM ${q(t.name)}`);
        else if (t.create) db.exec(t.create);
      }
    },
    async load(table, _present, data) {
      const insert = db.prepare(`INSERT INTO ${q(table.name)} (${qList(table.columns.map((c) => c.name))}) VALUES (${table.columns.map(() => '?').join(', ')})`);
      let rows = 0;
      for await (const batch of decodeRows(data, 1000)) {
        for (const row of batch) insert.run(row);
        rows += batch.length;
      }
      return rows;
    },
    async drop(table) {
      db.exec(`DROP TABLE ${q(table)}`);
    },
    async commit() {
      db.exec('COMMIT');
    },
    async abort() {
      if (db.inTransaction) db.exec('ROLLBACK');
    },
    async close() {
      db.close();
    },
  };
}
