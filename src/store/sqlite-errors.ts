/**
 * SQLite's failures of the control store as FerryErrors. A full disk, an I/O error, a read-only
 * file or another process holding the write lock are the operator's to fix, not Ferry bugs: each
 * gets a stable code and a message saying what to do, instead of surfacing as an internal error.
 * Errors of the query itself (a constraint, a syntax error) pass through unchanged, for the
 * caller that expects them. Messages name the store and SQLite's code, never SQLite's message.
 */
import type Database from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { FerryError, type ErrorKind } from '../errors.js';

interface Translation {
  kind: ErrorKind;
  code: string;
  message: (store: string, sqliteCode: string) => string;
}

const MOVE = 'or move the store elsewhere with --store / FERRY_DATABASE_URL';

// Checked in order, by prefix of SQLite's extended result code (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED…).
const TRANSLATIONS: Array<[prefix: string, Translation]> = [
  [
    'SQLITE_FULL',
    {
      kind: 'connection',
      code: 'store.disk_full',
      message: (store, c) => `the disk holding the control store ${store} is full (${c}), so the write was not made; free space on that volume, ${MOVE}, then retry`,
    },
  ],
  [
    'SQLITE_IOERR',
    {
      kind: 'connection',
      code: 'store.io_error',
      message: (store, c) =>
        `reading or writing the control store ${store} failed at the file system (${c}), so the write was not made; check the volume for free space, quota or file size limits and hardware errors, ${MOVE}, then retry`,
    },
  ],
  [
    'SQLITE_READONLY',
    {
      kind: 'connection',
      code: 'store.read_only',
      message: (store, c) => `the control store ${store} cannot be written (${c}): make the file, its directory and its -wal and -shm files writable by this user, ${MOVE}`,
    },
  ],
  [
    'SQLITE_CANTOPEN',
    {
      kind: 'connection',
      code: 'store.open_failed',
      message: (store, c) => `cannot open the control store ${store} (${c}): check the directory exists and is writable by this user, ${MOVE}`,
    },
  ],
  [
    'SQLITE_BUSY',
    {
      kind: 'conflict',
      code: 'store.busy',
      message: (store, c) =>
        `another process held the control store ${store} locked for longer than the busy timeout (${c}); retry once it has finished, or raise the wait with ?busy_timeout=MS in the store URL`,
    },
  ],
  [
    'SQLITE_CORRUPT',
    { kind: 'connection', code: 'store.corrupt', message: (store, c) => `the control store ${store} is damaged (${c}); restore it from a backup and check it with ferry audit verify` },
  ],
  [
    'SQLITE_NOTADB',
    {
      kind: 'connection',
      code: 'store.corrupt',
      message: (store, c) => `${store} is not a SQLite database (${c}); point --store / FERRY_DATABASE_URL at the control store, or restore it from a backup`,
    },
  ],
];

/** Codes of the store failures above: the operator's to fix, never the caller's. */
export const STORE_FAILURE_CODES: ReadonlySet<string> = new Set(TRANSLATIONS.map(([, t]) => t.code));

/** The FerryError for a SQLite failure of the store an operator must act on; any other error unchanged. */
export function translateStoreError(err: unknown, store: string): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof FerryError || typeof code !== 'string') return err;
  const hit = TRANSLATIONS.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`));
  if (!hit) return err;
  const t = hit[1];
  return new FerryError(t.kind, t.code, t.message(store, code), [], { cause: err });
}

/** Runs `fn`, translating a SQLite failure of the store. */
export function storeCall<T>(store: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw translateStoreError(err, store);
  }
}

/** The database as Kysely's SQLite dialect sees it, every statement's failure translated. */
export function translatingDatabase(database: Database.Database, store: string): SqliteDatabase {
  return {
    close: () => database.close(),
    prepare(text: string): SqliteStatement {
      const stmt = storeCall(store, () => database.prepare(text));
      return {
        reader: stmt.reader,
        all: (params) => storeCall(store, () => stmt.all(params)),
        run: (params) => storeCall(store, () => stmt.run(params)),
        *iterate(params) {
          const rows = storeCall(store, () => stmt.iterate(params));
          try {
            for (;;) {
              const next = storeCall(store, () => rows.next());
              if (next.done) return;
              yield next.value;
            }
          } finally {
            rows.return?.();
          }
        },
      };
    },
  };
}
