/**
 * Users and their role grants, scoped to the actor's org. Every change commits together with
 * its audit event. A user id from another org is "not found", exactly like an unknown one.
 * Login names are unique within an org only, so a taken name never reveals another tenant.
 */
import { FerryError } from '../errors.js';
import type { StoreDb } from '../store/db.js';
import { DeniedError, guarded, notFound, nowIso, type Ctx } from './context.js';
import { requirePermission, requireProject } from './authorize.js';
import { nameSchema, parseInput, roleSchema, usernameSchema } from './inputs.js';
import { orgScope } from './org-scope.js';
import { hashPassword } from './password.js';
import { checkNewPassword } from './password-policy.js';
import type { Actor, Grant, NewUser, RevokedCounts, User } from './plane.js';
import type { Role } from './roles.js';
import { toGrant, toUser } from './rows.js';
import type { AppUserRow } from '../store/schema.js';
import { newId } from './secrets.js';

/** The grants a user holds in `orgId`. */
export async function loadGrants(db: StoreDb, orgId: string, userId: string): Promise<Grant[]> {
  const rows = await orgScope(db, orgId).select('role_grant').select(['role', 'project_id']).where('user_id', '=', userId).orderBy('role').orderBy('scope').execute();
  return rows.map(toGrant);
}

/** The user with `userId` in the actor's org, or a not_found refusal. */
export async function requireUser(db: StoreDb, actor: Actor, userId: string): Promise<AppUserRow> {
  const row = await orgScope(db, actor.orgId).select('app_user').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!row) throw notFound('user', userId);
  return row;
}

/** The slug of `orgId`, which new passwords may not contain. */
export async function orgSlug(trx: StoreDb, orgId: string): Promise<string> {
  return (await trx.selectFrom('org').select('slug').where('id', '=', orgId).executeTakeFirstOrThrow()).slug;
}

/** Checks a new password for `username` in `orgId` against the policy; returns the normalised password. */
export async function acceptablePassword(ctx: Ctx, trx: StoreDb, orgId: string, username: string, password: unknown, field = 'password'): Promise<string> {
  return checkNewPassword(password, { minLength: ctx.config.minPasswordLength, username, orgSlug: await orgSlug(trx, orgId) }, field);
}

/** Inserts a user into `orgId` inside the caller's transaction (checks the name is free in that org). */
export async function insertUser(ctx: Ctx, trx: StoreDb, orgId: string, input: NewUser): Promise<AppUserRow> {
  const username = parseInput(usernameSchema, input.username, 'username');
  const displayName = parseInput(nameSchema, input.displayName ?? username, 'displayName');
  const password = await acceptablePassword(ctx, trx, orgId, username, input.password);
  const tenant = orgScope(trx, orgId);
  const taken = await tenant.select('app_user').select('id').where('username', '=', username).executeTakeFirst();
  if (taken) throw new FerryError('conflict', 'user.exists', `a user with this login name already exists in this org; choose another login name`);
  const row: AppUserRow = {
    id: newId('usr'),
    org_id: orgId,
    username,
    display_name: displayName,
    password_hash: await hashPassword(password, ctx.config.scrypt),
    failed_logins: 0,
    locked_at: null,
    locked_reason: null,
    created_at: nowIso(ctx),
  };
  await tenant.insert('app_user', row).execute();
  return row;
}

/** Inserts a grant (no-op when it exists) inside the caller's transaction. */
export async function insertGrant(ctx: Ctx, trx: StoreDb, orgId: string, userId: string, role: Role, projectId: string | null, by: string): Promise<boolean> {
  const scope = projectId ?? '*';
  const tenant = orgScope(trx, orgId);
  const exists = await tenant.select('role_grant').select('role').where('user_id', '=', userId).where('role', '=', role).where('scope', '=', scope).executeTakeFirst();
  if (exists) return false;
  await tenant.insert('role_grant', { user_id: userId, role, scope, project_id: projectId, granted_by: by, granted_at: nowIso(ctx) }).execute();
  return true;
}

/** Revokes every live session of a user of `orgId` (but the one whose token hashes to `keepHash`) inside the caller's transaction; returns how many. */
export async function revokeSessionsIn(ctx: Ctx, trx: StoreDb, orgId: string, userId: string, keepHash?: string): Promise<number> {
  let q = orgScope(trx, orgId)
    .update('user_session')
    .set({ revoked_at: nowIso(ctx) })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (keepHash !== undefined) q = q.where('token_hash', '!=', keepHash);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Revokes every live API token of a user of `orgId` inside the caller's transaction; returns how many. */
export async function revokeTokensIn(ctx: Ctx, trx: StoreDb, orgId: string, userId: string): Promise<number> {
  const r = await orgScope(trx, orgId)
    .update('api_token')
    .set({ revoked_at: nowIso(ctx) })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Ends all of a user's sessions and API tokens, audited with the counts (actor: who did it). */
export async function revokeAllIn(ctx: Ctx, trx: StoreDb, actor: string, orgId: string, userId: string): Promise<RevokedCounts> {
  const sessions = await revokeSessionsIn(ctx, trx, orgId, userId);
  const tokens = await revokeTokensIn(ctx, trx, orgId, userId);
  if (sessions + tokens > 0) await ctx.audit.appendIn(trx, { type: 'user:sessions_revoked', actor, orgId, payload: { userId, sessions, tokens } });
  return { sessions, tokens };
}

/** Clears an account's lock, failed-login count and every address's back-off. */
export async function clearLockIn(trx: StoreDb, orgId: string, userId: string): Promise<void> {
  const tenant = orgScope(trx, orgId);
  await tenant.update('app_user').set({ locked_at: null, locked_reason: null, failed_logins: 0 }).where('id', '=', userId).execute();
  await tenant.delete('login_throttle').where('user_id', '=', userId).execute();
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
    const rows = await orgScope(ctx.db, actor.orgId).select('app_user').selectAll().orderBy('username').execute();
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

/** Locks a user until unlocked, ends their sessions and revokes their API tokens (user.manage). */
export function lockUser(ctx: Ctx, actor: Actor, userId: string): Promise<User> {
  return guarded(ctx, actor, 'user.lock', () =>
    ctx.store.writeTransaction(async (trx) => {
      const row = await requireUser(trx, actor, userId);
      await requirePermission(ctx, trx, actor, 'user.manage');
      if (row.locked_at === null) {
        await orgScope(trx, actor.orgId)
          .update('app_user')
          .set({ locked_at: nowIso(ctx), locked_reason: 'admin' })
          .where('id', '=', userId)
          .execute();
        await ctx.audit.appendIn(trx, { type: 'user:locked', actor: actor.userId, orgId: actor.orgId, payload: { userId, reason: 'admin', failedAttempts: Number(row.failed_logins) } });
      }
      await revokeAllIn(ctx, trx, actor.userId, actor.orgId, userId);
      return withGrants(trx, await requireUser(trx, actor, userId));
    }),
  );
}

/** Unlocks a user and clears their failed logins and back-offs (user.manage); ended sessions and tokens stay ended. */
export function unlockUser(ctx: Ctx, actor: Actor, userId: string): Promise<User> {
  return guarded(ctx, actor, 'user.unlock', () =>
    ctx.store.writeTransaction(async (trx) => {
      await requireUser(trx, actor, userId);
      await requirePermission(ctx, trx, actor, 'user.manage');
      await clearLockIn(trx, actor.orgId, userId);
      await ctx.audit.appendIn(trx, { type: 'user:unlocked', actor: actor.userId, orgId: actor.orgId, payload: { userId } });
      return withGrants(trx, await requireUser(trx, actor, userId));
    }),
  );
}

/** Revokes all of a user's sessions, and with `tokens` their API tokens (user.manage); returns how many were live. */
export function resetSessions(ctx: Ctx, actor: Actor, userId: string, options: { tokens?: boolean } = {}): Promise<RevokedCounts> {
  return guarded(ctx, actor, 'user.reset_sessions', () =>
    ctx.store.writeTransaction(async (trx) => {
      await requireUser(trx, actor, userId);
      await requirePermission(ctx, trx, actor, 'user.manage');
      const sessions = await revokeSessionsIn(ctx, trx, actor.orgId, userId);
      const tokens = options.tokens === true ? await revokeTokensIn(ctx, trx, actor.orgId, userId) : 0;
      await ctx.audit.appendIn(trx, { type: 'user:sessions_revoked', actor: actor.userId, orgId: actor.orgId, payload: options.tokens === true ? { userId, sessions, tokens } : { userId, sessions } });
      return { sessions, tokens };
    }),
  );
}

/** Grants `role` org-wide (projectId null) or on one project (role.manage); never to oneself. */
export function grantRole(ctx: Ctx, actor: Actor, userId: string, role: Role, projectId: string | null): Promise<User> {
  return guarded(ctx, actor, 'role.grant', () =>
    ctx.store.writeTransaction(async (trx) => {
      const r = parseInput(roleSchema, role, 'role');
      await requireUser(trx, actor, userId);
      if (projectId !== null) await requireProject(trx, actor, projectId);
      // Separation of duties: an org_admin granting itself integration_lead could then approve alone.
      if (userId === actor.userId) {
        throw new DeniedError('forbidden', 'user.self_grant', 'nobody grants a role to themselves; ask another org_admin to grant it', { resource: 'user', resourceId: userId });
      }
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
      const tenant = orgScope(trx, actor.orgId);
      if (r === 'org_admin' && scope === '*') {
        const admins = await tenant.select('role_grant').select('user_id').where('role', '=', 'org_admin').where('scope', '=', '*').execute();
        if (admins.length === 1 && admins[0].user_id === userId) {
          throw new FerryError('conflict', 'role.last_admin', "this is the org's last org_admin grant; grant org_admin to someone else first so the org stays manageable");
        }
      }
      const del = await tenant.delete('role_grant').where('user_id', '=', userId).where('role', '=', r).where('scope', '=', scope).executeTakeFirst();
      if (Number(del.numDeletedRows) > 0) {
        await ctx.audit.appendIn(trx, { type: 'role:revoked', actor: actor.userId, orgId: actor.orgId, projectId, payload: { userId, role: r, scope: projectId ?? 'org' } });
      }
      return withGrants(trx, await requireUser(trx, actor, userId));
    }),
  );
}
