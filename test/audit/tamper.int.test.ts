/**
 * Each kind of tampering, done the way an insider with database access would: directly in SQL,
 * after dropping the append-only triggers. `verifyStore` must name the first bad event.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventHash } from '../../src/audit/chain.js';
import { type AuditLog, toRow } from '../../src/audit/log.js';
import { verifyStore } from '../../src/audit/verify.js';
import type { Store } from '../../src/store/db.js';
import { DIALECTS, dropAppendOnlyTriggers, rawSql, storeFixture, type StoreFixture } from '../control/stores.js';
import { seedChain } from './helpers.js';

describe.each(DIALECTS)('audit verify detects tampering on %s', (dialect) => {
  let fx: StoreFixture;
  let store: Store;
  let log: AuditLog;
  beforeAll(async () => {
    fx = await storeFixture(dialect);
  });
  afterAll(() => fx.cleanup());
  beforeEach(async () => {
    store = await fx.open(fx.freshUrl());
    log = await seedChain(store, 10);
    await dropAppendOnlyTriggers(store);
  });
  afterEach(() => store.close());

  it('passes an untouched chain', async () => {
    expect(await verifyStore(log)).toMatchObject({ ok: true, checked: 10, firstBad: null, last: { seq: 10 } });
  });

  it('names an event whose payload was edited', async () => {
    await rawSql(store, `UPDATE "audit_event" SET "payload" = REPLACE("payload", '"quarantined":3', '"quarantined":0') WHERE "seq" = 6`);
    const r = await verifyStore(log);
    expect(r).toMatchObject({ ok: false, firstBad: 6 });
    expect(r.problems).toEqual([expect.objectContaining({ seq: 6, code: 'audit.hash_mismatch' })]);
  });

  it('names an event whose actor or time was edited', async () => {
    await rawSql(store, `UPDATE "audit_event" SET "actor" = 'os:carol' WHERE "seq" = 3`);
    await rawSql(store, `UPDATE "audit_event" SET "time" = '2025-03-01T00:00:30.000Z' WHERE "seq" = 8`);
    const r = await verifyStore(log);
    expect(r.firstBad).toBe(3);
    expect(r.problems.map((p) => [p.seq, p.code])).toEqual([
      [3, 'audit.hash_mismatch'],
      [8, 'audit.hash_mismatch'],
    ]);
  });

  it('names an event whose payload is no longer JSON', async () => {
    await rawSql(store, `UPDATE "audit_event" SET "payload" = 'redacted' WHERE "seq" = 2`);
    expect(await verifyStore(log)).toMatchObject({ firstBad: 2, problems: [expect.objectContaining({ code: 'audit.corrupt_payload' })] });
  });

  it('names a deleted event in the middle', async () => {
    await rawSql(store, `DELETE FROM "audit_event" WHERE "seq" = 5`);
    const r = await verifyStore(log);
    expect(r).toMatchObject({ ok: false, firstBad: 5, checked: 9 });
    expect(r.problems[0]).toMatchObject({ seq: 5, code: 'audit.missing' });
    expect(r.problems[0].message).toMatch(/event 5 is missing/);
  });

  it('names deleted events at the end of the chain', async () => {
    await rawSql(store, `DELETE FROM "audit_event" WHERE "seq" >= 9`);
    const r = await verifyStore(log);
    // The head row still says 10, and so does the anchor outside the store.
    expect(r).toMatchObject({ ok: false, firstBad: 9 });
    expect(r.problems.map((p) => p.code).sort()).toEqual(['audit.anchor_ahead', 'audit.missing']);
    expect(r.problems[0].message).toMatch(/events 9–10 were deleted/);
  });

  it('names a forged event appended with a correct hash but a prev_hash that skips the real predecessor', async () => {
    const e7 = (await log.get(7))!;
    const forged = {
      seq: 11,
      time: '2025-03-01T01:00:00.000Z',
      actor: 'os:mallory',
      orgId: null,
      projectId: 'p-east',
      type: 'release:approved',
      payload: { contractDigest: 'd'.repeat(64), tier: 'production', role: 'clinical_safety_officer' },
      prevHash: e7.hash,
    };
    await store.db
      .insertInto('audit_event')
      .values(toRow({ ...forged, hash: eventHash(forged) }))
      .execute();
    const r = await verifyStore(log);
    expect(r.firstBad).toBe(11);
    expect(r.problems.map((p) => p.code)).toContain('audit.broken_link');
    expect(r.problems.find((p) => p.code === 'audit.broken_link')?.message).toMatch(/prev_hash does not match the hash of event 10/);
  });

  it('names a forged event inserted in the middle, even when the head row is moved along with it', async () => {
    // Make room at seq 4 by shifting 4..10 up one (via a detour, so the primary key never collides).
    await rawSql(store, `UPDATE "audit_event" SET "seq" = "seq" + 1000 WHERE "seq" >= 4`);
    await rawSql(store, `UPDATE "audit_event" SET "seq" = "seq" - 999 WHERE "seq" > 1000`);
    const e3 = (await log.get(3))!;
    const forged = { seq: 4, time: e3.time, actor: 'os:mallory', orgId: null, projectId: null, type: 'user:unlocked', payload: { userId: 'u-mallory' }, prevHash: e3.hash };
    await store.db
      .insertInto('audit_event')
      .values(toRow({ ...forged, hash: eventHash(forged) }))
      .execute();
    const last = (await log.get(11))!;
    await rawSql(store, `UPDATE "audit_head" SET "seq" = 11, "hash" = '${last.hash}'`);
    const r = await verifyStore(log);
    // The forged event itself links correctly; the original event 4, now at 5, cannot.
    expect(r.firstBad).toBe(5);
    expect(r.problems.map((p) => [p.seq, p.code])).toEqual(
      expect.arrayContaining([
        [5, 'audit.broken_link'],
        [5, 'audit.hash_mismatch'],
      ]),
    );
  });

  it('names the first of two events whose sequence numbers were swapped', async () => {
    await rawSql(store, `UPDATE "audit_event" SET "seq" = 1003 WHERE "seq" = 3`);
    await rawSql(store, `UPDATE "audit_event" SET "seq" = 3 WHERE "seq" = 7`);
    await rawSql(store, `UPDATE "audit_event" SET "seq" = 7 WHERE "seq" = 1003`);
    const r = await verifyStore(log);
    expect(r).toMatchObject({ ok: false, firstBad: 3 });
    expect(
      r.problems
        .filter((p) => p.seq === 3)
        .map((p) => p.code)
        .sort(),
    ).toEqual(['audit.broken_link', 'audit.hash_mismatch']);
    expect(r.problems.some((p) => p.seq === 7)).toBe(true);
  });
});
