/**
 * A read-only SQL connection to a database target, for range checksums. Opened once per
 * reconciliation so every table is compared against the same snapshot: PostgreSQL in a
 * REPEATABLE READ READ ONLY transaction, MariaDB in a consistent-snapshot read-only
 * transaction, SQLite on a read-only connection holding a read transaction.
 */
import type Database from 'better-sqlite3';
import { mysqlConfig } from '../connectors/mysql/config.js';
import { safeMysqlReason } from '../connectors/mysql/errors.js';
import { connect as mysqlConnect, rowsOf, run as mysqlRun } from '../connectors/mysql/session.js';
import { pgConfig } from '../connectors/postgres/config.js';
import { safePgReason } from '../connectors/postgres/errors.js';
import { qualified } from '../connectors/postgres/quote.js';
import { connectClient } from '../connectors/postgres/session.js';
import { sqliteConfig } from '../connectors/sqlite/config.js';
import { openReadonly } from '../connectors/sqlite/source.js';
import { parseConnectorUrl } from '../connectors/url.js';
import { FerryError } from '../errors.js';
import { canonical } from './canonical.js';
import { hex16, Sum64 } from './hash.js';
import type { Exec } from './sql-side.js';
import { mysqlDialect, postgresDialect, SQLITE_FN, sqliteDialect, type SqlDialect } from './sql-dialect.js';

export interface SqlTarget {
  dialect: SqlDialect;
  exec: Exec;
  /** The quoted, qualified name of a target table. */
  tableSql(name: string): string;
  close(): Promise<void>;
}

function failed(where: string, reason: string): FerryError {
  return new FerryError('run', 'reconcile.query_failed', `a reconciliation query on ${where} failed: ${reason}; check the target is reachable and its tables were created by this contract`);
}

/** Opens a read-only SQL connection for a database target URL, or undefined for file targets. */
export async function openSqlTarget(targetUrl: string): Promise<SqlTarget | undefined> {
  const url = parseConnectorUrl(targetUrl);
  if (url.kind === 'postgres') {
    const cfg = pgConfig(url);
    const client = await connectClient(cfg);
    // Serial plans: the whole-table aggregates run while Node re-derives the rows, and a serial
    // scan still outpaces the derivation; parallel workers would only take CPU from it when the
    // database shares the machine (measured 5-20% slower end to end on 2 cores).
    await client.query('SET max_parallel_workers_per_gather = 0');
    await client.query('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // Callers queue statements (every table's pass-1 aggregate is issued up front); they run
    // one after another here, as pg no longer wants a client to queue them itself.
    let queue: Promise<unknown> = Promise.resolve();
    return {
      dialect: postgresDialect,
      exec: (text, values) => {
        const run = queue.then(async () => {
          try {
            return (await client.query({ text, values, rowMode: 'array' })).rows as unknown[][];
          } catch (err) {
            throw failed(cfg.where, safePgReason(err, client));
          }
        });
        queue = run.catch(() => {});
        return run;
      },
      tableSql: (name) => qualified(cfg.schema, name),
      close: () => client.end().catch(() => {}),
    };
  }
  if (url.kind === 'mysql') {
    const cfg = mysqlConfig(url);
    const conn = await mysqlConnect(cfg);
    await mysqlRun(conn, 'SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await mysqlRun(conn, 'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
    return {
      dialect: mysqlDialect,
      exec: async (sql, values) => {
        try {
          return await rowsOf(conn, sql, values);
        } catch (err) {
          throw failed(cfg.where, safeMysqlReason(err));
        }
      },
      tableSql: (name) => mysqlDialect.ident(name),
      close: () => new Promise<void>((resolve) => conn.end(() => resolve())),
    };
  }
  if (url.kind === 'sqlite') {
    const db = openReadonly(sqliteConfig(url));
    registerSqliteFunctions(db);
    db.exec('BEGIN');
    return {
      dialect: sqliteDialect,
      exec: async (sql, values) => {
        try {
          return db
            .prepare(sql)
            .raw(true)
            .safeIntegers(true)
            .all(...values) as unknown[][];
        } catch (err) {
          throw failed(url.display, (err as Error).message);
        }
      },
      tableSql: (name) => sqliteDialect.ident(name),
      close: async () => {
        if (db.inTransaction) db.exec('ROLLBACK');
        db.close();
      },
    };
  }
  return undefined;
}

/** Registers the canonical-form and hash functions the SQLite dialect calls. */
export function registerSqliteFunctions(db: Database.Database): void {
  db.function(SQLITE_FN.canon, { deterministic: true, safeIntegers: true }, (type: unknown, v: unknown) => canonical(type as never, v as never));
  db.function(SQLITE_FN.hex16, { deterministic: true }, (text: unknown) => (text === null ? null : hex16(String(text))));
  db.aggregate(SQLITE_FN.hashSum, {
    start: () => new Sum64(),
    step: (acc: Sum64, hex: unknown) => {
      if (hex !== null) acc.addHex(String(hex));
      return acc;
    },
    result: (acc: Sum64) => acc.value().toString(),
  });
}
