/**
 * MariaDB/MySQL backups: every table read inside one `START TRANSACTION WITH CONSISTENT
 * SNAPSHOT` (InnoDB's one instant for all of them), each value as the server's own text (so
 * BIGINT, DECIMAL, dates and times keep every digit as stored) or as bytes for binary columns;
 * restored with DELETE and batched INSERTs in one transaction, foreign key checks off for the
 * session so the order of rows does not matter.
 */
import type { Connection } from 'mysql2';
import { mysqlConfig } from '../../connectors/mysql/config.js';
import { ident, identList } from '../../connectors/mysql/quote.js';
import { connect, rowsOf, run } from '../../connectors/mysql/session.js';
import type { ParsedUrl } from '../../connectors/url.js';
import type { BackupTable } from '../manifest.js';
import type { BackupSnapshot, DumpCounter, RestoreSession, TableShape } from './engine.js';
import { chunked, decodeRows, encodeRow, type DumpValue } from './json-lines.js';

const BINARY = /^(binary|varbinary|tinyblob|blob|mediumblob|longblob|bit)\b/i;
// Rows per INSERT: well under max_allowed_packet for ordinary rows, few round trips.
const INSERT_ROWS = 500;

interface TypeCastField {
  name: string;
  string(): string | null;
  buffer(): Buffer | null;
}

async function shapeOf(conn: Connection, database: string, table: string, names: readonly string[]): Promise<TableShape> {
  const cols = await rowsOf(conn, 'SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', [
    database,
    table,
  ]);
  if (cols.length === 0) return { name: table, absent: true, columns: [], primaryKey: [], references: [], create: null };
  const key = await rowsOf(conn, "SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION", [
    database,
    table,
  ]);
  const refs = await rowsOf(conn, 'SELECT DISTINCT REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?', [database, table]);
  const create = await rowsOf(conn, `SHOW CREATE TABLE ${ident(table)}`);
  const text = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
  return {
    name: table,
    absent: false,
    columns: cols.map((c) => ({ name: text(c[0]), type: text(c[1]), nullable: text(c[2]) === 'YES' })),
    primaryKey: key.map((k) => text(k[0])),
    references: names.filter((n) => n !== table && refs.some((r) => text(r[0]) === n)),
    create: text(create[0][1]),
  };
}

/** Opens a snapshot of the target database. */
export async function mysqlSnapshot(url: ParsedUrl): Promise<BackupSnapshot> {
  const cfg = mysqlConfig(url);
  const conn = await connect(cfg);
  try {
    await run(conn, 'SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await run(conn, 'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
  } catch (err) {
    conn.destroy();
    throw err;
  }
  return {
    async describe(tables) {
      const out: TableShape[] = [];
      for (const t of tables) out.push(await shapeOf(conn, cfg.database, t, tables));
      return out;
    },
    dump(table: TableShape, counter: DumpCounter) {
      if (table.absent) return chunked([]);
      const binary = new Set(table.columns.filter((c) => BINARY.test(c.type)).map((c) => c.name));
      // The server's text for every value, bytes for binary columns: nothing is parsed into a
      // JS number or Date, so nothing is rounded or shifted.
      const typeCast = (field: TypeCastField): DumpValue => (binary.has(field.name) ? field.buffer() : field.string());
      const stream = conn.query({ sql: `SELECT ${identList(table.columns.map((c) => c.name))} FROM ${ident(table.name)}`, rowsAsArray: true, typeCast } as never).stream({ highWaterMark: 256 });
      return chunked(
        (async function* () {
          for await (const row of stream as AsyncIterable<DumpValue[]>) {
            counter.rows++;
            yield encodeRow(row);
          }
        })(),
      );
    },
    async close() {
      try {
        await run(conn, 'COMMIT');
      } finally {
        conn.destroy();
      }
    },
  };
}

/** Opens a restore session on the target database. */
export async function mysqlRestore(url: ParsedUrl): Promise<RestoreSession> {
  const cfg = mysqlConfig(url);
  const conn = await connect(cfg);
  let open = false;
  return {
    async existing(tables) {
      if (tables.length === 0) return new Set();
      const rows = await rowsOf(conn, 'SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?)', [cfg.database, tables]);
      return new Set(rows.map((r) => (Buffer.isBuffer(r[0]) ? r[0].toString('utf8') : String(r[0]))));
    },
    async begin(tables, present) {
      await run(conn, 'SET SESSION FOREIGN_KEY_CHECKS = 0');
      // DDL commits implicitly in MariaDB: tables dropped since the backup are recreated before the transaction starts.
      for (const t of tables) if (!t.absent && !present.has(t.name) && t.create) await run(conn, t.create);
      await run(conn, 'START TRANSACTION');
      open = true;
      for (const t of tables) if (!t.absent && present.has(t.name)) await run(conn, `DELETE FROM ${ident(t.name)}`);
    },
    async load(table: BackupTable, _present, data) {
      const prefix = `INSERT INTO ${ident(table.name)} (${identList(table.columns.map((c) => c.name))}) VALUES `;
      const one = `(${table.columns.map(() => '?').join(', ')})`;
      let rows = 0;
      for await (const batch of decodeRows(data, INSERT_ROWS)) {
        await run(conn, prefix + batch.map(() => one).join(', '), batch.flat());
        rows += batch.length;
      }
      return rows;
    },
    async drop(table) {
      await run(conn, `DROP TABLE ${ident(table)}`);
    },
    async commit() {
      await run(conn, 'COMMIT');
      open = false;
    },
    async abort() {
      if (open) await run(conn, 'ROLLBACK').catch(() => {});
      open = false;
    },
    async close() {
      conn.destroy();
    },
  };
}
