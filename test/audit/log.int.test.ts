import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH, eventHash } from '../../src/audit/chain.js';
import { AuditLog } from '../../src/audit/log.js';
import { verifyStore } from '../../src/audit/verify.js';
import type { Store } from '../../src/store/db.js';
import { runInstance } from '../control/instances.js';
import { DIALECTS, rawSql, storeFixture, type StoreFixture } from '../control/stores.js';
import { seedChain, steppingClock } from './helpers.js';

describe.each(DIALECTS)('the audit log on %s', (dialect) => {
  let fx: StoreFixture;
  let url: string;
  let store: Store;
  beforeAll(async () => {
    fx = await storeFixture(dialect);
  });
  afterAll(() => fx.cleanup());
  beforeEach(async () => {
    url = fx.freshUrl();
    store = await fx.open(url);
  });
  afterEach(() => store.close());

  it('numbers events 1, 2, 3 … and links each to the previous hash, starting from 64 zeros', async () => {
    const log = await seedChain(store, 5);
    const events = await log.list({ order: 'asc' });
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(events[0].prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < events.length; i++) expect(events[i].prevHash).toBe(events[i - 1].hash);
    for (const e of events) expect(eventHash(e)).toBe(e.hash);
    expect(await log.head()).toEqual({ seq: 5, hash: events[4].hash });
  });

  it('writes nothing when a payload is refused', async () => {
    const log = await seedChain(store, 2);
    const before = await log.head();
    await expect(log.append({ type: 'user:login', actor: 'os:alice', payload: { userId: 'u1', method: 'password', password: 'x' } as never })).rejects.toThrow(/password/);
    expect(await log.head()).toEqual(before);
    expect(await log.list()).toHaveLength(2);
  });

  it("commits an event together with the caller's transaction, or not at all", async () => {
    const log = new AuditLog(store);
    await expect(
      store.writeTransaction(async (trx) => {
        await log.appendIn(trx, { type: 'user:unlocked', actor: 'admin', payload: { userId: 'u7' } });
        throw new Error('the privileged change failed');
      }),
    ).rejects.toThrow('the privileged change failed');
    expect(await log.head()).toEqual({ seq: 0, hash: GENESIS_HASH });
    await store.writeTransaction((trx) => log.appendIn(trx, { type: 'user:unlocked', actor: 'admin', payload: { userId: 'u7' } }));
    expect((await log.head()).seq).toBe(1);
  });

  it('filters by type, actor, run, project and time range, newest first, with a limit', async () => {
    const log = await seedChain(store, 12); // one minute apart from 00:00
    expect((await log.list({ type: 'run:started' })).map((e) => e.seq)).toEqual([9, 5, 1]);
    expect((await log.list({ actor: 'os:bob' })).every((e) => e.actor === 'os:bob')).toBe(true);
    expect((await log.list({ runId: 'run-4' })).map((e) => e.type)).toEqual(['batch:loaded', 'run:started']);
    expect((await log.list({ projectId: 'p-west' })).map((e) => e.seq)).toEqual([10, 7, 1]); // seq 4 is a login, which belongs to no project
    expect((await log.list({ from: '2025-03-01T00:02:00Z', to: '2025-03-01T00:05:00Z' })).map((e) => e.seq)).toEqual([5, 4, 3]);
    expect((await log.list({ limit: 2 })).map((e) => e.seq)).toEqual([12, 11]);
    expect((await log.list({ limit: 2, order: 'asc' })).map((e) => e.seq)).toEqual([1, 2]);
  });

  it('shows one event by sequence number', async () => {
    const log = await seedChain(store, 3);
    expect(await log.get(2)).toMatchObject({ seq: 2, type: 'batch:loaded', actor: 'os:bob', projectId: 'p-east' });
    expect(await log.get(99)).toBeUndefined();
  });

  it('refuses UPDATE and DELETE of stored events at the database level', async () => {
    await seedChain(store, 3);
    await expect(rawSql(store, `UPDATE "audit_event" SET "actor" = 'x' WHERE "seq" = 2`)).rejects.toThrow(/append-only/);
    await expect(rawSql(store, `DELETE FROM "audit_event" WHERE "seq" = 2`)).rejects.toThrow(/append-only/);
    expect((await verifyStore(new AuditLog(store))).ok).toBe(true);
  });

  it('never forks the chain when two processes append at the same time', async () => {
    await new AuditLog(store, steppingClock()).append({ type: 'user:created', actor: 'setup', payload: { userId: 'u1' } });
    const [a, b] = await Promise.all([runInstance(url, 60, 'proc-a'), runInstance(url, 60, 'proc-b')]);
    expect(a.appended + b.appended).toBe(120);
    const result = await verifyStore(new AuditLog(store));
    expect(result).toMatchObject({ ok: true, checked: 121, last: { seq: 121 } });
    const actors = (await new AuditLog(store).list({ order: 'asc' })).map((e) => e.actor);
    expect(actors.filter((x) => x === 'proc-a')).toHaveLength(60);
    expect(actors.filter((x) => x === 'proc-b')).toHaveLength(60);
  });
});
