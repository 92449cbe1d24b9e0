/**
 * Users and their role grants, scoped to the actor's org. Every change commits together with
 * its audit event. A user id from another org is "not found", exactly like an unknown one.
 */
import { FerryError } from '../errors.js';
import type { StoreDb } from './db.js';
import { guarded, notFound, nowIso, type Ctx } from './context.js';
import { requirePermission, requireProject } from './authorize.js';
import { checkPassword, nameSchema, parseInput, roleSchema, usernameSchema } from './inputs.js';
import { hashPassword } from './password.js';
import type { Actor, Grant, NewUser, User } from './plane.js';
import type { Role } from './roles.js';
import { toGrant, toUser } from './rows.js';
import type { AppUserRow } from './schema.js';
import { newId } from './secrets.js';

/** The grants a user holds in `orgId`. */
export async function loadGrants(db: StoreDb, orgId: string, userId: string): Promise<Grant[]> {
  const rows = await db.selectFrom('role_grant').select(['role', 'project_id']).where('org_id', '=', orgId).where('user_id', '=', userId).orderBy('role').orderBy('scope').execute();
  return rows.map(toGrant);
}

/** The user with `userId` in the actor's org, or a not_found refusal. */
export async function requireUser(db: StoreDb, actor: Actor, userId: string): Promise<AppUserRow> {
  const row = await db.selectFrom('app_user').selectAll().where('org_id', '=', actor.orgId).where('id', '=', userId).executeTakeFirst();
  if (!row) throw notFound('user', userId);
  return row;
}

/** Inserts a user into `orgId` inside the caller's transaction (checks the name is free). */
export async function insertUser(ctx: Ctx, trx: StoreDb, orgId: string, input: NewUser): Promise<AppUserRow> {
  const username = parseInput(usernameSchema, input.username, 'username');
  const displayName = parseInput(nameSchema, input.displayName ?? username, 'displayName');
  checkPassword(input.password, ctx.config.minPasswordLength);
  const taken = await trx.selectFrom('app_user').select('id').where('username', '=', username).executeTakeFirst();
  if (taken) throw new FerryError('conflict', 'user.exists', `a user named ${username} already exists; choose another login name`);
  const row: AppUserRow = {
    id: newId('usr'),
    org_id: orgId,
    username,
    display_name: displayName,
    password_hash: await hashPassword(input.password, ctx.config.scrypt),
    failed_logins: 0,
    locked_at: null,
    locked_reason: null,
    created_at: nowIso(ctx),
  };
  await trx.insertInto('app_user').values(row).execute();
  return row;
}

/** Inserts a grant (no-op when it exists) inside the caller's transaction. */
export async function insertGrant(ctx: Ctx, trx: StoreDb, orgId: string, userId: string, role: Role, projectId: string | null, by: string): Promise<boolean> {
  const scope = projectId ?? '*';
  const exists = await trx.selectFrom('role_grant').select('role').where('user_id', '=', userId).where('role', '=', role).where('scope', '=', scope).executeTakeFirst();
  if (exists) return false;
  await trx.insertInto('role_grant').values({ user_id: userId, role, scope, org_id: orgId, project_id: projectId, granted_by: by, granted_at: nowIso(ctx) }).execute();
  return true;
}

/** Revokes every live session of a user inside the caller's transaction; returns how many. */
export async function revokeSessionsIn(ctx: Ctx, trx: StoreDb, userId: string): Promise<number> {
  const r = await trx.updateTable('user_session').set({ revoked_at: nowIso(ctx) }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

async function withGrants(db: StoreDb, row: AppUserRow): Promise<User> {
  return toUser(row, await loadGrants(db, row.org_id, row.id));
}

/** Creates a user in the actor's org (user.manage). */
export function createUser(ctx: Ctx, actor: Actor, input: NewUser): Promise<User> {
  return guarded(ctx, actor, 'user.create', () =>
    ctx.store.writeTransaction(async (trx) => {
      await requirePermission(ctx, trx, actor, 'user.manage');
      const row = await insertUser(ctx, trx, actor.orgId, input);
      await ctx.audit.appendIn(trx, { type: 'user:created', actor: actor.userId, orgId: actor.orgId, payload: { userId: row.id } });
      return withGrants(trx, row);
    }),
  );
}

/** Users of the actor's org (user.read). */
export function listUsers(ctx: Ctx, actor: Actor): Promise<User[]> {
  return guarded(ctx, actor, 'user.list', async () => {
    await requirePermission(ctx, ctx.db, actor, 'user.read');
    const rows = await ctx.db.selectFrom('app_user').selectAll().where('org_id', '=', actor.orgId).orderBy('username').execute();
    return Promise.all(rows.map((r) => withGrants(ctx.db, r)));
  });
}

/** One user of the actor's org; anyone may read their own record, others need user.read. */
export function getUser(ctx: Ctx, actor: Actor, userId: string): Promise<User> {
  return guarded(ctx, actor, 'user.get', async () => {
    const row = await requireUser(ctx.db, actor, userId);
    if (userId !== actor.userId) await requirePermission(ctx, ctx.db, actor, 'user.read');
    return withGrants(ctx.db, row);
  });
}

/** Locks a user and revokes their sessions (user.manage). */
export function lockUser(ctx: Ctx, actor: Actor, userId: string): Promise<User> {
  return guarded(ctx, actor, 'user.lock', () =>
    ctx.store.writeTransaction(async (trx) => {
      const row = await requireUser(trx, actor, userId);
      await requirePermission(ctx, trx, actor, 'user.manage');
      if (row.locked_at === null) {
        await trx.updateTable('app_user').set({ locked_at: nowIso(ctx), locked_reason: 'admin' }).where('id', '=', userId).where('org_id', '=', actor.orgId).execute();
        await ctx.audit.appendIn(trx, { type: 'user:locked', actor: actor.userId, orgId: actor.orgId, payload: { userId, reason: 'admin', failedAttempts: Number(row.failed_logins) } });
      }
      const revoked = await revokeSessionsIn(ctx, trx, userId);
      if (revoked > 0) await ctx.audit.appendIn(trx, { type: 'user:sessions_revoked', actor: actor.userId, orgId: actor.orgId, payload: { userId, sessions: revoked } });
      return withGrants(trx, await requireUser(trx, actor, userId));
    }),
  );
}

/** Unlocks a user and clears their failed-login count (user.manage). */
export function unlockUser(ctx: Ctx, actor: Actor, userId: string): Promise<User> {
  return guarded(ctx, actor, 'user.unlock', () =>
    ctx.store.writeTransaction(async (trx) => {
      await requireUser(trx, actor, userId);
      await requirePermission(ctx, trx, actor, 'user.manage');
      await trx.updateTable('app_user').set({ locked_at: null, locked_reason: null, failed_logins: 0 }).where('id', '=', userId).where('org_id', '=', actor.orgId).execute();
      await ctx.audit.appendIn(trx, { type: 'user:unlocked', actor: actor.userId, orgId: actor.orgId, payload: { userId } });
      return withGrants(trx, await requireUser(trx, actor, userId));
    }),
  );
}

/** Revokes all of a user's sessions (user.manage); returns how many were live. */
export function resetSessions(ctx: Ctx, actor: Actor, userId: string): Promise<number> {
  return guarded(ctx, actor, 'user.reset_sessions', () =>
    ctx.store.writeTransaction(async (trx) => {
      await requireUser(trx, actor, userId);
      await requirePermission(ctx, trx, actor, 'user.manage');
      const sessions = await revokeSessionsIn(ctx, trx, userId);
      await ctx.audit.appendIn(trx, { type: 'user:sessions_revoked', actor: actor.userId, orgId: actor.orgId, payload: { userId, sessions } });
      return sessions;
    }),
  );
}

/** Grants `role` org-wide (projectId null) or on one project (role.manage). */
export function grantRole(ctx: Ctx, actor: Actor, userId: string, role: Role, projectId: string | null): Promise<User> {
  return guarded(ctx, actor, 'role.grant', () =>
    ctx.store.writeTransaction(async (trx) => {
      const r = parseInput(roleSchema, role, 'role');
      await requireUser(trx, actor, userId);
      if (projectId !== null) await requireProject(trx, actor, projectId);
      await requirePermission(ctx, trx, actor, 'role.manage');
      if (await insertGrant(ctx, trx, actor.orgId, userId, r, projectId, actor.userId)) {
        await ctx.audit.appendIn(trx, { type: 'role:granted', actor: actor.userId, orgId: actor.orgId, projectId, payload: { userId, role: r, scope: projectId ?? 'org' } });
      }
      return withGrants(trx, await requireUser(trx, actor, userId));
    }),
  );
}

/** Revokes a grant (role.manage); an org_admin cannot remove the org's last org_admin grant. */
export function revokeRole(ctx: Ctx, actor: Actor, userId: string, role: Role, projectId: string | null): Promise<User> {
  return guarded(ctx, actor, 'role.revoke', () =>
    ctx.store.writeTransaction(async (trx) => {
      const r = parseInput(roleSchema, role, 'role');
      await requireUser(trx, actor, userId);
      if (projectId !== null) await requireProject(trx, actor, projectId);
      await requirePermission(ctx, trx, actor, 'role.manage');
      const scope = projectId ?? '*';
      if (r === 'org_admin' && scope === '*') {
        const admins = await trx.selectFrom('role_grant').select('user_id').where('org_id', '=', actor.orgId).where('role', '=', 'org_admin').where('scope', '=', '*').execute();
        if (admins.length === 1 && admins[0].user_id === userId) {
          throw new FerryError('conflict', 'role.last_admin', 'this is the org\'s last org_admin grant; grant org_admin to someone else first so the org stays manageable');
        }
      }
      const del = await trx.deleteFrom('role_grant').where('org_id', '=', actor.orgId).where('user_id', '=', userId).where('role', '=', r).where('scope', '=', scope).executeTakeFirst();
      if (Number(del.numDeletedRows) > 0) {
        await ctx.audit.appendIn(trx, { type: 'role:revoked', actor: actor.userId, orgId: actor.orgId, projectId, payload: { userId, role: r, scope: projectId ?? 'org' } });
      }
      return withGrants(trx, await requireUser(trx, actor, userId));
    }),
  );
}
