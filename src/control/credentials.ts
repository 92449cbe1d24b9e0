/**
 * Changing passwords: a user changing their own (the current password required), an org_admin
 * resetting someone else's, and the operator's break-glass commands with direct store access
 * (unlock, reset password), which work even when every org_admin is locked out. Every change
 * ends the sessions the old password opened, and is audited with ids and counts only.
 */
import { FerryError } from '../errors.js';
import { requirePermission } from './authorize.js';
import { DeniedError, guarded, type Ctx } from './context.js';
import type { StoreDb } from '../store/db.js';
import { orgScope } from './org-scope.js';
import { hashPassword, verifyPassword } from './password.js';
import type { Actor, OperatorUserInput, RevokedCounts, User } from './plane.js';
import { toUser } from './rows.js';
import type { AppUserRow } from '../store/schema.js';
import { sha256Hex } from './secrets.js';
import { acceptablePassword, clearLockIn, loadGrants, requireUser, revokeSessionsIn, revokeTokensIn } from './users.js';

async function userOf(trx: StoreDb, row: AppUserRow): Promise<User> {
  const fresh = await orgScope(trx, row.org_id).select('app_user').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
  return toUser(fresh, await loadGrants(trx, fresh.org_id, fresh.id));
}

/** Changes the actor's own password; ends their other sessions (all but the one holding `keepSessionToken`). */
export function changePassword(ctx: Ctx, actor: Actor, input: { currentPassword: string; newPassword: string }, keepSessionToken?: string): Promise<RevokedCounts> {
  return guarded(ctx, actor, 'user.change_password', () =>
    ctx.store.writeTransaction(async (trx) => {
      const row = await requireUser(trx, actor, actor.userId);
      const password = await acceptablePassword(ctx, trx, actor.orgId, row.username, input.newPassword, 'newPassword');
      if (typeof input.currentPassword !== 'string' || !(await verifyPassword(input.currentPassword, row.password_hash))) {
        throw new DeniedError('forbidden', 'user.wrong_password', 'the current password is wrong; type it again (forgotten it? ask an org_admin to reset it)', {
          resource: 'user',
          resourceId: actor.userId,
        });
      }
      await orgScope(trx, actor.orgId)
        .update('app_user')
        .set({ password_hash: await hashPassword(password, ctx.config.scrypt) })
        .where('id', '=', actor.userId)
        .execute();
      const sessions = await revokeSessionsIn(ctx, trx, actor.orgId, actor.userId, keepSessionToken === undefined ? undefined : sha256Hex(keepSessionToken));
      await ctx.audit.appendIn(trx, { type: 'user:password_changed', actor: actor.userId, orgId: actor.orgId, payload: { userId: actor.userId, sessions } });
      return { sessions, tokens: 0 };
    }),
  );
}

/** Sets another user's password (user.manage); ends all their sessions and revokes their API tokens. */
export function resetPassword(ctx: Ctx, actor: Actor, userId: string, newPassword: string): Promise<User> {
  return guarded(ctx, actor, 'user.reset_password', () =>
    ctx.store.writeTransaction(async (trx) => {
      const row = await requireUser(trx, actor, userId);
      await requirePermission(ctx, trx, actor, 'user.manage');
      if (userId === actor.userId) {
        throw new DeniedError('forbidden', 'user.self_reset', 'to change your own password use POST /auth/password, which asks for the current one', { resource: 'user', resourceId: userId });
      }
      return setPasswordIn(ctx, trx, row, newPassword, actor.userId);
    }),
  );
}

async function setPasswordIn(ctx: Ctx, trx: StoreDb, row: AppUserRow, newPassword: unknown, by: string): Promise<User> {
  const password = await acceptablePassword(ctx, trx, row.org_id, row.username, newPassword, 'newPassword');
  await orgScope(trx, row.org_id)
    .update('app_user')
    .set({ password_hash: await hashPassword(password, ctx.config.scrypt) })
    .where('id', '=', row.id)
    .execute();
  const sessions = await revokeSessionsIn(ctx, trx, row.org_id, row.id);
  const tokens = await revokeTokensIn(ctx, trx, row.org_id, row.id);
  await ctx.audit.appendIn(trx, { type: 'user:password_reset', actor: by, orgId: row.org_id, payload: { userId: row.id, sessions, tokens } });
  return userOf(trx, row);
}

/** The user named by an operator: org slug plus user id or login name. */
async function operatorTarget(trx: StoreDb, input: OperatorUserInput): Promise<AppUserRow> {
  const org = typeof input.org === 'string' ? await trx.selectFrom('org').select('id').where('slug', '=', input.org.trim().toLowerCase()).executeTakeFirst() : undefined;
  if (!org) throw new FerryError('not_found', 'org.not_found', 'no org has that slug; list orgs with direct store access or check --org');
  const user =
    typeof input.user === 'string'
      ? await orgScope(trx, org.id)
          .select('app_user')
          .selectAll()
          .where((eb) => eb.or([eb('id', '=', input.user), eb('username', '=', input.user.trim())]))
          .executeTakeFirst()
      : undefined;
  if (!user) throw new FerryError('not_found', 'user.not_found', 'no user with that id or login name in this org; check the name and --org');
  return user;
}

/** Break-glass unlock with direct store access: clears the lock and every back-off. */
export function operatorUnlock(ctx: Ctx, input: OperatorUserInput): Promise<User> {
  return ctx.store.writeTransaction(async (trx) => {
    const row = await operatorTarget(trx, input);
    await clearLockIn(trx, row.org_id, row.id);
    await ctx.audit.appendIn(trx, { type: 'user:unlocked', actor: input.operator ?? 'operator', orgId: row.org_id, payload: { userId: row.id } });
    return userOf(trx, row);
  });
}

/** Break-glass password reset with direct store access: ends all the user's sessions and tokens. */
export function operatorResetPassword(ctx: Ctx, input: OperatorUserInput & { newPassword: string }): Promise<User> {
  return ctx.store.writeTransaction(async (trx) => setPasswordIn(ctx, trx, await operatorTarget(trx, input), input.newPassword, input.operator ?? 'operator'));
}
