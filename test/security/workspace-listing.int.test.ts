/**
 * Attack: a user granted a role on one project enumerates the org's other workspaces (names of
 * other programmes, trusts' sites) by listing or reading them. A user whose grants are all
 * project-scoped sees only workspaces holding a project they may read; every other workspace
 * reads as not_found (audit-logged), exactly like an id of another org. Org-wide grants see all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError } from '../../src/errors.js';
import type { Actor, Project, Workspace } from '../../src/control/plane.js';
import { DIALECTS, storeFixture, type StoreFixture } from '../control/stores.js';
import { buildWorld, PASSWORD, type World } from '../control/world.js';

describe.each(DIALECTS)('workspace listing for project-scoped users on %s', (dialect) => {
  let fx: StoreFixture;
  let w: World;
  let research: Workspace;
  let empty: Workspace;
  let epr: Project;
  /** viewer on the fixture project only. */
  let scoped: Actor;
  /** analyst on the fixture project and viewer on the research project. */
  let twoProjects: Actor;

  async function projectUser(username: string, grants: Array<[Parameters<World['plane']['grantRole']>[2], string]>): Promise<Actor> {
    const user = await w.plane.createUser(w.a.admin, { username, password: PASSWORD });
    for (const [role, projectId] of grants) await w.plane.grantRole(w.a.admin, user.id, role, projectId);
    return w.plane.actorFor(user.id);
  }

  beforeAll(async () => {
    fx = await storeFixture(dialect);
    w = await buildWorld(fx);
    research = await w.plane.createWorkspace(w.a.admin, { name: 'research' });
    empty = await w.plane.createWorkspace(w.a.admin, { name: 'archive' });
    epr = await w.plane.createProject(w.a.admin, research.id, { name: 'epr' });
    scoped = await projectUser('a-scoped', [['viewer', w.a.project.id]]);
    twoProjects = await projectUser('a-two', [
      ['migration_analyst', w.a.project.id],
      ['viewer', epr.id],
    ]);
  });
  afterAll(async () => {
    await w?.close();
    await fx?.cleanup();
  });

  /** Runs `attempt`, expecting a not_found refusal recorded as one access:denied event. */
  async function expectHidden(actor: Actor, attempt: () => Promise<unknown>, resourceId: string): Promise<void> {
    const before = await w.plane.audit.head();
    const err = await attempt().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).kind).toBe('not_found');
    expect((err as FerryError).code).toBe('workspace.not_found');
    const added = (await w.plane.audit.list({ order: 'asc' })).filter((e) => e.seq > before.seq);
    expect(added.map((e) => e.type)).toEqual(['access:denied']);
    expect(added[0]).toMatchObject({ actor: actor.userId, orgId: w.a.orgId, payload: { resource: 'workspace', resourceId, reason: 'not_found' } });
  }

  it('lists only the workspaces holding a project the user may read', async () => {
    expect((await w.plane.listWorkspaces(scoped)).map((x) => x.id)).toEqual([w.a.workspace.id]);
    expect((await w.plane.listWorkspaces(twoProjects)).map((x) => x.id).sort()).toEqual([w.a.workspace.id, research.id].sort());
  });

  it('reads a visible workspace and its readable projects', async () => {
    expect((await w.plane.getWorkspace(scoped, w.a.workspace.id)).id).toBe(w.a.workspace.id);
    expect((await w.plane.listProjects(scoped, w.a.workspace.id)).map((p) => p.id)).toEqual([w.a.project.id]);
    expect((await w.plane.listProjects(scoped)).map((p) => p.id)).toEqual([w.a.project.id]);
    expect((await w.plane.getWorkspace(twoProjects, research.id)).id).toBe(research.id);
  });

  it('answers not_found, audit-logged, for every other workspace of the org', async () => {
    await expectHidden(scoped, () => w.plane.getWorkspace(scoped, research.id), research.id);
    await expectHidden(scoped, () => w.plane.getWorkspace(scoped, empty.id), empty.id);
    await expectHidden(scoped, () => w.plane.listProjects(scoped, research.id), research.id);
    await expectHidden(twoProjects, () => w.plane.getWorkspace(twoProjects, empty.id), empty.id);
  });

  it('reads a hidden workspace exactly like one of another org', async () => {
    const other = (await w.plane.getWorkspace(scoped, w.b.workspace.id).catch((e: unknown) => e)) as FerryError;
    const hidden = (await w.plane.getWorkspace(scoped, research.id).catch((e: unknown) => e)) as FerryError;
    expect(hidden.message.replace(research.id, 'ID')).toBe(other.message.replace(w.b.workspace.id, 'ID'));
    expect([hidden.kind, hidden.code]).toEqual([other.kind, other.code]);
  });

  it('keeps showing every workspace to org-wide grants, whatever the role', async () => {
    const all = [w.a.workspace.id, research.id, empty.id].sort();
    for (const actor of [w.a.admin, w.a.as.viewer, w.a.as.auditor]) {
      expect((await w.plane.listWorkspaces(actor)).map((x) => x.id).sort()).toEqual(all);
      expect((await w.plane.getWorkspace(actor, empty.id)).id).toBe(empty.id);
    }
  });

  it('follows the grants: a project grant revealed, revoked, hides again', async () => {
    await w.plane.grantRole(w.a.admin, scoped.userId, 'viewer', epr.id);
    const widened = await w.plane.actorFor(scoped.userId);
    expect((await w.plane.listWorkspaces(widened)).map((x) => x.id).sort()).toEqual([w.a.workspace.id, research.id].sort());
    await w.plane.revokeRole(w.a.admin, scoped.userId, 'viewer', epr.id);
    const narrowed = await w.plane.actorFor(scoped.userId);
    expect((await w.plane.listWorkspaces(narrowed)).map((x) => x.id)).toEqual([w.a.workspace.id]);
    await expectHidden(narrowed, () => w.plane.getWorkspace(narrowed, research.id), research.id);
  });
});
