/**
 * The one authorization decision: does the actor hold a role that the permission matrix
 * (roles.ts) grants `permission` to, in this scope? Org-wide grants count everywhere in the
 * org; a project grant counts only in its project and never for org-level permissions.
 */
import type { StoreDb } from '../store/db.js';
import { forbidden, notFound, type Ctx } from './context.js';
import { orgScope } from './org-scope.js';
import type { Actor, Scope } from './plane.js';
import { PERMISSIONS, roleHas, type Permission } from './roles.js';
import type { ProjectRow } from '../store/schema.js';

/** True when the actor's grants allow `permission` in `scope`. */
export function can(actor: Actor, permission: Permission, scope: Scope = {}): boolean {
  const projectId = scope.projectId ?? null;
  const orgLevel = PERMISSIONS[permission].level === 'org';
  return actor.grants.some((g) => roleHas(g.role, permission) && (g.projectId === null || (!orgLevel && projectId !== null && g.projectId === projectId)));
}

/** The project with `projectId` in the actor's org, or a not_found refusal. */
export async function requireProject(db: StoreDb, actor: Actor, projectId: string): Promise<ProjectRow> {
  const row = await orgScope(db, actor.orgId).select('project').selectAll().where('id', '=', projectId).executeTakeFirst();
  if (!row) throw notFound('project', projectId);
  return row;
}

/** Throws a not_found refusal for a project outside the org, else a forbidden one unless `can`. */
export async function requirePermission(ctx: Ctx, db: StoreDb, actor: Actor, permission: Permission, scope: Scope = {}): Promise<void> {
  if (scope.projectId) await requireProject(db, actor, scope.projectId);
  if (!can(actor, permission, scope)) throw forbidden(permission, scope.projectId ? 'project' : 'org', scope.projectId ?? actor.orgId);
}
