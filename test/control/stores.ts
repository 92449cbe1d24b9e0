/**
 * Control stores for tests, one per dialect: a SQLite file in a temporary directory, or a
 * uniquely named PostgreSQL database. `freshUrl()` hands out an empty store each call (a new
 * file, or a new schema in the file's database), so tests never share a chain.
 */
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { sql } from 'kysely';
import { openStore, type Store, type StoreDialect } from '../../src/store/db.js';
import { parseStoreUrl } from '../../src/store/store-url.js';
import { createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';

export const DIALECTS: StoreDialect[] = ['sqlite', 'postgres'];

export interface StoreFixture {
  /** A URL to a new, empty store. */
  freshUrl(): string;
  open(url: string): Promise<Store>;
  cleanup(): Promise<void>;
}

/** Creates the per-file database (or temporary directory) for `dialect`. */
export async function storeFixture(dialect: StoreDialect): Promise<StoreFixture> {
  if (dialect === 'sqlite') {
    const { dir, cleanup } = await tempDir('ferry-store-');
    return {
      freshUrl: () => `sqlite:${path.join(dir, `${randomBytes(4).toString('hex')}.db`)}`,
      open: (url) => openStore(parseStoreUrl(url, dir)),
      cleanup,
    };
  }
  const db = await createPgDatabase('ferry_ctl');
  // A PostgreSQL store's audit anchor lives outside the database, as in production: one file per store.
  const anchors = await tempDir('ferry-anchor-');
  return {
    freshUrl: () => `${db.url}?schema=s_${randomBytes(4).toString('hex')}`,
    open: (url) => openStore(parseStoreUrl(url, process.cwd()), { anchor: { file: path.join(anchors.dir, createHash('sha256').update(url).digest('hex').slice(0, 16)) } }),
    cleanup: async () => {
      await db.drop();
      await anchors.cleanup();
    },
  };
}

/** Runs raw SQL against the store, as someone with direct database access would. */
export async function rawSql(store: Store, statement: string): Promise<Array<Record<string, unknown>>> {
  const r = await sql.raw<Record<string, unknown>>(statement).execute(store.db);
  return r.rows;
}

/** Removes the append-only triggers, the first thing a tamperer with database access does. */
export async function dropAppendOnlyTriggers(store: Store): Promise<void> {
  if (store.dialect === 'sqlite') {
    await rawSql(store, 'DROP TRIGGER "audit_event_no_update"');
    await rawSql(store, 'DROP TRIGGER "audit_event_no_delete"');
  } else {
    await rawSql(store, 'DROP TRIGGER "audit_event_append_only" ON "audit_event"');
  }
}
