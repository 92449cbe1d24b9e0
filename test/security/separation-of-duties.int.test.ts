/**
 * The review's separation-of-duties finding, replayed: an org_admin set production approvals
 * to none, held integration_lead, then approved and ran production alone. Production now has a
 * floor no policy lowers — at least one approver, never the author, and one approval from
 * someone who neither wrote the version nor last changed the production policy — and every
 * policy change is on the trail with before and after and on the release board.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FerryError } from '../../src/errors.js';
import { DIALECTS, storeFixture, type StoreFixture } from '../control/stores.js';
import { buildWorld, extraUser, fixtureContract, type World } from '../control/world.js';

describe.each(DIALECTS)('production release cannot be done alone (%s store)', (dialect) => {
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

  it('refuses production policies below the floor', async () => {
    const { plane, a } = w;
    const project = a.project.id;
    for (const policy of [{ requiredRoles: [], minApprovers: 0 }, { excludeAuthor: false }]) {
      const e = (await plane.configureTier(a.admin, project, 'production', { policy }).catch((x: unknown) => x)) as FerryError;
      expect([JSON.stringify(policy), e.code]).toEqual([JSON.stringify(policy), 'release.bad_policy']);
    }
  });

  it('an org_admin who weakens the production policy and approves still needs someone independent', async () => {
    const { plane, a } = w;
    const project = a.project.id;
    // The attacker: an org_admin who also holds integration_lead (granted by someone else) and does the analyst's work.
    const insider = await extraUser(plane, a, 'insider', ['org_admin', 'integration_lead', 'clinical_safety_officer', 'migration_analyst']);
    const v = (await plane.submitVersion(a.as.migration_analyst, project, { ...(await fixtureContract()), message: '' })).version;
    await plane.approveVersion(insider, v.id, 'ok');
    await plane.recordRun(insider, project, { digest: v.digest, tier: 'pre_production', runId: 'p1', status: 'succeeded', gateDecision: 'pass' });
    await plane.approveRelease(insider, project, v.digest, 'staging', '');
    await plane.recordRun(insider, project, { digest: v.digest, tier: 'staging', runId: 's1', status: 'succeeded', gateDecision: 'pass' });

    const weakened = await plane.configureTier(insider, project, 'production', { policy: { requiredRoles: ['integration_lead'], minApprovers: 1 } });
    expect(weakened).toMatchObject({ policyChangedBy: insider.userId });
    await plane.approveRelease(insider, project, v.digest, 'production', 'looks fine to me');
    expect((await plane.canRun(insider, project, v.digest, 'production')).missing).toEqual(['approval:independent']);
    const promote = (await plane.promote(insider, project, v.digest, 'production').catch((x: unknown) => x)) as FerryError;
    expect(promote.code).toBe('release.gate_refused');
    expect(promote.issues.map((i) => i.path)).toEqual(['approval:independent']);

    // The board shows who changed the policy; the trail holds the change with before and after.
    const status = await plane.releaseStatus(a.as.viewer, project, v.digest);
    expect(status.tiers[2]).toMatchObject({ tier: 'production', policyChangedBy: insider.userId, missing: ['approval:independent'] });
    const [change] = await plane.listAuditEvents(a.as.auditor, { projectId: project, type: 'release:configured' });
    expect(change.payload).toEqual({
      tier: 'production',
      before: { connection: null, requiredRoles: ['integration_lead', 'clinical_safety_officer'], minApprovers: 2, excludeAuthor: true, requireReview: false },
      after: { connection: null, requiredRoles: ['integration_lead'], minApprovers: 1, excludeAuthor: true, requireReview: false },
      policyChanged: true,
    });

    // The author cannot be the independent approver; an independent clinical safety officer can.
    const author = (await plane.approveRelease(a.as.migration_analyst, project, v.digest, 'production', '').catch((x: unknown) => x)) as FerryError;
    expect(author.kind).toBe('forbidden');
    await plane.approveRelease(a.as.clinical_safety_officer, project, v.digest, 'production', 'hazard log reviewed');
    expect(await plane.canRun(insider, project, v.digest, 'production')).toEqual({ allowed: true, missing: [] });
  });

  it('a later policy change moves the discount to its new editor', async () => {
    const { plane, a } = w;
    const project = a.project.id;
    const lead2 = await extraUser(plane, a, 'lead-two', ['integration_lead']);
    const v = (await plane.submitVersion(a.as.migration_analyst, project, { ...(await fixtureContract()), message: '' })).version;
    await plane.approveVersion(a.as.integration_lead, v.id, 'ok');
    await plane.recordRun(a.as.migration_analyst, project, { digest: v.digest, tier: 'pre_production', runId: 'p1', status: 'succeeded', gateDecision: 'pass' });
    await plane.approveRelease(a.as.integration_lead, project, v.digest, 'staging', '');
    await plane.recordRun(a.as.integration_lead, project, { digest: v.digest, tier: 'staging', runId: 's1', status: 'succeeded', gateDecision: 'pass' });
    await plane.configureTier(a.admin, project, 'production', { policy: { requiredRoles: ['integration_lead'], minApprovers: 1 } });
    await plane.approveRelease(lead2, project, v.digest, 'production', '');
    expect((await plane.canRun(lead2, project, v.digest, 'production')).allowed).toBe(true);
    // Changing only the target leaves the policy's editor as it was.
    await plane.configureTier(a.admin, project, 'production', { connection: null });
    expect((await plane.getTierConfigs(a.as.viewer, project))[2].policyChangedBy).toBe(a.admin.userId);
  });
});
