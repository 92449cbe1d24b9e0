/**
 * User names are unique per org, not across the deployment: before, creating `alice` in one
 * org answered 409 when another tenant already had an `alice`, revealing that tenant's users.
 * Now the same name lives in two orgs, each signs in by naming its org, and a login for an
 * unknown org or unknown user answers exactly like a wrong password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
