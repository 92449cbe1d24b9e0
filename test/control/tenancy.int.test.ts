import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError } from '../../src/errors.js';
import type { Actor, ControlPlane } from '../../src/control/plane.js';
import { ROLES } from '../../src/control/roles.js';
import { DIALECTS, storeFixture, type StoreFixture } from './stores.js';
import { buildWorld, changedContract, extraUser, fixtureContract, type World } from './world.js';

describe.each(DIALECTS)('tenant isolation on %s', (dialect) => {
  let fx: StoreFixture;
  let w: World;
  let intruder: Actor;
  const ids = {} as { userId: string; tokenId: string; v1: string; v2: string; digest: string; runId: string };

  beforeAll(async () => {
    fx = await storeFixture(dialect);
    w = await buildWorld(fx);
    const { plane, a, b } = w;
    // The intruder holds every role in org B, so nothing they try fails for lack of permission.
    intruder = await extraUser(plane, b, 'b-everything', [...ROLES]);
    ids.userId = a.as.viewer.userId;
    ids.tokenId = (await plane.createToken(a.as.viewer, { name: 'ci' })).info.id;
    const v1 = (await plane.submitVersion(a.as.migration_analyst, a.project.id, { ...(await fixtureContract()), message: '' })).version;
    const v2 = (await plane.submitVersion(a.as.migration_analyst, a.project.id, { ...(await changedContract()), message: '' })).version;
    Object.assign(ids, { v1: v1.id, v2: v2.id, digest: v1.digest, runId: 'run-a-1' });
    await plane.approveVersion(a.as.integration_lead, v1.id, 'ok');
    await plane.recordRun(a.as.migration_analyst, a.project.id, { digest: v1.digest, tier: 'pre_production', runId: 'run-a-1', status: 'succeeded', gateDecision: 'pass' });
  });
  afterAll(async () => {
    await w.close();
    await fx.cleanup();
  });

  const attempts: Array<[string, (p: ControlPlane, x: Actor, w: World) => Promise<unknown>]> = [
    ['getWorkspace', (p, x, w) => p.getWorkspace(x, w.a.workspace.id)],
    ['createProject', (p, x, w) => p.createProject(x, w.a.workspace.id, { name: 'stolen' })],
    ['listProjects', (p, x, w) => p.listProjects(x, w.a.workspace.id)],
    ['getProject', (p, x, w) => p.getProject(x, w.a.project.id)],
    ['getUser', (p, x) => p.getUser(x, ids.userId)],
    ['lockUser', (p, x) => p.lockUser(x, ids.userId)],
    ['unlockUser', (p, x) => p.unlockUser(x, ids.userId)],
    ['resetSessions', (p, x) => p.resetSessions(x, ids.userId)],
    ['grantRole (their user)', (p, x) => p.grantRole(x, ids.userId, 'org_admin', null)],
    ['grantRole (their project)', (p, x) => p.grantRole(x, x.userId, 'viewer', w.a.project.id)],
    ['revokeRole', (p, x) => p.revokeRole(x, ids.userId, 'viewer', null)],
    ['listTokens', (p, x) => p.listTokens(x, ids.userId)],
    ['revokeToken', (p, x) => p.revokeToken(x, ids.tokenId)],
    ['submitVersion', async (p, x, w) => p.submitVersion(x, w.a.project.id, { ...(await fixtureContract()), message: '' })],
    ['listVersions', (p, x, w) => p.listVersions(x, w.a.project.id)],
    ['getVersion', (p, x) => p.getVersion(x, ids.v1)],
    ['diffVersions', (p, x) => p.diffVersions(x, ids.v1, ids.v2)],
    ['approveVersion', (p, x) => p.approveVersion(x, ids.v2, 'sneaky')],
    ['getTierConfigs', (p, x, w) => p.getTierConfigs(x, w.a.project.id)],
    ['configureTier', (p, x, w) => p.configureTier(x, w.a.project.id, 'staging', { policy: { minApprovers: 2 } })],
    ['recordRun', (p, x, w) => p.recordRun(x, w.a.project.id, { digest: ids.digest, tier: 'pre_production', runId: 'run-x', status: 'succeeded', gateDecision: 'pass' })],
    ['listRuns', (p, x, w) => p.listRuns(x, w.a.project.id)],
    ['getRun (their project)', (p, x, w) => p.getRun(x, w.a.project.id, ids.runId)],
    ['getRun (own project, their run id)', (p, x, w) => p.getRun(x, w.b.project.id, ids.runId)],
    ['releaseStatus', (p, x, w) => p.releaseStatus(x, w.a.project.id)],
    ['approveRelease (their project)', (p, x, w) => p.approveRelease(x, w.a.project.id, ids.digest, 'staging', '')],
    ['approveRelease (own project, their digest)', (p, x, w) => p.approveRelease(x, w.b.project.id, ids.digest, 'staging', '')],
    ['promote', (p, x, w) => p.promote(x, w.a.project.id, ids.digest, 'staging')],
    ['canRun', (p, x, w) => p.canRun(x, w.a.project.id, ids.digest, 'pre_production')],
    ['listAuditEvents', (p, x, w) => p.listAuditEvents(x, { projectId: w.a.project.id })],
    ['authorize', (p, x, w) => p.authorize(x, 'contract.read', { projectId: w.a.project.id })],
  ];

  it.each(attempts)("%s with another org's ids is not found, audit-logged, and changes nothing", async (_name, attempt) => {
    const before = await w.plane.audit.head();
    const err = await attempt(w.plane, intruder, w).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).kind).toBe('not_found');
    const after = await w.plane.audit.list({ order: 'asc' });
    const added = after.filter((e) => e.seq > before.seq);
    expect(added.map((e) => e.type)).toEqual(['access:denied']);
    expect(added[0]).toMatchObject({ actor: intruder.userId, orgId: w.b.orgId, payload: { reason: 'not_found' } });
  });

  it("filters the org's audit events by actor, never reaching into another org", async () => {
    const { plane, a } = w;
    const analyst = a.as.migration_analyst.userId;
    const mine = await plane.listAuditEvents(a.as.auditor, { actor: analyst, limit: 10_000 });
    expect(mine.map((e) => e.type)).toContain('contract:versioned');
    expect(new Set(mine.map((e) => e.actor))).toEqual(new Set([analyst]));
    expect(mine.every((e) => e.orgId === a.orgId)).toBe(true);
    // Combined with the other filters, as the HTTP route passes them.
    const typed = await plane.listAuditEvents(a.as.auditor, { actor: analyst, projectId: a.project.id, type: 'contract:versioned', order: 'asc' });
    expect(typed.map((e) => e.type)).toEqual(['contract:versioned', 'contract:versioned']);
    expect(await plane.listAuditEvents(a.as.auditor, { actor: a.as.integration_lead.userId, type: 'contract:versioned' })).toEqual([]);
    // The intruder's own events exist, but only in org B's trail.
    expect(await plane.listAuditEvents(a.as.auditor, { actor: intruder.userId })).toEqual([]);
    expect((await plane.listAuditEvents(intruder, { actor: intruder.userId })).length).toBeGreaterThan(0);
  });

  it("lists never include another org's objects", async () => {
    const { plane, a } = w;
    expect((await plane.listProjects(intruder)).map((p) => p.id)).toEqual([w.b.project.id]);
    expect((await plane.listWorkspaces(intruder)).map((x) => x.id)).toEqual([w.b.workspace.id]);
    expect((await plane.listUsers(intruder)).every((u) => u.orgId === w.b.orgId)).toBe(true);
    expect((await plane.listAuditEvents(intruder)).every((e) => e.orgId === w.b.orgId)).toBe(true);
    expect(await plane.listVersions(intruder, w.b.project.id)).toEqual([]);
    expect((await plane.getOrg(a.as.viewer)).id).toBe(a.orgId);
  });
});
