import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FerryError } from '../../src/errors.js';
import { DIALECTS, rawSql, storeFixture, type StoreFixture } from './stores.js';
import { buildWorld, changedContract, extraUser, fixtureContract, type World } from './world.js';

describe.each(DIALECTS)('contract versions on %s', (dialect) => {
  let fx: StoreFixture;
  let w: World;
  beforeAll(async () => {
    fx = await storeFixture(dialect);
  });
  afterAll(() => fx.cleanup());
  beforeEach(async () => {
    w = await buildWorld(fx);
  });
  afterEach(() => w.close());

  it('stores an immutable version with digest, author, time and message, and dedups an identical digest', async () => {
    const { plane, a } = w;
    const c = await fixtureContract();
    const first = await plane.submitVersion(a.as.migration_analyst, a.project.id, { ...c, message: 'first cut' });
    expect(first.created).toBe(true);
    expect(first.version).toMatchObject({ number: 1, authorId: a.as.migration_analyst.userId, message: 'first cut', contractName: 'legacy_pas_small', approval: null });
    expect(first.version.digest).toMatch(/^[0-9a-f]{64}$/);
    // Same meaning, different layout: a trailing comment changes the text, not the digest.
    const again = await plane.submitVersion(a.as.migration_analyst, a.project.id, { ...c, yaml: `${c.yaml}\n# reformatted\n`, message: 'again' });
    expect(again.created).toBe(false);
    expect(again.version.id).toBe(first.version.id);
    const second = await plane.submitVersion(a.as.migration_analyst, a.project.id, { ...(await changedContract()), message: 'bump' });
    expect(second.version.number).toBe(2);
    expect((await plane.listVersions(a.as.viewer, a.project.id)).map((v) => v.number)).toEqual([2, 1]);
    const got = await plane.getVersion(a.as.viewer, first.version.id);
    expect(got.yaml).toBe(c.yaml);
    expect(got.crosswalks).toEqual(c.crosswalks);
    const events = await plane.listAuditEvents(a.as.auditor, { type: 'contract:versioned' });
    expect(events.map((e) => (e.payload as { version: number }).version)).toEqual([2, 1]);
  });

  it('refuses an invalid contract with its issues, and crosswalk files the contract does not name', async () => {
    const { plane, a } = w;
    const c = await fixtureContract();
    const bad = await plane.submitVersion(a.as.migration_analyst, a.project.id, { yaml: c.yaml.replace('ferry: 1', 'ferry: 7'), crosswalks: c.crosswalks, message: '' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(FerryError);
    expect((bad as FerryError).kind).toBe('contract');
    const extra = await plane.submitVersion(a.as.migration_analyst, a.project.id, { ...c, crosswalks: { ...c.crosswalks, 'other.csv': 'x' }, message: '' }).catch((e: unknown) => e);
    expect((extra as FerryError).code).toBe('version.unused_crosswalk');
    const escape = await plane.submitVersion(a.as.migration_analyst, a.project.id, { ...c, crosswalks: { '../sex.csv': 'x' }, message: '' }).catch((e: unknown) => e);
    expect((escape as FerryError).code).toBe('version.bad_crosswalk_path');
    expect(await plane.listVersions(a.as.viewer, a.project.id)).toEqual([]);
  });

  it('diffs two versions field by field with the contract diff', async () => {
    const { plane, a } = w;
    const v1 = (await plane.submitVersion(a.as.migration_analyst, a.project.id, { ...(await fixtureContract()), message: '' })).version;
    const v2 = (await plane.submitVersion(a.as.migration_analyst, a.project.id, { ...(await changedContract()), message: '' })).version;
    const diff = await plane.diffVersions(a.as.viewer, v1.id, v2.id);
    expect(diff.identical).toBe(false);
    expect(diff.old.digest).toBe(v1.digest);
    expect(diff.new.digest).toBe(v2.digest);
    expect(diff.changes).toContainEqual(expect.objectContaining({ subject: 'metadata', op: 'changed' }));
  });

  it('lets an integration_lead approve once, never their own version, and the store refuses any later change', async () => {
    const { plane, a } = w;
    const leadAuthor = await extraUser(plane, a, 'lead-author', ['integration_lead', 'migration_analyst']);
    const own = (await plane.submitVersion(leadAuthor, a.project.id, { ...(await fixtureContract()), message: '' })).version;
    const self = await plane.approveVersion(leadAuthor, own.id, 'looks fine to me').catch((e: unknown) => e);
    expect((self as FerryError).kind).toBe('forbidden');
    expect((await plane.getVersion(a.as.viewer, own.id)).approval).toBeNull();
    const denied = await plane.listAuditEvents(a.as.auditor, { type: 'access:denied' });
    expect(denied[0].payload).toMatchObject({ action: 'version.approve', resourceId: own.id, reason: 'forbidden' });

    const approved = await plane.approveVersion(a.as.integration_lead, own.id, 'reviewed diff');
    expect(approved.approval).toMatchObject({ approverId: a.as.integration_lead.userId, comment: 'reviewed diff' });
    const twice = await plane.approveVersion(a.as.integration_lead, own.id, 'again').catch((e: unknown) => e);
    expect((twice as FerryError).code).toBe('version.already_approved');

    // Even with direct SQL access, the approved version and its approval cannot be altered or removed.
    await expect(rawSql(w.store, `UPDATE "contract_version" SET "message" = 'edited' WHERE "id" = '${own.id}'`)).rejects.toThrow(/immutable/);
    await expect(rawSql(w.store, `DELETE FROM "version_approval" WHERE "version_id" = '${own.id}'`)).rejects.toThrow(/immutable/);
    expect((await plane.getVersion(a.as.viewer, own.id)).message).toBe('');
  });
});
