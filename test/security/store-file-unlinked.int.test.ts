/**
 * Attack (adversarial review, issue #14): while the server runs, another process removes the
 * SQLite store's -wal and -shm files, or replaces the store file. Before the guard, the server
 * kept committing into the unlinked log, 88 acknowledged audit events were lost at shutdown and
 * `ferry audit verify` still said OK. Now the first write or readiness check after it refuses
 * with `store.replaced`, the events already committed are kept, and the server says why once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFile, rename, rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import pino from 'pino';
import { openStore, type Store } from '../../src/store/db.js';
import { parseStoreUrl } from '../../src/store/store-url.js';
import { AuditLog } from '../../src/audit/log.js';
import { verifyStore } from '../../src/audit/verify.js';
import { FerryError } from '../../src/errors.js';
import { storeFixture, type StoreFixture } from '../control/stores.js';
import { sampleEvent, seedChain } from '../audit/helpers.js';
import { PASSWORD, startHarness, type Harness } from '../server/harness.js';

const fileOf = (store: Store) => store.display.slice('sqlite:'.length);

async function refusal(p: Promise<unknown>): Promise<FerryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FerryError);
  return err as FerryError;
}

describe('a SQLite store whose files are removed or replaced under an open connection', () => {
  let fx: StoreFixture;
  let url: string;
  let store: Store;
  let log: AuditLog;

  beforeEach(async () => {
    fx = await storeFixture('sqlite');
    url = fx.freshUrl();
    store = await fx.open(url);
    log = await seedChain(store, 30);
  });
  afterEach(async () => {
    await store.close();
    await fx.cleanup();
  });

  it('refuses every write once the -wal and -shm files are unlinked, and keeps the events already committed', async () => {
    const file = fileOf(store);
    await rm(`${file}-wal`);
    await rm(`${file}-shm`);
    const err = await refusal(log.append(sampleEvent(30)));
    expect(err).toMatchObject({ kind: 'connection', code: 'store.replaced' });
    expect(err.message).toMatch(/write-ahead log \(its -wal file\) was removed/);
    expect(err.message).toMatch(/restart the server/);
    expect(err.message).not.toContain(file);
    expect(store.fault()?.code).toBe('store.replaced');
    // Writes outside a write transaction are refused too; reads still answer.
    expect((await refusal(store.db.updateTable('audit_head').set({ seq: 1 }).where('id', '=', 1).execute())).code).toBe('store.replaced');
    expect((await log.head()).seq).toBe(30);
    // Still refused: the guard does not re-arm on a new -wal file another process created.
    expect((await refusal(log.append(sampleEvent(31)))).code).toBe('store.replaced');

    // A second process opening the store now sees all 30 events, because the guard
    // checkpointed them into the store file before anything else could open a fresh log.
    const other = await openStore(parseStoreUrl(url, '/'));
    try {
      const r = await verifyStore(new AuditLog(other));
      expect(r).toMatchObject({ ok: true, checked: 30, last: { seq: 30 } });
    } finally {
      await other.close();
    }
  });

  it('refuses every write once the store file is replaced by a copy', async () => {
    const file = fileOf(store);
    await copyFile(file, `${file}.copy`);
    await rename(`${file}.copy`, file);
    const err = await refusal(log.append(sampleEvent(30)));
    expect(err).toMatchObject({ code: 'store.replaced' });
    expect(err.message).toMatch(/^the control store file was replaced/);
    expect(err.message).not.toContain(file);
  });

  it('keeps writing while the files stay where they are', async () => {
    await log.append(sampleEvent(30));
    expect(store.fault()).toBeNull();
    expect((await log.head()).seq).toBe(31);
  });
});

describe('the server over a SQLite store whose -wal file is unlinked', () => {
  let h: Harness;
  const lines: Array<Record<string, unknown>> = [];

  beforeEach(async () => {
    lines.length = 0;
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    h = await startHarness('sqlite', { logger: pino({ level: 'info' }, sink) });
  });
  afterEach(async () => {
    await h.close();
  });

  it('fails readiness with 503 store.replaced, refuses writes with 503, and logs it once', async () => {
    expect((await h.client.request('GET', '/readyz')).status).toBe(200);
    const file = fileOf(h.world.store);
    await rm(`${file}-wal`);
    await rm(`${file}-shm`);

    const ready = await h.client.request('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.error.code).toBe('store.replaced');
    expect(ready.text).not.toContain(file);

    // A login writes (session + audit event): refused the same way.
    const login = await h.client.request('POST', '/auth/login', { body: { org: h.world.a.slug, username: h.world.a.usernames.auditor, password: PASSWORD } });
    expect(login.status).toBe(503);
    expect(login.body.error.code).toBe('store.replaced');
    expect((await h.client.request('GET', '/readyz')).status).toBe(503);

    // Request lines carry each response's code; the store's own report is the one error line.
    const logged = lines.filter((l) => l.code === 'store.replaced' && l.msg !== 'request');
    expect(logged).toHaveLength(1);
    expect(logged[0].level).toBe(50);
    expect(JSON.stringify(logged[0])).not.toContain(file);
  });
});
