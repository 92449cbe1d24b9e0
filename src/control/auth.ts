/**
 * Logging in and resolving bearer tokens to actors. Sessions expire absolutely after
 * `sessionTtlMs` and after `idleTimeoutMs` without use; personal API tokens last until revoked
 * or their optional expiry. Both are random 256-bit secrets stored only as SHA-256. Failed
 * logins are counted and lock the account at `maxFailedLogins`; only an org_admin unlocks it.
 */
import { FerryError } from '../errors.js';
import { nowIso, type Ctx } from './context.js';
import { hashPassword, verifyPassword } from './password.js';
import type { Actor, SessionGrant } from './plane.js';
import type { AppUserRow } from './schema.js';
import { constantTimeEqual, newId, newSecret, sha256Hex } from './secrets.js';
import { loadGrants } from './users.js';

export const SESSION_PREFIX = 'fs';
export const API_TOKEN_PREFIX = 'fpat';

const INVALID = 'the user name or password is wrong; after repeated failures the account locks and an org_admin must unlock it';

/** A refusal to authenticate: kind forbidden, code `auth.*` (HTTP 401). */
export function authError(code: string, message: string): FerryError {
  return new FerryError('forbidden', `auth.${code}`, message);
}

const dummyHashes = new WeakMap<Ctx, Promise<string>>();

/** A hash to verify against when the user does not exist, so timing does not reveal which names exist. */
function dummyHash(ctx: Ctx): Promise<string> {
  let h = dummyHashes.get(ctx);
  if (!h) {
    h = hashPassword('ferry-no-such-user', ctx.config.scrypt);
    dummyHashes.set(ctx, h);
  }
  return h;
}

/** The actor for a user row: its org and current grants. */
export async function actorOf(ctx: Ctx, user: AppUserRow): Promise<Actor> {
  return { userId: user.id, orgId: user.org_id, grants: await loadGrants(ctx.db, user.org_id, user.id) };
}

/** Checks a password and opens a session; counts failures and locks at the configured limit. */
export async function login(ctx: Ctx, username: string, password: string): Promise<SessionGrant> {
  const user = typeof username === 'string' ? await ctx.db.selectFrom('app_user').selectAll().where('username', '=', username.trim()).executeTakeFirst() : undefined;
  const ok = await verifyPassword(String(password), user?.password_hash ?? (await dummyHash(ctx)));
  if (!user) {
    await ctx.audit.append({ type: 'user:login_failed', actor: 'anonymous', orgId: null, payload: { userId: null, reason: 'unknown_user' } });
    throw authError('invalid_credentials', INVALID);
  }
  const outcome = await ctx.store.writeTransaction(async (trx) => {
    const base = { actor: user.id, orgId: user.org_id };
    const current = await trx.selectFrom('app_user').select(['locked_at', 'failed_logins']).where('id', '=', user.id).executeTakeFirstOrThrow();
    if (current.locked_at !== null) {
      await ctx.audit.appendIn(trx, { ...base, type: 'user:login_failed', payload: { userId: user.id, reason: 'locked' } });
      return 'locked' as const;
    }
    if (!ok) {
      const failed = Number(current.failed_logins) + 1;
      const lock = failed >= ctx.config.maxFailedLogins;
      await trx
        .updateTable('app_user')
        .set(lock ? { failed_logins: failed, locked_at: nowIso(ctx), locked_reason: 'failed_logins' } : { failed_logins: failed })
        .where('id', '=', user.id)
        .execute();
      await ctx.audit.appendIn(trx, { ...base, type: 'user:login_failed', payload: { userId: user.id, reason: 'bad_password' } });
      if (lock) await ctx.audit.appendIn(trx, { ...base, type: 'user:locked', payload: { userId: user.id, reason: 'failed_logins', failedAttempts: failed } });
      return 'bad_password' as const;
    }
    await trx.updateTable('app_user').set({ failed_logins: 0 }).where('id', '=', user.id).execute();
    const token = newSecret(SESSION_PREFIX);
    const now = ctx.clock();
    const session = {
      id: newId('ses'),
      org_id: user.org_id,
      user_id: user.id,
      token_hash: sha256Hex(token),
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: new Date(now.getTime() + ctx.config.sessionTtlMs).toISOString(),
      revoked_at: null,
    };
    await trx.insertInto('user_session').values(session).execute();
    await ctx.audit.appendIn(trx, { ...base, type: 'user:login', payload: { userId: user.id, method: 'password' } });
    return { token, sessionId: session.id, expiresAt: session.expires_at };
  });
  if (outcome === 'locked') throw authError('locked', 'this account is locked after repeated failed logins or by an administrator; ask an org_admin to unlock it');
  if (outcome === 'bad_password') throw authError('invalid_credentials', INVALID);
  return { ...outcome, actor: await actorOf(ctx, user) };
}

/** Resolves a session or API token to its actor; refreshes the session's idle timer. */
export async function authenticate(ctx: Ctx, token: string): Promise<Actor> {
  if (typeof token !== 'string' || token.length > 200) throw authError('invalid_token', 'the token is not valid; log in again or create a new API token');
  const hash = sha256Hex(token);
  const now = ctx.clock();
  if (token.startsWith(`${SESSION_PREFIX}_`)) {
    const s = await ctx.db.selectFrom('user_session').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    if (!s || !constantTimeEqual(s.token_hash, hash)) throw authError('invalid_token', 'the session token is not valid; log in again');
    if (s.revoked_at !== null) throw authError('session_revoked', 'this session was ended (logout or session reset); log in again');
    if (now.getTime() >= Date.parse(s.expires_at)) throw authError('session_expired', 'this session has expired; log in again');
    if (now.getTime() - Date.parse(s.last_seen_at) >= ctx.config.idleTimeoutMs) throw authError('session_idle', 'this session expired after a period of inactivity; log in again');
    const user = await activeUser(ctx, s.user_id);
    await ctx.db.updateTable('user_session').set({ last_seen_at: now.toISOString() }).where('id', '=', s.id).execute();
    return actorOf(ctx, user);
  }
  if (token.startsWith(`${API_TOKEN_PREFIX}_`)) {
    const t = await ctx.db.selectFrom('api_token').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    if (!t || !constantTimeEqual(t.token_hash, hash)) throw authError('invalid_token', 'the API token is not valid; create a new one with ferry admin token create');
    if (t.revoked_at !== null) throw authError('token_revoked', 'this API token was revoked; create a new one');
    if (t.expires_at !== null && now.getTime() >= Date.parse(t.expires_at)) throw authError('token_expired', 'this API token has expired; create a new one');
    const user = await activeUser(ctx, t.user_id);
    await ctx.db.updateTable('api_token').set({ last_used_at: now.toISOString() }).where('id', '=', t.id).execute();
    return actorOf(ctx, user);
  }
  throw authError('invalid_token', 'the token is not a Ferry session or API token; log in again');
}

async function activeUser(ctx: Ctx, userId: string): Promise<AppUserRow> {
  const user = await ctx.db.selectFrom('app_user').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
  if (user.locked_at !== null) throw authError('locked', 'this account is locked; ask an org_admin to unlock it');
  return user;
}

/** Ends the session behind `token`; unknown or already-ended sessions are ignored. */
export async function logout(ctx: Ctx, token: string): Promise<void> {
  if (typeof token !== 'string' || !token.startsWith(`${SESSION_PREFIX}_`)) return;
  await ctx.db.updateTable('user_session').set({ revoked_at: nowIso(ctx) }).where('token_hash', '=', sha256Hex(token)).where('revoked_at', 'is', null).execute();
}

/** The actor for a user id without credentials, for trusted local tooling and tests. */
export async function actorFor(ctx: Ctx, userId: string): Promise<Actor> {
  const user = await ctx.db.selectFrom('app_user').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!user) throw new FerryError('not_found', 'user.not_found', `user ${userId} not found`);
  return actorOf(ctx, user);
}
