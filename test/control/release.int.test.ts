import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FerryError } from '../../src/errors.js';
import type { Actor } from '../../src/control/plane.js';
import { DIALECTS, storeFixture, type StoreFixture } from './stores.js';
import { buildWorld, extraUser, fixtureContract, type World } from './world.js';
import path from 'node:path';
import { CONNECTION_ROOTS_ENV } from '../../src/control/connection-guard.js';
import { tempDir } from '../helpers/tmp.js';

describe.each(DIALECTS)('release gates on %s', (dialect) => {
  let fx: StoreFixture;
  let w: World;
  let digest: string;
  let versionId: string;
  let project: string;
  beforeAll(async () => {
    fx = await storeFixture(dialect);
  });
  afterAll(() => fx.cleanup());
  beforeEach(async () => {
    w = await buildWorld(fx);
    project = w.a.project.id;
    const v = (await w.plane.submitVersion(w.a.as.migration_analyst, project, { ...(await fixtureContract()), message: '' })).version;
    digest = v.digest;
    versionId = v.id;
  });
  afterEach(() => w.close());

  const run = (actor: Actor, tier: 'pre_production' | 'staging' | 'production', runId: string, status: 'succeeded' | 'failed_gate' = 'succeeded', dryRun = false) =>
    w.plane.recordRun(actor, project, { digest, tier, runId, status, gateDecision: status === 'succeeded' ? 'pass' : 'fail', dryRun });

  it('pre_production needs an approved contract version, and says so', async () => {
    const { plane, a } = w;
    expect(await plane.canRun(a.as.migration_analyst, project, digest, 'pre_production')).toEqual({ allowed: false, missing: ['version_approved'] });
    const other = 'f'.repeat(64);
    expect((await plane.canRun(a.as.migration_analyst, project, other, 'pre_production')).missing).toEqual(['version_submitted', 'version_approved']);
    await plane.approveVersion(a.as.integration_lead, versionId, 'ok');
    expect(await plane.canRun(a.as.migration_analyst, project, digest, 'pre_production')).toEqual({ allowed: true, missing: [] });
    const refused = await plane.listAuditEvents(a.as.auditor, { type: 'release:refused' });
    expect(refused.map((e) => e.payload)).toContainEqual({ contractDigest: digest, tier: 'pre_production', missing: ['version_approved'] });
  });

  it('staging names each missing condition until the digest passed pre_production and an integration_lead approved', async () => {
    const { plane, a } = w;
    await plane.approveVersion(a.as.integration_lead, versionId, 'ok');
    expect((await plane.canRun(a.as.migration_analyst, project, digest, 'staging')).missing).toEqual(['passed:pre_production', 'approval:integration_lead']);
    await run(a.as.migration_analyst, 'pre_production', 'r1', 'failed_gate');
    await run(a.as.migration_analyst, 'pre_production', 'r2', 'succeeded', true);
    expect((await plane.canRun(a.as.migration_analyst, project, digest, 'staging')).missing).toEqual(['passed:pre_production', 'approval:integration_lead']);
    await run(a.as.migration_analyst, 'pre_production', 'r3');
    expect((await plane.canRun(a.as.migration_analyst, project, digest, 'staging')).missing).toEqual(['approval:integration_lead']);
    const promoteEarly = await plane.promote(a.as.integration_lead, project, digest, 'staging').catch((e: unknown) => e);
    expect((promoteEarly as FerryError).code).toBe('release.gate_refused');
    expect((promoteEarly as FerryError).issues.map((i) => i.path)).toEqual(['approval:integration_lead']);
    const approval = await plane.approveRelease(a.as.integration_lead, project, digest, 'staging', 'pre-prod evidence reviewed');
    expect(approval.role).toBe('integration_lead');
    expect(await plane.canRun(a.as.migration_analyst, project, digest, 'staging')).toEqual({ allowed: true, missing: [] });
    const p = await plane.promote(a.as.integration_lead, project, digest, 'staging');
    expect(p).toMatchObject({ digest, tier: 'staging', promotedBy: a.as.integration_lead.userId });
    const types = (await plane.listAuditEvents(a.as.auditor, { projectId: project, order: 'asc' })).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['release:approved', 'release:promoted', 'release:refused', 'run:recorded']));
  });

  it('production needs an integration_lead and a clinical_safety_officer, two different people, neither the author', async () => {
    const { plane, a } = w;
    const author = await extraUser(plane, a, 'author-lead', ['migration_analyst', 'integration_lead', 'clinical_safety_officer']);
    const v = (await plane.submitVersion(author, project, { ...(await fixtureContract()), yaml: (await fixtureContract()).yaml.replace('version: 1.0.0', 'version: 2.0.0'), message: '' })).version;
    digest = v.digest;
    await plane.approveVersion(a.as.integration_lead, v.id, 'ok');
    await run(a.as.migration_analyst, 'pre_production', 'p1');
    await plane.approveRelease(a.as.integration_lead, project, digest, 'staging', '');
    await run(a.as.migration_analyst, 'staging', 's1');
    expect((await plane.canRun(a.as.integration_lead, project, digest, 'production')).missing).toEqual(['approval:integration_lead', 'approval:clinical_safety_officer']);

    const self = await plane.approveRelease(author, project, digest, 'production', '').catch((e: unknown) => e);
    expect((self as FerryError).kind).toBe('forbidden');
    // One person holding both roles covers only one of them.
    const both = await extraUser(plane, a, 'both-roles', ['integration_lead', 'clinical_safety_officer']);
    expect((await plane.approveRelease(both, project, digest, 'production', '')).role).toBe('integration_lead');
    const again = await plane.approveRelease(both, project, digest, 'production', '').catch((e: unknown) => e);
    expect((again as FerryError).code).toBe('release.already_approved');
    const lead2 = await plane.approveRelease(a.as.integration_lead, project, digest, 'production', '').catch((e: unknown) => e);
    expect((lead2 as FerryError).code).toBe('release.nothing_to_approve');
    expect((await plane.canRun(a.as.integration_lead, project, digest, 'production')).missing).toEqual(['approval:clinical_safety_officer']);
    w.clock.advance(60_000);
    await plane.approveRelease(a.as.clinical_safety_officer, project, digest, 'production', 'hazard log reviewed');
    expect(await plane.canRun(a.as.integration_lead, project, digest, 'production')).toEqual({ allowed: true, missing: [] });

    const status = await plane.releaseStatus(a.as.viewer, project, digest);
    expect(status.tiers.map((t) => [t.tier, t.missing])).toEqual([
      ['pre_production', []],
      ['staging', []],
      ['production', []],
    ]);
    expect(status.tiers[2].approvals.map((x) => x.role)).toEqual(['integration_lead', 'clinical_safety_officer']);
    expect(status.tiers[1].lastRun?.runId).toBe('s1');
  });

  it('production without a staging pass lists that too, and an unapproved version blocks release approvals', async () => {
    const { plane, a } = w;
    expect((await plane.canRun(a.as.integration_lead, project, digest, 'production')).missing).toEqual([
      'version_approved',
      'passed:staging',
      'approval:integration_lead',
      'approval:clinical_safety_officer',
    ]);
    const early = await plane.approveRelease(a.as.integration_lead, project, digest, 'staging', '').catch((e: unknown) => e);
    expect((early as FerryError).code).toBe('release.version_not_approved');
  });

  it('a tier target is a connection the operator registered for this org and tier, chosen by name; policies are validated', async () => {
    const { plane, a, b } = w;
    const files = await tempDir('ferry-release-targets-');
    try {
      const env = { [CONNECTION_ROOTS_ENV]: files.dir };
      await plane.registerConnection({ org: a.slug, name: 'staging-db', ref: `sqlite:${path.join(files.dir, 'staging.db')}`, direction: 'target', tiers: ['staging'] }, { env });
      await plane.registerConnection({ org: b.slug, name: 'b-staging', ref: `sqlite:${path.join(files.dir, 'b.db')}`, direction: 'target' }, { env });
      const cfg = await plane.configureTier(a.admin, project, 'staging', { connection: 'staging-db' });
      expect(cfg).toMatchObject({ tier: 'staging', connection: 'staging-db', policy: { requiredRoles: ['integration_lead'], minApprovers: 1, excludeAuthor: true }, policyChangedBy: null });
      // Another org's connection, a connection not allowed in this tier, and anything URL- or path-like resolve like an unknown name.
      for (const [tier, bad] of [
        ['staging', 'b-staging'],
        ['production', 'staging-db'],
        ['staging', 'env:FERRY_TARGET'],
        ['staging', 'file:/etc/passwd'],
        ['staging', 'postgres://user:secret@db/x'],
      ] as const) {
        const e = await plane.configureTier(a.admin, project, tier, { connection: bad }).catch((x: unknown) => x);
        expect((e as FerryError).code).toBe('connection.not_found');
        expect((e as FerryError).message).not.toContain('secret@');
        expect((e as FerryError).message).not.toContain(files.dir);
      }
      const badPolicy = await plane.configureTier(a.admin, project, 'staging', { policy: { requiredRoles: ['viewer'] } }).catch((x: unknown) => x);
      expect((badPolicy as FerryError).code).toBe('release.bad_policy');
      const two = await plane.configureTier(a.admin, project, 'staging', { policy: { minApprovers: 2 } });
      expect(two).toMatchObject({ connection: 'staging-db', policy: { minApprovers: 2 }, policyChangedBy: a.admin.userId });
      await plane.approveVersion(a.as.integration_lead, versionId, 'ok');
      await plane.approveRelease(a.as.integration_lead, project, digest, 'staging', '');
      expect((await plane.canRun(a.as.migration_analyst, project, digest, 'staging')).missing).toEqual(['passed:pre_production', 'approvers:1']);
      const lead2 = await extraUser(plane, a, 'lead-two', ['integration_lead']);
      expect((await plane.approveRelease(lead2, project, digest, 'staging', '')).role).toBe('integration_lead');
      expect((await plane.canRun(a.as.migration_analyst, project, digest, 'staging')).missing).toEqual(['passed:pre_production']);
      expect((await plane.getTierConfigs(a.as.viewer, project)).map((c) => c.connection)).toEqual([null, 'staging-db', null]);
      // Every change is on record with the settings before and after (names only).
      const changes = await plane.listAuditEvents(a.as.auditor, { projectId: project, type: 'release:configured', order: 'asc' });
      expect(changes.map((e) => e.payload)).toEqual([
        {
          tier: 'staging',
          before: { connection: null, requiredRoles: ['integration_lead'], minApprovers: 1, excludeAuthor: true, requireReview: false },
          after: { connection: 'staging-db', requiredRoles: ['integration_lead'], minApprovers: 1, excludeAuthor: true, requireReview: false },
          policyChanged: false,
        },
        {
          tier: 'staging',
          before: { connection: 'staging-db', requiredRoles: ['integration_lead'], minApprovers: 1, excludeAuthor: true, requireReview: false },
          after: { connection: 'staging-db', requiredRoles: ['integration_lead'], minApprovers: 2, excludeAuthor: true, requireReview: false },
          policyChanged: true,
        },
      ]);
    } finally {
      await files.cleanup();
    }
  });

  it('a resumed run updates its record; a run id cannot move to another digest or tier', async () => {
    const { plane, a } = w;
    await run(a.as.migration_analyst, 'pre_production', 'r1', 'failed_gate');
    await run(a.as.migration_analyst, 'pre_production', 'r1', 'succeeded');
    expect((await plane.listRuns(a.as.viewer, project)).map((r) => [r.runId, r.status])).toEqual([['r1', 'succeeded']]);
    const moved = await run(a.as.migration_analyst, 'staging', 'r1').catch((e: unknown) => e);
    expect((moved as FerryError).kind).toBe('conflict');
  });
});
