/**
 * The control store: kysely over an embedded SQLite file (zero setup) or PostgreSQL
 * (production). Opening it applies pending migrations, so every caller sees a current schema.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { FerryError } from '../errors.js';
import { runMigrations, type MigrationResult } from './migrations/runner.js';
import type { ControlDatabase } from './schema.js';
import { resolveStoreLocation, type StoreLocation, type StoreUrlInput } from './store-url.js';

export type StoreDialect = 'sqlite' | 'postgres';
export type StoreDb = Kysely<ControlDatabase>;

export interface Store {
  readonly db: StoreDb;
  readonly dialect: StoreDialect;
  /** Where the store is, safe to print (no password). */
  readonly display: string;
  /** Where the store is, parsed: what named connections must never reach. */
  readonly location: StoreLocation;
  /** PostgreSQL schema holding the tables (from `?schema=`, default public); null for SQLite. */
  readonly pgSchema: string | null;
  /** Migrations applied by this open (empty when the schema was already current). */
  readonly migrated: MigrationResult[];
  /**
   * Runs `fn` in a transaction that holds the write lock from its first statement. SQLite:
   * `BEGIN IMMEDIATE`, which excludes every other writer, in any process. PostgreSQL: a
   * plain transaction; take `lock()` or a row lock inside it to serialise. Do not nest.
   */
  writeTransaction<T>(fn: (trx: StoreDb) => Promise<T>): Promise<T>;
  /** Takes a named transaction-scoped lock (PostgreSQL advisory lock; SQLite needs none inside writeTransaction). */
  lock(trx: StoreDb, name: string): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
}

/** Opens the store named by `--store`, FERRY_DATABASE_URL or the default `.ferry/ferry.db`. */
export function openConfiguredStore(input: StoreUrlInput, options: OpenOptions = {}): Promise<Store> {
  return openStore(resolveStoreLocation(input), options);
}

/** Opens the store at `location` and brings its schema up to date. */
export async function openStore(location: StoreLocation, options: OpenOptions = {}): Promise<Store> {
  const store = location.dialect === 'sqlite' ? openSqlite(location) : await openPostgres(location);
  try {
    const migrated = options.migrate === false ? [] : await runMigrations(store);
    return Object.assign(store, { migrated });
  } catch (err) {
    await store.close();
    throw err;
  }
}

type Unmigrated = Omit<Store, 'migrated'> & { migrated: MigrationResult[] };

function openSqlite(location: Extract<StoreLocation, { dialect: 'sqlite' }>): Unmigrated {
  let database: Database.Database;
  try {
    mkdirSync(path.dirname(location.file), { recursive: true });
    database = new Database(location.file, { timeout: location.busyTimeout });
    // WAL lets readers (list, verify) run while a writer appends; FULL makes every appended
    // audit event durable at commit, which matters more here than write speed.
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma('foreign_keys = ON');
  } catch (err) {
    throw new FerryError('connection', 'store.open_failed', `cannot open the control store ${location.display}: ${(err as Error).message}; check the path is writable or choose another with --store / FERRY_DATABASE_URL`, [], { cause: err });
  }
  const db = new Kysely<ControlDatabase>({ dialect: new SqliteDialect({ database }) });
  return {
    db,
    dialect: 'sqlite',
    display: location.display,
    location,
    pgSchema: null,
    migrated: [],
    writeTransaction: (fn) =>
      db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (err) {
          if (database.inTransaction) await sql`rollback`.execute(conn);
          throw err;
        }
      }),
    lock: async () => {},
    close: () => db.destroy(),
  };
}

async function openPostgres(location: Extract<StoreLocation, { dialect: 'postgres' }>): Promise<Unmigrated> {
  const { client, schema, where } = location.pg;
  const pool = new pg.Pool({ ...client, max: 4, options: `-c search_path=${quoteIdent(schema)}` });
  // An idle pooled connection dropped by the server (restart, failover) must not crash the
  // process; the next query on a fresh connection reports any real outage.
  pool.on('error', () => {});
  try {
    const c = await pool.connect();
    c.release();
  } catch (err) {
    await pool.end();
    throw new FerryError('connection', 'store.connect_failed', `cannot reach the control store at ${where}: ${(err as Error).message}; check FERRY_DATABASE_URL / --store and that PostgreSQL is running`, [], { cause: err });
  }
  const db = new Kysely<ControlDatabase>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    display: location.display,
    location,
    pgSchema: schema,
    migrated: [],
    writeTransaction: (fn) => db.transaction().execute(fn),
    lock: async (trx, name) => {
      await sql`select pg_advisory_xact_lock(${advisoryKey(`${schema}.${name}`)}::bigint)`.execute(trx);
    },
    close: () => db.destroy(),
  };
}

/** A stable signed 64-bit advisory lock key for a lock name. */
export function advisoryKey(name: string): string {
  return createHash('sha256').update(`ferry:${name}`).digest().readBigInt64BE(0).toString();
}

/** Quotes an SQL identifier (both dialects use double quotes). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
