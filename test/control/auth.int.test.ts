import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FerryError } from '../../src/errors.js';
import { DIALECTS, rawSql, storeFixture, type StoreFixture } from './stores.js';
import { buildWorld, PASSWORD, type World } from './world.js';

const codeOf = async (p: Promise<unknown>) => {
  const e = await p.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(FerryError);
  return (e as FerryError).code;
};

describe.each(DIALECTS)('users, sessions and tokens on %s', (dialect) => {
  let fx: StoreFixture;
  let w: World;
  beforeAll(async () => {
    fx = await storeFixture(dialect);
  });
  afterAll(() => fx.cleanup());
  beforeEach(async () => {
    w = await buildWorld(fx, { sessionTtlMs: 60 * 60_000, idleTimeoutMs: 10 * 60_000 });
  });
  afterEach(() => w.close());

  it('stores passwords as salted scrypt hashes with their parameters, never the password', async () => {
    const rows = await rawSql(w.store, `SELECT "password_hash" FROM "app_user"`);
    const hashes = rows.map((r) => String(r.password_hash));
    expect(hashes.every((h) => /^scrypt\$1024\$8\$1\$32\$[\w-]+\$[\w-]+$/.test(h))).toBe(true);
    expect(new Set(hashes).size).toBe(hashes.length);
    expect(hashes.some((h) => h.includes(PASSWORD))).toBe(false);
  });

  it('logs in, authenticates with the session token, and stores only its SHA-256', async () => {
    const { plane, a } = w;
    const s = await plane.login(a.usernames.viewer, PASSWORD);
    expect(s.actor.userId).toBe(a.as.viewer.userId);
    expect(await plane.authenticate(s.token)).toEqual(a.as.viewer);
    const stored = await rawSql(w.store, `SELECT "token_hash" FROM "user_session"`);
    expect(stored.some((r) => r.token_hash === s.token)).toBe(false);
    await plane.logout(s.token);
    expect(await codeOf(plane.authenticate(s.token))).toBe('auth.session_revoked');
  });

  it('locks an account after 5 failed logins until an org_admin unlocks it, and audit-logs each step', async () => {
    const { plane, a } = w;
    for (let i = 0; i < 4; i++) expect(await codeOf(plane.login(a.usernames.viewer, 'wrong password!'))).toBe('auth.invalid_credentials');
    expect(await codeOf(plane.login(a.usernames.viewer, 'wrong password!'))).toBe('auth.invalid_credentials');
    // Locked now: even the right password is refused.
    expect(await codeOf(plane.login(a.usernames.viewer, PASSWORD))).toBe('auth.locked');
    const user = await plane.getUser(a.admin, a.as.viewer.userId);
    expect(user).toMatchObject({ lockedReason: 'failed_logins', failedLogins: 5 });
    const locked = await plane.listAuditEvents(a.as.auditor, { type: 'user:locked' });
    expect(locked[0].payload).toEqual({ userId: a.as.viewer.userId, reason: 'failed_logins', failedAttempts: 5 });
    expect(await codeOf(plane.unlockUser(a.as.integration_lead, a.as.viewer.userId))).toBe('access.forbidden');
    await plane.unlockUser(a.admin, a.as.viewer.userId);
    expect((await plane.login(a.usernames.viewer, PASSWORD)).actor.userId).toBe(a.as.viewer.userId);
    expect((await plane.listAuditEvents(a.as.auditor, { type: 'user:unlocked' }))[0].actor).toBe(a.admin.userId);
  });

  it('honours a configured lockout threshold and gives unknown users the same answer as wrong passwords', async () => {
    const { plane, a } = w;
    const strict = (await import('../../src/control/service.js')).createControlPlane({ store: w.store, clock: () => w.clock.now, config: { maxFailedLogins: 2, scrypt: { N: 1024, r: 8, p: 1, keyLength: 32 } } });
    await codeOf(strict.login(a.usernames.auditor, 'nope nope nope'));
    await codeOf(strict.login(a.usernames.auditor, 'nope nope nope'));
    expect(await codeOf(strict.login(a.usernames.auditor, PASSWORD))).toBe('auth.locked');
    expect(await codeOf(plane.login('nobody-at-all', PASSWORD))).toBe('auth.invalid_credentials');
    const failed = await plane.audit.list({ type: 'user:login_failed', limit: 1 });
    expect(failed[0].payload).toEqual({ userId: null, reason: 'unknown_user' });
  });

  it('expires a session after its lifetime even when in use, and after the idle timeout', async () => {
    const { plane, a, clock } = w;
    const busy = await plane.login(a.usernames.viewer, PASSWORD);
    for (let i = 0; i < 6; i++) {
      clock.advance(9 * 60_000);
      await plane.authenticate(busy.token);
    }
    clock.advance(9 * 60_000); // 63 minutes in: past the 60-minute lifetime
    expect(await codeOf(plane.authenticate(busy.token))).toBe('auth.session_expired');

    const idle = await plane.login(a.usernames.viewer, PASSWORD);
    clock.advance(9 * 60_000);
    await plane.authenticate(idle.token);
    clock.advance(10 * 60_000);
    expect(await codeOf(plane.authenticate(idle.token))).toBe('auth.session_idle');
  });

  it('resets sessions: every live session of the user stops working', async () => {
    const { plane, a } = w;
    const s1 = await plane.login(a.usernames.auditor, PASSWORD);
    const s2 = await plane.login(a.usernames.auditor, PASSWORD);
    expect(await plane.resetSessions(a.admin, a.as.auditor.userId)).toBe(2);
    expect(await codeOf(plane.authenticate(s1.token))).toBe('auth.session_revoked');
    expect(await codeOf(plane.authenticate(s2.token))).toBe('auth.session_revoked');
    expect((await plane.listAuditEvents(a.as.auditor, { type: 'user:sessions_revoked' }))[0].payload).toEqual({ userId: a.as.auditor.userId, sessions: 2 });
  });

  it('locking a user by an admin ends their sessions and refuses their API tokens', async () => {
    const { plane, a } = w;
    const s = await plane.login(a.usernames.viewer, PASSWORD);
    const t = await plane.createToken(a.as.viewer, { name: 'ci' });
    await plane.lockUser(a.admin, a.as.viewer.userId);
    expect(await codeOf(plane.authenticate(s.token))).toBe('auth.session_revoked');
    expect(await codeOf(plane.authenticate(t.token))).toBe('auth.locked');
  });

  it('API tokens are shown once, stored hashed, work until revoked or expired', async () => {
    const { plane, a, clock } = w;
    const t = await plane.createToken(a.as.migration_analyst, { name: 'ci', expiresAt: new Date(clock.now.getTime() + 86_400_000).toISOString() });
    expect(t.token).toMatch(/^fpat_/);
    expect(await plane.authenticate(t.token)).toEqual(a.as.migration_analyst);
    expect(JSON.stringify(await plane.listTokens(a.as.migration_analyst))).not.toContain(t.token);
    const stored = await rawSql(w.store, `SELECT "token_hash" FROM "api_token"`);
    expect(stored.map((r) => r.token_hash)).not.toContain(t.token);
    const other = await plane.createToken(a.as.migration_analyst, { name: 'other' });
    // Someone else cannot revoke it without user.manage; the owner can.
    expect(await codeOf(plane.revokeToken(a.as.viewer, t.info.id))).toBe('access.forbidden');
    expect((await plane.revokeToken(a.as.migration_analyst, t.info.id)).revokedAt).not.toBeNull();
    expect(await codeOf(plane.authenticate(t.token))).toBe('auth.token_revoked');
    expect((await plane.listAuditEvents(a.as.auditor, { type: 'token:revoked' }))[0].payload).toEqual({ userId: a.as.migration_analyst.userId, tokenId: t.info.id });
    const expiring = await plane.createToken(a.as.migration_analyst, { name: 'short', expiresAt: new Date(clock.now.getTime() + 1000).toISOString() });
    clock.advance(2000);
    expect(await codeOf(plane.authenticate(expiring.token))).toBe('auth.token_expired');
    expect(await plane.authenticate(other.token)).toEqual(a.as.migration_analyst);
    expect(await codeOf(plane.authenticate('fpat_not-a-real-token'))).toBe('auth.invalid_token');
  });

  it('grants and revokes roles per org or per project, keeping the last org_admin', async () => {
    const { plane, a } = w;
    const u = await plane.grantRole(a.admin, a.as.viewer.userId, 'migration_analyst', a.project.id);
    expect(u.grants).toContainEqual({ role: 'migration_analyst', projectId: a.project.id });
    const actor = await plane.actorFor(a.as.viewer.userId);
    expect(plane.can(actor, 'contract.submit', { projectId: a.project.id })).toBe(true);
    expect(plane.can(actor, 'contract.submit', {})).toBe(false);
    await plane.revokeRole(a.admin, a.as.viewer.userId, 'migration_analyst', a.project.id);
    expect(plane.can(await plane.actorFor(a.as.viewer.userId), 'contract.submit', { projectId: a.project.id })).toBe(false);
    expect(await codeOf(plane.revokeRole(a.admin, a.admin.userId, 'org_admin', null))).toBe('role.last_admin');
    const types = (await plane.listAuditEvents(a.as.auditor, { limit: 5 })).map((e) => e.type);
    expect(types).toContain('role:revoked');
  });
});
