import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FerryError } from '../../src/errors.js';
import { DIALECTS, rawSql, storeFixture, type StoreFixture } from './stores.js';
import { buildWorld, loginAs, PASSWORD, type World } from './world.js';

/** An audit record's payload as a plain object. */
const payload = (e: { payload: unknown }) => e.payload as Record<string, unknown>;

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
    const s = await loginAs(plane, a, 'viewer');
    expect(s.actor.userId).toBe(a.as.viewer.userId);
    expect(await plane.authenticate(s.token)).toEqual(a.as.viewer);
    const stored = await rawSql(w.store, `SELECT "token_hash" FROM "user_session"`);
    expect(stored.some((r) => r.token_hash === s.token)).toBe(false);
    await plane.logout(s.token);
    expect(await codeOf(plane.authenticate(s.token))).toBe('auth.session_revoked');
  });

  it('backs one address off after 5 failed logins, doubling per repeat, while the owner signs in from elsewhere; audit-logs each step', async () => {
    const { plane, a, clock } = w;
    const stranger = '203.0.113.9';
    const fail = () => codeOf(loginAs(plane, a, 'viewer', 'wrong password!', stranger));
    for (let i = 0; i < 5; i++) expect(await fail()).toBe('auth.invalid_credentials');
    // Paused now from that address: even the right password is refused, with the same answer.
    expect(await codeOf(loginAs(plane, a, 'viewer', PASSWORD, stranger))).toBe('auth.invalid_credentials');
    expect((await loginAs(plane, a, 'viewer', PASSWORD, '198.51.100.7')).actor.userId).toBe(a.as.viewer.userId);
    const user = await plane.getUser(a.admin, a.as.viewer.userId);
    expect(user).toMatchObject({ lockedAt: null, lockedReason: null });
    clock.advance(61_000);
    for (let i = 0; i < 5; i++) expect(await fail()).toBe('auth.invalid_credentials');
    clock.advance(61_000); // the second pause lasts 2 minutes
    expect(await codeOf(loginAs(plane, a, 'viewer', PASSWORD, stranger))).toBe('auth.invalid_credentials');
    clock.advance(60_000);
    expect((await loginAs(plane, a, 'viewer', PASSWORD, stranger)).actor.userId).toBe(a.as.viewer.userId);
    const pauses = await plane.listAuditEvents(a.as.auditor, { type: 'user:login_backoff', order: 'asc' });
    expect(pauses.map(payload)).toEqual([
      { userId: a.as.viewer.userId, failedAttempts: 5, lockouts: 1, seconds: 60 },
      { userId: a.as.viewer.userId, failedAttempts: 5, lockouts: 2, seconds: 120 },
    ]);
    const reasons = (await plane.listAuditEvents(a.as.auditor, { type: 'user:login_failed', order: 'asc' })).map((e) => payload(e).reason);
    expect(reasons).toEqual([...Array(5).fill('bad_password'), 'backoff', ...Array(5).fill('bad_password'), 'backoff']);
    // Only the hash of an address is stored.
    const stored = JSON.stringify(await rawSql(w.store, 'SELECT * FROM "login_throttle"'));
    expect(stored).not.toContain(stranger);
  });

  it('caps the back-off, and an unlock by an org_admin clears it', async () => {
    const { a, clock } = w;
    const strict = (await import('../../src/control/service.js')).createControlPlane({
      store: w.store,
      clock: () => clock.now,
      config: { maxFailedLogins: 2, loginBackoffMs: 1000, loginBackoffMaxMs: 3000, scrypt: { N: 1024, r: 8, p: 1, keyLength: 32 } },
    });
    for (let round = 0; round < 4; round++) {
      await codeOf(loginAs(strict, a, 'auditor', 'nope nope nope'));
      await codeOf(loginAs(strict, a, 'auditor', 'nope nope nope'));
      clock.advance(3001);
    }
    const seconds = (await strict.listAuditEvents(a.as.auditor, { type: 'user:login_backoff', order: 'asc' })).map((e) => payload(e).seconds);
    expect(seconds).toEqual([1, 2, 3, 3]);
    await codeOf(loginAs(strict, a, 'auditor', 'nope nope nope'));
    await codeOf(loginAs(strict, a, 'auditor', 'nope nope nope'));
    expect(await codeOf(loginAs(strict, a, 'auditor', PASSWORD))).toBe('auth.invalid_credentials');
    expect(await codeOf(strict.unlockUser(a.as.integration_lead, a.as.auditor.userId))).toBe('access.forbidden');
    await strict.unlockUser(a.admin, a.as.auditor.userId);
    expect((await loginAs(strict, a, 'auditor')).actor.userId).toBe(a.as.auditor.userId);
  });

  it('answers an unknown org, an unknown user, a wrong password and a locked account alike, and audits the true reason', async () => {
    const { plane, a, b } = w;
    await plane.lockUser(a.admin, a.as.viewer.userId);
    const answers = await Promise.all(
      [
        plane.login('no-such-org', a.usernames.viewer, PASSWORD),
        plane.login(a.slug, 'nobody-at-all', PASSWORD),
        plane.login(b.slug, a.usernames.viewer, PASSWORD),
        loginAs(plane, a, 'auditor', 'wrong password!'),
        loginAs(plane, a, 'viewer'),
      ].map((p) => p.catch((e: FerryError) => ({ kind: e.kind, code: e.code, message: e.message, issues: e.issues }))),
    );
    expect(new Set(answers.map((x) => JSON.stringify(x))).size).toBe(1);
    expect(answers[0]).toMatchObject({ code: 'auth.invalid_credentials' });
    const failed = await plane.audit.list({ type: 'user:login_failed' });
    expect(failed.map((e) => payload(e).reason).sort()).toEqual(['bad_password', 'locked', 'unknown_user', 'unknown_user', 'unknown_user']);
    expect(payload(failed.find((e) => payload(e).reason === 'locked')!).userId).toBe(a.as.viewer.userId);
  });

  it('expires a session after its lifetime even when in use, and after the idle timeout', async () => {
    const { plane, a, clock } = w;
    const busy = await loginAs(plane, a, 'viewer');
    for (let i = 0; i < 6; i++) {
      clock.advance(9 * 60_000);
      await plane.authenticate(busy.token);
    }
    clock.advance(9 * 60_000); // 63 minutes in: past the 60-minute lifetime
    expect(await codeOf(plane.authenticate(busy.token))).toBe('auth.session_expired');

    const idle = await loginAs(plane, a, 'viewer');
    clock.advance(9 * 60_000);
    await plane.authenticate(idle.token);
    clock.advance(10 * 60_000);
    expect(await codeOf(plane.authenticate(idle.token))).toBe('auth.session_idle');
  });

  it('resets sessions: every live session of the user stops working; with tokens, their API tokens too', async () => {
    const { plane, a } = w;
    const s1 = await loginAs(plane, a, 'auditor');
    const s2 = await loginAs(plane, a, 'auditor');
    const t = await plane.createToken(a.as.auditor, { name: 'ci' });
    expect(await plane.resetSessions(a.admin, a.as.auditor.userId)).toEqual({ sessions: 2, tokens: 0 });
    expect(await codeOf(plane.authenticate(s1.token))).toBe('auth.session_revoked');
    expect(await codeOf(plane.authenticate(s2.token))).toBe('auth.session_revoked');
    expect(await plane.authenticate(t.token)).toEqual(a.as.auditor);
    expect((await plane.listAuditEvents(a.as.auditor, { type: 'user:sessions_revoked' }))[0].payload).toEqual({ userId: a.as.auditor.userId, sessions: 2 });
    const s3 = await loginAs(plane, a, 'auditor');
    expect(await plane.resetSessions(a.admin, a.as.auditor.userId, { tokens: true })).toEqual({ sessions: 1, tokens: 1 });
    expect(await codeOf(plane.authenticate(s3.token))).toBe('auth.session_revoked');
    expect(await codeOf(plane.authenticate(t.token))).toBe('auth.token_revoked');
    expect((await plane.listAuditEvents(a.as.org_admin, { type: 'user:sessions_revoked' }))[0].payload).toEqual({ userId: a.as.auditor.userId, sessions: 1, tokens: 1 });
  });

  it('locking a user ends their sessions and revokes their API tokens; unlocking revives neither', async () => {
    const { plane, a } = w;
    const s = await loginAs(plane, a, 'viewer');
    const t = await plane.createToken(a.as.viewer, { name: 'ci' });
    await plane.lockUser(a.admin, a.as.viewer.userId);
    expect(await codeOf(plane.authenticate(s.token))).toBe('auth.session_revoked');
    expect(await codeOf(plane.authenticate(t.token))).toBe('auth.token_revoked');
    expect((await plane.listTokens(a.admin, a.as.viewer.userId))[0].revokedAt).not.toBeNull();
    expect((await plane.listAuditEvents(a.as.auditor, { type: 'user:sessions_revoked' }))[0].payload).toEqual({ userId: a.as.viewer.userId, sessions: 1, tokens: 1 });
    await plane.unlockUser(a.admin, a.as.viewer.userId);
    expect(await codeOf(plane.authenticate(s.token))).toBe('auth.session_revoked');
    expect(await codeOf(plane.authenticate(t.token))).toBe('auth.token_revoked');
    expect((await loginAs(plane, a, 'viewer')).actor.userId).toBe(a.as.viewer.userId);
  });

  it('changes your own password with the current one, ending your other sessions', async () => {
    const { plane, a } = w;
    const here = await loginAs(plane, a, 'viewer');
    const there = await loginAs(plane, a, 'viewer');
    const fresh = 'a brand new passphrase';
    expect(await codeOf(plane.changePassword(a.as.viewer, { currentPassword: 'not my password', newPassword: fresh }, here.token))).toBe('user.wrong_password');
    expect(await codeOf(plane.changePassword(a.as.viewer, { currentPassword: PASSWORD, newPassword: 'short' }, here.token))).toBe('auth.weak_password');
    expect(await plane.changePassword(a.as.viewer, { currentPassword: PASSWORD, newPassword: fresh }, here.token)).toEqual({ sessions: 1, tokens: 0 });
    expect(await plane.authenticate(here.token)).toEqual(a.as.viewer);
    expect(await codeOf(plane.authenticate(there.token))).toBe('auth.session_revoked');
    expect(await codeOf(loginAs(plane, a, 'viewer'))).toBe('auth.invalid_credentials');
    expect((await loginAs(plane, a, 'viewer', fresh)).actor.userId).toBe(a.as.viewer.userId);
    expect((await plane.listAuditEvents(a.as.auditor, { type: 'user:password_changed' }))[0]).toMatchObject({ actor: a.as.viewer.userId, payload: { userId: a.as.viewer.userId, sessions: 1 } });
    const denied = await plane.listAuditEvents(a.as.auditor, { type: 'access:denied' });
    expect(denied.map((e) => payload(e).action)).toContain('user.change_password');
  });

  it("resets another user's password as org_admin, ending all their sessions and tokens; never your own this way", async () => {
    const { plane, a } = w;
    const s = await loginAs(plane, a, 'auditor');
    const t = await plane.createToken(a.as.auditor, { name: 'ci' });
    const fresh = 'temporary passphrase for monday';
    expect(await codeOf(plane.resetPassword(a.as.integration_lead, a.as.auditor.userId, fresh))).toBe('access.forbidden');
    expect(await codeOf(plane.resetPassword(a.admin, a.admin.userId, fresh))).toBe('user.self_reset');
    expect(await codeOf(plane.resetPassword(a.admin, a.as.auditor.userId, 'trust-a is my org'))).toBe('auth.weak_password');
    expect(await codeOf(plane.resetPassword(a.admin, w.b.as.auditor.userId, fresh))).toBe('user.not_found');
    await plane.resetPassword(a.admin, a.as.auditor.userId, fresh);
    expect(await codeOf(plane.authenticate(s.token))).toBe('auth.session_revoked');
    expect(await codeOf(plane.authenticate(t.token))).toBe('auth.token_revoked');
    expect((await loginAs(plane, a, 'auditor', fresh)).actor.userId).toBe(a.as.auditor.userId);
    expect((await plane.listAuditEvents(a.as.auditor, { type: 'user:password_reset' }))[0]).toMatchObject({ actor: a.admin.userId, payload: { userId: a.as.auditor.userId, sessions: 1, tokens: 1 } });
  });

  it('break-glass: the operator unlocks and resets an org_admin with direct store access, audited as the operator', async () => {
    const { plane, a } = w;
    const second = await plane.createUser(a.admin, { username: 'second-admin', password: PASSWORD });
    await plane.grantRole(a.admin, second.id, 'org_admin', null);
    await plane.lockUser(await plane.actorFor(second.id), a.admin.userId);
    expect(await codeOf(loginAs(plane, a, 'org_admin'))).toBe('auth.invalid_credentials');
    const unlocked = await plane.operatorUnlock({ org: a.slug, user: a.usernames.org_admin, operator: 'os:ops' });
    expect(unlocked).toMatchObject({ id: a.admin.userId, lockedAt: null });
    expect((await loginAs(plane, a, 'org_admin')).actor.userId).toBe(a.admin.userId);
    const fresh = 'operator chosen passphrase';
    await plane.operatorResetPassword({ org: a.slug, user: a.admin.userId, newPassword: fresh, operator: 'os:ops' });
    expect((await loginAs(plane, a, 'org_admin', fresh)).actor.userId).toBe(a.admin.userId);
    expect(await codeOf(plane.operatorUnlock({ org: w.b.slug, user: a.admin.userId }))).toBe('user.not_found');
    expect(await codeOf(plane.operatorResetPassword({ org: a.slug, user: a.admin.userId, newPassword: 'aaaaaaaaaaaaaaaa' }))).toBe('auth.weak_password');
    const events = await plane.listAuditEvents(a.as.auditor, { actor: 'os:ops', order: 'asc' });
    expect(events.map((e) => e.type)).toEqual(['user:unlocked', 'user:password_reset']);
  });

  it('accepts a password in any Unicode form (NFKC), and still accepts a hash made before normalisation', async () => {
    const { plane, a } = w;
    const composed = 'café crème brûlée au soleil';
    const decomposed = composed.normalize('NFD');
    await plane.resetPassword(a.admin, a.as.viewer.userId, decomposed);
    expect((await loginAs(plane, a, 'viewer', composed)).actor.userId).toBe(a.as.viewer.userId);
    // A legacy hash of the raw (un-normalised) text still verifies when typed the same way.
    const { scryptSync, randomBytes } = await import('node:crypto');
    const raw = 'ｆｕｌｌｗｉｄｔｈ passphrase here';
    const salt = randomBytes(16);
    const legacy = ['scrypt', 1024, 8, 1, 32, salt.toString('base64url'), scryptSync(raw, salt, 32, { N: 1024, r: 8, p: 1 }).toString('base64url')].join('$');
    await w.store.db.updateTable('app_user').set({ password_hash: legacy }).where('id', '=', a.as.viewer.userId).execute();
    expect((await loginAs(plane, a, 'viewer', raw)).actor.userId).toBe(a.as.viewer.userId);
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
    expect(await codeOf(plane.grantRole(a.admin, a.admin.userId, 'integration_lead', null))).toBe('user.self_grant');
    const types = (await plane.listAuditEvents(a.as.auditor, { limit: 5 })).map((e) => e.type);
    expect(types).toContain('role:revoked');
  });
});
