/**
 * Opening MySQL connections with the session settings Ferry relies on, and a promise wrapper
 * for the callback API (the source needs that API for streaming).
 */
import mysql from 'mysql2';
import type { Connection } from 'mysql2';
import type { MysqlConfig } from './config.js';
import { connectionError } from './errors.js';

/**
 * Strict mode so a value that does not fit fails the batch instead of being silently
 * truncated; no NO_BACKSLASH_ESCAPES or ANSI_QUOTES because the driver escapes with
 * backslashes and Ferry quotes identifiers with backticks. UTC so TIMESTAMP columns read and
 * write without a zone shift.
 */
export const SESSION_SQL = "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', time_zone = '+00:00'";

/** Runs one statement on a callback-API connection. */
export function run<T = unknown>(conn: Connection, sql: string, values?: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => {
    conn.query({ sql, values }, (err, rows) => (err ? reject(err) : resolve(rows as T)));
  });
}

/** Runs one statement and returns its rows as arrays. */
export function rowsOf(conn: Connection, sql: string, values?: unknown[]): Promise<unknown[][]> {
  return new Promise((resolve, reject) => {
    conn.query({ sql, values, rowsAsArray: true }, (err, rows) => (err ? reject(err) : resolve(rows as unknown[][])));
  });
}

/** Opens one connection with Ferry's session settings, turning failures into connection errors. */
export async function connect(cfg: MysqlConfig): Promise<Connection> {
  const conn = mysql.createConnection(cfg.connection);
  // A dropped idle connection emits 'error'; without a listener Node would crash the whole
  // run. The failure surfaces on the next query against this connection instead.
  conn.on('error', () => {});
  try {
    await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
    await run(conn, SESSION_SQL);
  } catch (err) {
    conn.destroy();
    throw connectionError(cfg.where, cfg.connection.user, err);
  }
  return conn;
}
