/**
 * Orgs, workspaces and projects. Orgs are created only by an operator with direct store access
 * (`ferry admin init`); everything below an org is created by its org_admins and is visible only
 * inside it.
 */
import { FerryError } from '../errors.js';
import { can, requirePermission, requireProject } from './authorize.js';
import { forbidden, guarded, notFound, nowIso, type Ctx } from './context.js';
import { nameSchema, parseInput, slugSchema } from './inputs.js';
import { orgScope } from './org-scope.js';
import type { Actor, InitOrgInput, Org, Project, User, Workspace } from './plane.js';
import { toOrg, toProject, toUser, toWorkspace } from './rows.js';
import type { StoreDb } from '../store/db.js';
import type { ProjectRow, WorkspaceRow } from '../store/schema.js';
import { newId } from './secrets.js';
import { insertGrant, insertUser, loadGrants } from './users.js';

/** Creates an org and its first org_admin in one transaction with their audit events. */
export function initOrg(ctx: Ctx, input: InitOrgInput): Promise<{ org: Org; admin: User }> {
  const slug = parseInput(slugSchema, input.slug, 'slug');
  const name = parseInput(nameSchema, input.name, 'name');
  const operator = input.operator ?? 'operator';
  return ctx.store.writeTransaction(async (trx) => {
    if (await trx.selectFrom('org').select('id').where('slug', '=', slug).executeTakeFirst()) {
      throw new FerryError('conflict', 'org.exists', `an org with slug ${slug} already exists; choose another slug`);
    }
    const org = { id: newId('org'), slug, name, created_at: nowIso(ctx) };
    await trx.insertInto('org').values(org).execute();
    const admin = await insertUser(ctx, trx, org.id, input.admin);
    await insertGrant(ctx, trx, org.id, admin.id, 'org_admin', null, operator);
    await ctx.audit.appendIn(trx, { type: 'org:created', actor: operator, orgId: org.id, payload: { orgId: org.id, slug } });
    await ctx.audit.appendIn(trx, { type: 'user:created', actor: operator, orgId: org.id, payload: { userId: admin.id } });
    await ctx.audit.appendIn(trx, { type: 'role:granted', actor: operator, orgId: org.id, payload: { userId: admin.id, role: 'org_admin', scope: 'org' } });
    return { org: toOrg(org), admin: toUser(admin, await loadGrants(trx, org.id, admin.id)) };
  });
}

/** The actor's own org; any grant in it allows reading it. */
export function getOrg(ctx: Ctx, actor: Actor): Promise<Org> {
  return guarded(ctx, actor, 'org.get', async () => {
    const row = await ctx.db.selectFrom('org').selectAll().where('id', '=', actor.orgId).executeTakeFirst();
    if (!row) throw notFound('org', actor.orgId);
    if (actor.grants.length === 0) throw forbidden('org.read', 'org', actor.orgId);
    return toOrg(row);
  });
}

async function requireWorkspace(db: StoreDb, actor: Actor, workspaceId: string): Promise<WorkspaceRow> {
  const row = await orgScope(db, actor.orgId).select('workspace').selectAll().where('id', '=', workspaceId).executeTakeFirst();
  if (!row) throw notFound('workspace', workspaceId);
  return row;
}

/** Projects of the actor's org (or of one workspace) the actor may read: org-wide grants see all, project grants their project. */
async function readableProjects(db: StoreDb, actor: Actor, workspaceId?: string): Promise<ProjectRow[]> {
  let q = orgScope(db, actor.orgId).select('project').selectAll();
  if (workspaceId !== undefined) q = q.where('workspace_id', '=', workspaceId);
  const rows = await q.orderBy('name').execute();
  return rows.filter((r) => can(actor, 'org.read', { projectId: r.id }));
}

/**
 * The workspace, if the actor may see it. An org-wide reader sees every workspace of the org; a
 * user whose grants are all project-scoped sees only workspaces holding a project they may read,
 * and any other reads as not_found, so such a user learns nothing about the rest of the org.
 */
async function requireVisibleWorkspace(db: StoreDb, actor: Actor, workspaceId: string): Promise<WorkspaceRow> {
  const row = await requireWorkspace(db, actor, workspaceId);
  if (actor.grants.length === 0) throw forbidden('org.read', 'workspace', workspaceId);
  if (!can(actor, 'org.read') && (await readableProjects(db, actor, workspaceId)).length === 0) throw notFound('workspace', workspaceId);
  return row;
}

/** Creates a workspace (workspace.manage). */
export function createWorkspace(ctx: Ctx, actor: Actor, input: { name: string }): Promise<Workspace> {
  return guarded(ctx, actor, 'workspace.create', () =>
    ctx.store.writeTransaction(async (trx) => {
      await requirePermission(ctx, trx, actor, 'workspace.manage');
      const name = parseInput(nameSchema, input.name, 'name');
      const tenant = orgScope(trx, actor.orgId);
      if (await tenant.select('workspace').select('id').where('name', '=', name).executeTakeFirst()) {
        throw new FerryError('conflict', 'workspace.exists', 'a workspace with this name already exists in this org; choose another name');
      }
      const row = { id: newId('ws'), org_id: actor.orgId, name, created_at: nowIso(ctx) };
      await tenant.insert('workspace', row).execute();
      await ctx.audit.appendIn(trx, { type: 'workspace:created', actor: actor.userId, orgId: actor.orgId, payload: { workspaceId: row.id } });
      return toWorkspace(row);
    }),
  );
}

/** Workspaces of the actor's org the actor may see (all for org-wide grants; see requireVisibleWorkspace). */
export function listWorkspaces(ctx: Ctx, actor: Actor): Promise<Workspace[]> {
  return guarded(ctx, actor, 'workspace.list', async () => {
    if (actor.grants.length === 0) throw forbidden('org.read', 'org', actor.orgId);
    let q = orgScope(ctx.db, actor.orgId).select('workspace').selectAll();
    if (!can(actor, 'org.read')) {
      const ids = [...new Set((await readableProjects(ctx.db, actor)).map((p) => p.workspace_id))];
      if (ids.length === 0) return [];
      q = q.where('id', 'in', ids);
    }
    const rows = await q.orderBy('name').execute();
    return rows.map(toWorkspace);
  });
}

/** One workspace of the actor's org that the actor may see. */
export function getWorkspace(ctx: Ctx, actor: Actor, workspaceId: string): Promise<Workspace> {
  return guarded(ctx, actor, 'workspace.get', async () => {
    return toWorkspace(await requireVisibleWorkspace(ctx.db, actor, workspaceId));
  });
}

/** Creates a project in a workspace (workspace.manage). */
export function createProject(ctx: Ctx, actor: Actor, workspaceId: string, input: { name: string }): Promise<Project> {
  return guarded(ctx, actor, 'project.create', () =>
    ctx.store.writeTransaction(async (trx) => {
      await requireWorkspace(trx, actor, workspaceId);
      await requirePermission(ctx, trx, actor, 'workspace.manage');
      const name = parseInput(nameSchema, input.name, 'name');
      const tenant = orgScope(trx, actor.orgId);
      if (await tenant.select('project').select('id').where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirst()) {
        throw new FerryError('conflict', 'project.exists', 'a project with this name already exists in this workspace; choose another name');
      }
      const row = { id: newId('prj'), org_id: actor.orgId, workspace_id: workspaceId, name, created_at: nowIso(ctx) };
      await tenant.insert('project', row).execute();
      await ctx.audit.appendIn(trx, { type: 'project:created', actor: actor.userId, orgId: actor.orgId, projectId: row.id, payload: { projectId: row.id, workspaceId } });
      return toProject(row);
    }),
  );
}

/** Projects the actor may read (org-wide grants see all; project grants see their project). */
export function listProjects(ctx: Ctx, actor: Actor, workspaceId?: string): Promise<Project[]> {
  return guarded(ctx, actor, 'project.list', async () => {
    if (workspaceId !== undefined) await requireVisibleWorkspace(ctx.db, actor, workspaceId);
    return (await readableProjects(ctx.db, actor, workspaceId)).map(toProject);
  });
}

/** One project of the actor's org (org.read on it). */
export function getProject(ctx: Ctx, actor: Actor, projectId: string): Promise<Project> {
  return guarded(ctx, actor, 'project.get', async () => {
    const row = await requireProject(ctx.db, actor, projectId);
    await requirePermission(ctx, ctx.db, actor, 'org.read', { projectId });
    return toProject(row);
  });
}
