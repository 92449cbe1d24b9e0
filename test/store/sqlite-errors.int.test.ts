/**
 * The SQLite control store failing for reasons outside Ferry (a full disk, a read-only store, a
 * writer that holds the lock, a damaged or unopenable file) gives a typed FerryError with a
 * stable code and what to do, never an internal error carrying SQLite's message.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/log.js';
import { FerryError } from '../../src/errors.js';
import { openStore, type Store } from '../../src/store/db.js';
import { parseStoreUrl } from '../../src/store/store-url.js';
import { tempDir } from '../helpers/tmp.js';
import { sampleEvent } from '../audit/helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let store: Store | undefined;
beforeEach(async () => ({ dir, cleanup } = await tempDir('ferry-store-err-')));
afterEach(async () => {
  await store?.close();
  store = undefined;
  await cleanup();
});

async function failure(p: Promise<unknown>): Promise<FerryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FerryError);
  return err as FerryError;
}

const open = (spec = 'store.db') => openStore(parseStoreUrl(`sqlite:${spec}`, dir));

describe('SQLite control store failures', () => {
  it('a full disk is store.disk_full, nothing of the write is kept, and the store still reads', async () => {
    store = await open();
    const log = new AuditLog(store);
    await log.append(sampleEvent(1));
    // SQLite's own limit on the file's pages fails a write exactly as a full volume does (SQLITE_FULL).
    const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(store.db);
    await sql.raw(`pragma max_page_count = ${rows[0].page_count}`).execute(store.db);
    const err = await failure(store.writeTransaction((trx) => sql`create table filler as select randomblob(100000) as b`.execute(trx)));
    expect(err).toMatchObject({ kind: 'connection', code: 'store.disk_full' });
    expect(err.message).toMatch(/^the disk holding the control store sqlite:.*store\.db is full \(SQLITE_FULL\), so the write was not made; free space on that volume/);
    expect((await sql<{ n: number }>`select count(*) as n from sqlite_master where name = 'filler'`.execute(store.db)).rows[0].n).toBe(0);
    expect(await store.db.selectFrom('audit_event').select('seq').execute()).toHaveLength(1);
  });

  it('a store that refuses writes is store.read_only', async () => {
    store = await open();
    // Root ignores file modes, so the connection itself is made read-only.
    await sql`pragma query_only = 1`.execute(store.db);
    const err = await failure(new AuditLog(store).append(sampleEvent(1)));
    expect(err).toMatchObject({ kind: 'connection', code: 'store.read_only' });
    expect(err.message).toMatch(/cannot be written \(SQLITE_READONLY\): make the file, its directory and its -wal and -shm files writable/);
  });

  it('a writer holding the lock past the busy timeout is store.busy (a conflict)', async () => {
    store = await open('store.db?busy_timeout=50');
    const other = new Database(path.join(dir, 'store.db'));
    try {
      other.exec('begin immediate');
      const err = await failure(store.writeTransaction(async () => undefined));
      expect(err).toMatchObject({ kind: 'conflict', code: 'store.busy' });
      expect(err.message).toMatch(/locked for longer than the busy timeout \(SQLITE_BUSY\); retry once it has finished, or raise the wait with \?busy_timeout=MS/);
      other.exec('rollback');
      await store.writeTransaction(async () => undefined);
    } finally {
      other.close();
    }
  });

  it('a path that cannot be opened is store.open_failed and a file that is not a database store.corrupt', async () => {
    await mkdir(path.join(dir, 'a-directory'));
    expect(await failure(open('a-directory'))).toMatchObject({ kind: 'connection', code: 'store.open_failed', message: expect.stringMatching(/\(SQLITE_CANTOPEN\)/) });
    await writeFile(path.join(dir, 'notes.txt'), 'not a database, just text long enough to fill a header page'.repeat(100));
    expect(await failure(open('notes.txt'))).toMatchObject({ kind: 'connection', code: 'store.corrupt', message: expect.stringMatching(/is not a SQLite database \(SQLITE_NOTADB\)/) });
  });

  it('leaves errors of the query itself to its caller', async () => {
    store = await open();
    await sql`create table once (k int primary key)`.execute(store.db);
    await sql`insert into once values (1)`.execute(store.db);
    const err = await store.writeTransaction((trx) => sql`insert into once values (1)`.execute(trx)).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(FerryError);
    expect((err as { code?: string }).code).toMatch(/^SQLITE_CONSTRAINT/);
  });
});
