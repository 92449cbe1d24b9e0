/** Shared pieces of the binlog capture tests: a private binlog server with one database, and reading N transactions off a stream. */
import { randomBytes } from 'node:crypto';
import type mysql from 'mysql2/promise';
import type { ChangeCapture, ChangeStream, SourceTransaction } from '../../../src/connectors/capture.js';
import { openCapture } from '../../../src/connectors/registry.js';
import { startPrivateMariadb, type PrivateMariadb } from '../../helpers/private-mariadb.js';

export interface CaptureDb {
  server: PrivateMariadb;
  db: string;
  url: string;
  /** Connection with `db` as its default database, session in UTC. */
  sql: mysql.Connection;
  capture: ChangeCapture;
  close(): Promise<void>;
}

/** Starts a private binlog server, creates a database on it and opens capture of it. */
export async function captureDb(): Promise<CaptureDb> {
  const server = await startPrivateMariadb();
  const db = `cap_${randomBytes(3).toString('hex')}`;
  const sql = await server.admin();
  await sql.query(`CREATE DATABASE ${db} CHARACTER SET utf8mb4`);
  await sql.query(`USE ${db}`);
  await sql.query("SET time_zone = '+00:00'");
  const url = server.url(db);
  const capture = await openCapture(url);
  return {
    server,
    db,
    url,
    sql,
    capture,
    close: async () => {
      await capture.close();
      await sql.end();
      await server.stop();
    },
  };
}

/** Reads `n` transactions from the stream (failing after `ms`), then stops it. */
export async function take(stream: ChangeStream, n: number, ms = 15_000): Promise<SourceTransaction[]> {
  const out: SourceTransaction[] = [];
  const timer = setTimeout(() => void stream.stop(), ms);
  try {
    if (n > 0) {
      for await (const txn of stream) {
        out.push(txn);
        if (out.length >= n) break;
      }
    }
  } finally {
    clearTimeout(timer);
    await stream.stop();
  }
  if (out.length < n) throw new Error(`expected ${n} transactions, got ${out.length} within ${ms} ms`);
  return out;
}

/** The row changes of transactions as [kind, table, key] triples (first column), ignoring schema changes. */
export function rowKeys(txns: readonly SourceTransaction[]): Array<[string, string, unknown]> {
  return txns.flatMap((t) => t.changes.flatMap((c) => (c.kind === 'schema' || c.kind === 'truncate' ? [] : [[c.kind, c.table, (c.row ?? c.old)![0]] as [string, string, unknown]])));
}
