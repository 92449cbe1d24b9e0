/**
 * User names are unique per org, not across the deployment: before, creating `alice` in one
 * org answered 409 when another tenant already had an `alice`, revealing that tenant's users.
 * Now the same name lives in two orgs, each signs in by naming its org, and a login for an
 * unknown org or unknown user answers exactly like a wrong password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeFixture } from '../control/stores.js';
import { buildWorld, loginAs } from '../control/world.js';
import { PASSWORD, startHarness, type Harness } from '../server/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('postgres');
}, 120_000);
afterAll(() => h.close());

const sameBytes = (text: string) => text.replace(/"requestId":"[0-9a-f-]{36}"/, '"requestId":"…"');

describe('user names across orgs', () => {
  it('lets both orgs create the same user name (no 409 across orgs), and both sign in', async () => {
    const A = h.world.a;
    const B = h.world.b;
    const inA = await h.client.request('POST', '/users', { token: h.a.token.org_admin, body: { username: 'alice', password: PASSWORD } });
    const inB = await h.client.request('POST', '/users', { token: h.b.token.org_admin, body: { username: 'alice', password: 'a different passphrase' } });
    expect([inA.status, inB.status]).toEqual([201, 201]);
    expect(inA.body.id).not.toBe(inB.body.id);
    const again = await h.client.request('POST', '/users', { token: h.a.token.org_admin, body: { username: 'alice', password: PASSWORD } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('user.exists');

    const a = await h.client.request('POST', '/auth/login', { body: { org: A.slug, username: 'alice', password: PASSWORD } });
    const b = await h.client.request('POST', '/auth/login', { body: { org: B.slug, username: 'alice', password: 'a different passphrase' } });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.actor).toMatchObject({ userId: inA.body.id, orgId: A.orgId });
    expect(b.body.actor).toMatchObject({ userId: inB.body.id, orgId: B.orgId });
    // One org's password does not open the other org's account of the same name.
    expect((await h.client.request('POST', '/auth/login', { body: { org: B.slug, username: 'alice', password: PASSWORD } })).status).toBe(401);
  });

  it('answers an unknown org, an unknown user and a wrong password identically', async () => {
    const A = h.world.a;
    const answers = await Promise.all(
      [
        { org: 'no-such-org', username: A.usernames.viewer, password: PASSWORD },
        { org: A.slug, username: 'nobody-here', password: PASSWORD },
        { org: A.slug, username: A.usernames.viewer, password: 'not the right passphrase' },
        { org: h.world.b.slug, username: A.usernames.viewer, password: PASSWORD },
      ].map((body) => h.client.request('POST', '/auth/login', { body })),
    );
    expect(answers.map((r) => r.status)).toEqual([401, 401, 401, 401]);
    expect(new Set(answers.map((r) => sameBytes(r.text))).size).toBe(1);
    expect(answers[0].body.error.code).toBe('auth.invalid_credentials');
  });
});

describe('login timing', () => {
  it('spends the same scrypt work on an unknown org, an unknown user, a locked account and a wrong password', async () => {
    const fx = await storeFixture('sqlite');
    // A cost high enough (about 16 MiB per hash) that skipping the hash would stand out from the noise.
    const w = await buildWorld(fx, { scrypt: { N: 2 ** 14, r: 8, p: 1, keyLength: 32 } });
    try {
      const { plane, a } = w;
      await plane.lockUser(a.admin, a.as.viewer.userId);
      const cases: Record<string, () => Promise<unknown>> = {
        wrongPassword: () => loginAs(plane, a, 'auditor', 'not the password at all'),
        unknownUser: () => plane.login(a.slug, 'nobody-here', PASSWORD),
        unknownOrg: () => plane.login('no-such-org', a.usernames.auditor, PASSWORD),
        locked: () => loginAs(plane, a, 'viewer'),
      };
      const median = async (f: () => Promise<unknown>) => {
        const times: number[] = [];
        for (let i = 0; i < 4; i++) {
          const t = performance.now();
          await f().catch(() => undefined);
          times.push(performance.now() - t);
        }
        return times.sort((x, y) => x - y)[2];
      };
      const ms: Record<string, number> = {};
      for (const [name, f] of Object.entries(cases)) ms[name] = await median(f);
      // Each must cost at least a third of a wrong password's time (a skipped hash costs ~nothing).
      for (const name of ['unknownUser', 'unknownOrg', 'locked']) expect(ms[name], JSON.stringify(ms)).toBeGreaterThan(ms.wrongPassword / 3);
    } finally {
      await w.close();
      await fx.cleanup();
    }
  }, 120_000);
});
