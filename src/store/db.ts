/**
 * The control store: kysely over an embedded SQLite file (zero setup) or PostgreSQL
 * (production). Opening it applies pending migrations, so every caller sees a current schema.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type KyselyPlugin } from 'kysely';
import pg from 'pg';
import { FerryError } from '../errors.js';
import { runMigrations, type MigrationResult } from './migrations/runner.js';
import type { ControlDatabase } from './schema.js';
import type { StoreLocation } from './store-url.js';
import { storeFileGuard, storeReplacedError } from './store-guard.js';
import { storeCall, translateStoreError, translatingDatabase } from './sqlite-errors.js';

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
  /**
   * Runs `hook` once the `writeTransaction` that handed out `trx` has committed (never when it
   * rolls back). A failing hook cannot undo the commit: its error goes to `onProblem` listeners.
   */
  afterCommit(trx: StoreDb, hook: () => Promise<void>): void;
  /**
   * Why the store must not be written any more, or null. SQLite: its file or -wal file was
   * removed or replaced under this process (`store.replaced`); checked before every write.
   */
  fault(): FerryError | null;
  /** Calls `listener` with each problem the store cannot throw to a caller: a tripped file guard (once), a failed after-commit hook. */
  onProblem(listener: (err: FerryError) => void): void;
  /** Where the audit chain's head is anchored outside the store (see src/audit/anchor.ts), or null for none. */
  readonly anchor: AnchorLocation | null;
  close(): Promise<void>;
}

/** The anchor file, and the FERRY_AUDIT_KEY it is signed under (unsigned without one). */
export interface AnchorLocation {
  file: string;
  key?: Buffer;
}

export interface OpenOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** The audit anchor; default `<file>.audit-anchor` beside a SQLite store, none for PostgreSQL. `null`: none. */
  anchor?: AnchorLocation | null;
}

/** Opens the store at `location` and brings its schema up to date. */
export async function openStore(location: StoreLocation, options: OpenOptions = {}): Promise<Store> {
  const anchor = options.anchor !== undefined ? options.anchor : location.dialect === 'sqlite' ? { file: `${location.file}.audit-anchor` } : null;
  const store = location.dialect === 'sqlite' ? openSqlite(location, anchor) : await openPostgres(location, anchor);
  try {
    const migrated = options.migrate === false ? [] : await runMigrations(store);
    store.armGuard();
    return Object.assign(store, { migrated });
  } catch (err) {
    await store.close();
    throw err;
  }
}

type Unmigrated = Omit<Store, 'migrated'> & { migrated: MigrationResult[]; armGuard(): void };

/** After-commit hooks per open transaction, and the listeners problems go to. */
class CommitHooks {
  private readonly hooks = new WeakMap<object, Array<() => Promise<void>>>();
  private readonly listeners: Array<(err: FerryError) => void> = [];

  add(trx: object, hook: () => Promise<void>): void {
    const list = this.hooks.get(trx);
    if (list) list.push(hook);
    else this.hooks.set(trx, [hook]);
  }

  /** Runs (and forgets) the hooks of a committed transaction; a failure is reported, not thrown. */
  async run(trx: object | undefined): Promise<void> {
    const list = trx ? this.hooks.get(trx) : undefined;
    if (!trx || !list) return;
    this.hooks.delete(trx);
    for (const hook of list) {
      try {
        await hook();
      } catch (err) {
        // Not the message: a driver or file system message can carry a path or a value.
        this.report(
          err instanceof FerryError
            ? err
            : new FerryError('internal', 'store.after_commit_failed', `a step after a committed write failed (${(err as NodeJS.ErrnoException).code ?? (err as Error).name})`, [], { cause: err }),
        );
      }
    }
  }

  discard(trx: object | undefined): void {
    if (trx) this.hooks.delete(trx);
  }

  listen(listener: (err: FerryError) => void): void {
    this.listeners.push(listener);
  }

  report(err: FerryError): void {
    for (const l of this.listeners) l(err);
  }
}

function openSqlite(location: Extract<StoreLocation, { dialect: 'sqlite' }>, anchor: AnchorLocation | null): Unmigrated {
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
    const translated = translateStoreError(err, location.display);
    if (translated instanceof FerryError) throw translated;
    throw new FerryError(
      'connection',
      'store.open_failed',
      `cannot open the control store ${location.display}: ${(err as Error).message}; check the path is writable or choose another with --store / FERRY_DATABASE_URL`,
      [],
      { cause: err },
    );
  }
  // Writes outside writeTransaction (a session's last-seen time) are refused too, statement by statement.
  const db = new Kysely<ControlDatabase>({
    dialect: new SqliteDialect({ database: translatingDatabase(database, location.display) }),
    plugins: [writeGuard(() => fault())],
  });
  const hooks = new CommitHooks();
  const guard = storeFileGuard(location.file);
  let tripped: { err: FerryError; rescue: boolean } | null = null;
  // Committed pages not yet checkpointed live only in the -wal file this connection holds
  // open. Once that file is unlinked, the next process to open the store starts a new, empty
  // log and never sees them, and this connection's own close can then lose them; copying them
  // into the store file now, through the still-open descriptors, keeps them.
  const rescue = (): boolean => {
    if (database.inTransaction) return false;
    try {
      database.pragma('wal_checkpoint(FULL)');
      return true;
    } catch {
      return false;
    }
  };
  const fault = (): FerryError | null => {
    if (tripped) return tripped.err;
    const f = guard.inspect();
    if (!f) return null;
    const rescued = f.file === 'wal' && rescue();
    tripped = { err: storeReplacedError(f, rescued), rescue: f.file === 'wal' && !rescued };
    hooks.report(tripped.err);
    return tripped.err;
  };
  return {
    db,
    dialect: 'sqlite',
    display: location.display,
    location,
    pgSchema: null,
    migrated: [],
    anchor,
    armGuard: () => {
      // A read opens the write-ahead log, so the -wal file exists before its identity is taken.
      storeCall(location.display, () => database.prepare('select count(*) from sqlite_master').get());
      guard.arm();
    },
    writeTransaction: async (fn) => {
      const refused = fault();
      if (refused) throw refused;
      let trx: StoreDb | undefined;
      try {
        const result = await db.connection().execute(async (conn) => {
          trx = conn;
          await sql`begin immediate`.execute(conn);
          try {
            const r = await fn(conn);
            await sql`commit`.execute(conn);
            return r;
          } catch (err) {
            if (database.inTransaction) await sql`rollback`.execute(conn);
            throw err;
          }
        });
        // Hooks run after the connection is released: they may open a write transaction of their own.
        await hooks.run(trx);
        return result;
      } finally {
        hooks.discard(trx);
      }
    },
    lock: async () => {},
    afterCommit: (trx, hook) => hooks.add(trx, hook),
    fault,
    onProblem: (listener) => hooks.listen(listener),
    close: async () => {
      if (tripped?.rescue) rescue();
      await db.destroy();
    },
  };
}

/** A plugin that refuses INSERT, UPDATE and DELETE while `fault` reports a problem. */
function writeGuard(fault: () => FerryError | null): KyselyPlugin {
  const writes = new Set(['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode']);
  return {
    transformQuery(args) {
      if (writes.has(args.node.kind)) {
        const refused = fault();
        if (refused) throw refused;
      }
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
}

async function openPostgres(location: Extract<StoreLocation, { dialect: 'postgres' }>, anchor: AnchorLocation | null): Promise<Unmigrated> {
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
    throw new FerryError(
      'connection',
      'store.connect_failed',
      `cannot reach the control store at ${where}: ${(err as Error).message}; check FERRY_DATABASE_URL / --store and that PostgreSQL is running`,
      [],
      { cause: err },
    );
  }
  const db = new Kysely<ControlDatabase>({ dialect: new PostgresDialect({ pool }) });
  const hooks = new CommitHooks();
  return {
    db,
    dialect: 'postgres',
    display: location.display,
    location,
    pgSchema: schema,
    migrated: [],
    anchor,
    armGuard: () => {},
    writeTransaction: async (fn) => {
      let trx: StoreDb | undefined;
      try {
        const result = await db.transaction().execute((t) => {
          trx = t;
          return fn(t);
        });
        await hooks.run(trx);
        return result;
      } finally {
        hooks.discard(trx);
      }
    },
    lock: async (trx, name) => {
      await sql`select pg_advisory_xact_lock(${advisoryKey(`${schema}.${name}`)}::bigint)`.execute(trx);
    },
    afterCommit: (trx, hook) => hooks.add(trx, hook),
    fault: () => null,
    onProblem: (listener) => hooks.listen(listener),
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
