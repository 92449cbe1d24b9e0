/**
 * Logging in and resolving bearer tokens to actors. Sessions expire absolutely after
 * `sessionTtlMs` and after `idleTimeoutMs` without use; personal API tokens last until revoked
 * or their optional expiry. Both are random 256-bit secrets stored only as SHA-256.
 *
 * Failed logins are counted per (account, client address), the address kept only as SHA-256:
 * after `maxFailedLogins` that pair backs off, 1 min doubling to 15 min by default, so a
 * stranger's guesses slow the stranger and never lock the owner out. Only an org_admin's lock
 * (reason 'admin') holds until unlocked. Every refusal answers the same, whatever its reason.
 */
import { FerryError } from '../errors.js';
import { nowIso, type Ctx } from './context.js';
import { acrossOrgs, orgScope } from './org-scope.js';
import { hashPassword, verifyPassword } from './password.js';
import type { Actor, SessionGrant } from './plane.js';
import type { StoreDb } from '../store/db.js';
import type { AppUserRow, LoginThrottleRow } from '../store/schema.js';
import { constantTimeEqual, newId, newSecret, sha256Hex } from './secrets.js';
import { loadGrants } from './users.js';

export const SESSION_PREFIX = 'fs';
export const API_TOKEN_PREFIX = 'fpat';

/** The one answer to every failed login, so it reveals neither which names exist nor which accounts are locked. */
export const INVALID_CREDENTIALS =
  'the organisation, user name or password is wrong, or sign-in from here is paused after repeated failures; check them and try again in a few minutes, or ask an org_admin';

/** Stands in for the client address when the caller has none (the CLI, in-process tooling). */
const LOCAL_ADDRESS = 'local';

/** A refusal to authenticate: kind forbidden, code `auth.*` (HTTP 401). */
export function authError(code: string, message: string): FerryError {
  return new FerryError('forbidden', `auth.${code}`, message);
}

const dummyHashes = new WeakMap<Ctx, Promise<string>>();

/** A hash to verify against when the user does not exist, so timing does not reveal which names exist. */
function dummyHash(ctx: Ctx): Promise<string> {
  let h = dummyHashes.get(ctx);
  if (!h) {
    h = hashPassword('no such user, no such password', ctx.config.scrypt);
    dummyHashes.set(ctx, h);
  }
  return h;
}

/** The stored form of a client address: its SHA-256, never the address. */
export function addressHash(address: string | undefined): string {
  return sha256Hex(`ferry-login-address:${address ?? LOCAL_ADDRESS}`);
}

/** The actor for a user row: its org and current grants. */
export async function actorOf(ctx: Ctx, user: AppUserRow): Promise<Actor> {
  return { userId: user.id, orgId: user.org_id, grants: await loadGrants(ctx.db, user.org_id, user.id) };
}

const text = (v: unknown, max: number): string | null => (typeof v === 'string' && v.trim().length > 0 && v.length <= max ? v.trim() : null);

async function findUser(ctx: Ctx, org: unknown, username: unknown): Promise<{ orgId: string | null; user: AppUserRow | undefined }> {
  const slug = text(org, 200)?.toLowerCase() ?? null;
  const name = text(username, 200);
  const orgRow = slug === null ? undefined : await ctx.db.selectFrom('org').select('id').where('slug', '=', slug).executeTakeFirst();
  if (!orgRow || name === null) return { orgId: orgRow?.id ?? null, user: undefined };
  return { orgId: orgRow.id, user: await orgScope(ctx.db, orgRow.id).select('app_user').selectAll().where('username', '=', name).executeTakeFirst() };
}

/** Back-off after the `lockouts`-th pause: the base doubled per repeat, capped. */
export function backoffMs(ctx: Ctx, lockouts: number): number {
  return Math.min(ctx.config.loginBackoffMs * 2 ** Math.min(Math.max(lockouts - 1, 0), 30), ctx.config.loginBackoffMaxMs);
}

/** Counts one failure for the (user, address) pair; pauses the pair once it reaches the limit. */
async function recordFailure(ctx: Ctx, trx: StoreDb, user: AppUserRow, address: string, pair: LoginThrottleRow | undefined): Promise<void> {
  const now = ctx.clock();
  const base = { actor: user.id, orgId: user.org_id };
  const failures = Number(pair?.failures ?? 0) + 1;
  const pause = failures >= ctx.config.maxFailedLogins;
  const lockouts = Number(pair?.lockouts ?? 0) + (pause ? 1 : 0);
  const ms = pause ? backoffMs(ctx, lockouts) : 0;
  const row = {
    failures: pause ? 0 : failures,
    lockouts,
    locked_until: pause ? new Date(now.getTime() + ms).toISOString() : null,
    last_failure_at: now.toISOString(),
  };
  const tenant = orgScope(trx, user.org_id);
  if (pair) await tenant.update('login_throttle').set(row).where('user_id', '=', user.id).where('address_hash', '=', address).execute();
  else await tenant.insert('login_throttle', { user_id: user.id, address_hash: address, ...row }).execute();
  // The account-wide count is informational (shown to admins); it never locks the account.
  await tenant
    .update('app_user')
    .set({ failed_logins: Number(user.failed_logins) + 1 })
    .where('id', '=', user.id)
    .execute();
  await ctx.audit.appendIn(trx, { ...base, type: 'user:login_failed', payload: { userId: user.id, reason: 'bad_password' } });
  if (pause) await ctx.audit.appendIn(trx, { ...base, type: 'user:login_backoff', payload: { userId: user.id, failedAttempts: failures, lockouts, seconds: Math.ceil(ms / 1000) } });
}

/** Checks a password and opens a session; see `ControlPlane.login` for the failure rules. */
export async function login(ctx: Ctx, org: string, username: string, password: string, address?: string): Promise<SessionGrant> {
  const { orgId, user } = await findUser(ctx, org, username);
  // Always verify, even for an unknown user, so timing does not tell the cases apart.
  const ok = await verifyPassword(typeof password === 'string' ? password : '', user?.password_hash ?? (await dummyHash(ctx)));
  if (!user) {
    await ctx.audit.append({ type: 'user:login_failed', actor: 'anonymous', orgId, payload: { userId: null, reason: 'unknown_user' } });
    throw authError('invalid_credentials', INVALID_CREDENTIALS);
  }
  const pairKey = addressHash(address);
  const outcome = await ctx.store.writeTransaction(async (trx) => {
    const base = { actor: user.id, orgId: user.org_id };
    // Serialises concurrent attempts on one account so no failure is lost (PostgreSQL; SQLite's writes are serial).
    await ctx.store.lock(trx, `login:${user.id}`);
    const tenant = orgScope(trx, user.org_id);
    const current = await tenant.select('app_user').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    const pair = await tenant.select('login_throttle').selectAll().where('user_id', '=', user.id).where('address_hash', '=', pairKey).executeTakeFirst();
    if (current.locked_at !== null) {
      await ctx.audit.appendIn(trx, { ...base, type: 'user:login_failed', payload: { userId: user.id, reason: 'locked' } });
      return null;
    }
    if (pair?.locked_until && ctx.clock().getTime() < Date.parse(pair.locked_until)) {
      await ctx.audit.appendIn(trx, { ...base, type: 'user:login_failed', payload: { userId: user.id, reason: 'backoff' } });
      return null;
    }
    if (!ok) {
      await recordFailure(ctx, trx, current, pairKey, pair);
      return null;
    }
    await tenant.update('app_user').set({ failed_logins: 0 }).where('id', '=', user.id).execute();
    if (pair) await tenant.delete('login_throttle').where('user_id', '=', user.id).where('address_hash', '=', pairKey).execute();
    const token = newSecret(SESSION_PREFIX);
    const now = ctx.clock();
    const session = {
      id: newId('ses'),
      user_id: user.id,
      token_hash: sha256Hex(token),
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: new Date(now.getTime() + ctx.config.sessionTtlMs).toISOString(),
      revoked_at: null,
    };
    await tenant.insert('user_session', session).execute();
    await ctx.audit.appendIn(trx, { ...base, type: 'user:login', payload: { userId: user.id, method: 'password' } });
    return { token, sessionId: session.id, expiresAt: session.expires_at };
  });
  if (outcome === null) throw authError('invalid_credentials', INVALID_CREDENTIALS);
  return { ...outcome, actor: await actorOf(ctx, user) };
}

/** Resolves a session or API token to its actor; refreshes the session's idle timer. */
export async function authenticate(ctx: Ctx, token: string): Promise<Actor> {
  if (typeof token !== 'string' || token.length > 200) throw authError('invalid_token', 'the token is not valid; log in again or create a new API token');
  const hash = sha256Hex(token);
  const now = ctx.clock();
  if (token.startsWith(`${SESSION_PREFIX}_`)) {
    // The token is all there is to go on: its hash finds the session, and with it the org.
    const s = await acrossOrgs(ctx.db).select('user_session').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    if (!s || !constantTimeEqual(s.token_hash, hash)) throw authError('invalid_token', 'the session token is not valid; log in again');
    if (s.revoked_at !== null) throw authError('session_revoked', 'this session was ended (logout or session reset); log in again');
    if (now.getTime() >= Date.parse(s.expires_at)) throw authError('session_expired', 'this session has expired; log in again');
    if (now.getTime() - Date.parse(s.last_seen_at) >= ctx.config.idleTimeoutMs) throw authError('session_idle', 'this session expired after a period of inactivity; log in again');
    const user = await activeUser(ctx, s.org_id, s.user_id);
    await orgScope(ctx.db, s.org_id).update('user_session').set({ last_seen_at: now.toISOString() }).where('id', '=', s.id).execute();
    return actorOf(ctx, user);
  }
  if (token.startsWith(`${API_TOKEN_PREFIX}_`)) {
    const t = await acrossOrgs(ctx.db).select('api_token').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    if (!t || !constantTimeEqual(t.token_hash, hash)) throw authError('invalid_token', 'the API token is not valid; create a new one with ferry admin token create');
    if (t.revoked_at !== null) throw authError('token_revoked', 'this API token was revoked; create a new one');
    if (t.expires_at !== null && now.getTime() >= Date.parse(t.expires_at)) throw authError('token_expired', 'this API token has expired; create a new one');
    const user = await activeUser(ctx, t.org_id, t.user_id);
    await orgScope(ctx.db, t.org_id).update('api_token').set({ last_used_at: now.toISOString() }).where('id', '=', t.id).execute();
    return actorOf(ctx, user);
  }
  throw authError('invalid_token', 'the token is not a Ferry session or API token; log in again');
}

async function activeUser(ctx: Ctx, orgId: string, userId: string): Promise<AppUserRow> {
  const user = await orgScope(ctx.db, orgId).select('app_user').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
  if (user.locked_at !== null) throw authError('locked', 'this account is locked; ask an org_admin to unlock it');
  return user;
}

/** Ends the session behind `token`; unknown or already-ended sessions are ignored. */
export async function logout(ctx: Ctx, token: string): Promise<void> {
  if (typeof token !== 'string' || !token.startsWith(`${SESSION_PREFIX}_`)) return;
  await acrossOrgs(ctx.db)
    .update('user_session')
    .set({ revoked_at: nowIso(ctx) })
    .where('token_hash', '=', sha256Hex(token))
    .where('revoked_at', 'is', null)
    .execute();
}

/** The actor for a user id without credentials, for trusted local tooling and tests. */
export async function actorFor(ctx: Ctx, userId: string): Promise<Actor> {
  // Trusted tooling names a user by id alone, so the org is learnt from the row.
  const user = await acrossOrgs(ctx.db).select('app_user').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!user) throw new FerryError('not_found', 'user.not_found', `user ${userId} not found`);
  return actorOf(ctx, user);
}
