/**
 * The lock-out attack: a stranger who knows an org_admin's login name hammers it with wrong
 * passwords. Before, five failures locked the account for everyone until another admin
 * unlocked it, and `auth.locked` told the stranger the name existed. Now the stranger's own
 * (account, address) pair backs off, the admin still signs in from its own address, and a
 * locked account answers byte for byte like a wrong password.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginGuard } from '../../src/server/rate-limit.js';
import { FerryError } from '../../src/errors.js';
import { PASSWORD, startHarness, type Harness } from '../server/harness.js';

/** POSTs JSON from a chosen loopback source address, as a client elsewhere would. */
function postFrom(localAddress: string, url: string, body: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** The answer's bytes without its per-request id, the one part that must differ. */
const sameBytes = (text: string) => text.replace(/"requestId":"[0-9a-f-]{36}"/, '"requestId":"…"');

const STRANGER = '127.0.0.2';
const OWNER = '127.0.0.1';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('sqlite');
}, 120_000);
afterAll(() => h.close());

describe('a stranger hammering an org_admin', () => {
  it('backs off only the stranger: the admin still signs in from its own address', async () => {
    const A = h.world.a;
    const login = (from: string, password: string) => postFrom(from, `${h.url}/auth/login`, { org: A.slug, username: A.usernames.org_admin, password });
    for (let i = 0; i < 5; i++) expect((await login(STRANGER, 'a wrong guess, long enough')).status).toBe(401);
    const wrong = await login(STRANGER, 'another wrong guess here');
    // Even the right password is refused from the stranger's address now, with the same bytes.
    const right = await login(STRANGER, PASSWORD);
    expect(right.status).toBe(401);
    expect(sameBytes(right.text)).toBe(sameBytes(wrong.text));
    const admin = await login(OWNER, PASSWORD);
    expect(admin.status).toBe(200);
    expect(JSON.parse(admin.text).actor.userId).toBe(A.admin.userId);
    expect((await h.world.plane.getUser(A.admin, A.admin.userId)).lockedAt).toBeNull();
    const pauses = await h.world.plane.listAuditEvents(A.as.auditor, { type: 'user:login_backoff' });
    expect(pauses.map((e) => e.payload as Record<string, unknown>)).toEqual([{ userId: A.admin.userId, failedAttempts: 5, lockouts: 1, seconds: 60 }]);
  });

  it('answers a locked account, a wrong password, an unknown user and an unknown org with identical bytes', async () => {
    const A = h.world.a;
    await h.world.plane.lockUser(A.admin, A.as.viewer.userId);
    const answers = [
      await postFrom('127.0.0.3', `${h.url}/auth/login`, { org: A.slug, username: A.usernames.viewer, password: PASSWORD }),
      await postFrom('127.0.0.4', `${h.url}/auth/login`, { org: A.slug, username: A.usernames.auditor, password: 'not the password at all' }),
      await postFrom('127.0.0.5', `${h.url}/auth/login`, { org: A.slug, username: 'no-such-person', password: PASSWORD }),
      await postFrom('127.0.0.6', `${h.url}/auth/login`, { org: 'no-such-org', username: A.usernames.viewer, password: PASSWORD }),
    ];
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401]);
    expect(new Set(answers.map((a) => sameBytes(a.text))).size).toBe(1);
    expect(JSON.parse(answers[0].text).error.code).toBe('auth.invalid_credentials');
    expect(answers[0].text).not.toMatch(/lock/i);
  });
});

describe('the in-memory login rate limit', () => {
  it('keys the account bucket by account and address, so a stranger cannot throttle the owner', () => {
    let t = 0;
    const guard = loginGuard({ perIp: { capacity: 100, refillPerSecond: 0.001 }, perAccount: { capacity: 3, refillPerSecond: 0.001 } }, () => t);
    for (let i = 0; i < 3; i++) guard(STRANGER, 'trust-a/trust-a-admin');
    expect(() => guard(STRANGER, 'trust-a/trust-a-admin')).toThrow(FerryError);
    expect(() => guard(OWNER, 'trust-a/trust-a-admin')).not.toThrow();
    t += 1;
    // The per-address bucket still limits one address spraying many accounts.
    const spray = loginGuard({ perIp: { capacity: 2, refillPerSecond: 0.001 }, perAccount: { capacity: 100, refillPerSecond: 0.001 } }, () => t);
    spray(STRANGER, 'trust-a/one');
    spray(STRANGER, 'trust-a/two');
    expect(() => spray(STRANGER, 'trust-a/three')).toThrow(/too many login attempts/);
  });
});
