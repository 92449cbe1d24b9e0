/**
 * The API's plumbing on both control stores: health and readiness, the generated OpenAPI
 * document, login (rate-limited per address and per account), logout, consistent error
 * bodies, and a request log that never holds a password or token.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../control/stores.js';
import { PASSWORD, startHarness, type Harness } from './harness.js';
import { extraUser } from '../control/world.js';

describe.each(DIALECTS)('HTTP API on a %s store', (dialect) => {
  let h: Harness;
  let logged = '';
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logged += String(chunk);
        cb();
      },
    });
    h = await startHarness(dialect, {
      logger: pino({ level: 'info' }, sink),
      loginLimits: { perIp: { capacity: 8, refillPerSecond: 0.001 }, perAccount: { capacity: 3, refillPerSecond: 0.001 } },
    });
  }, 120_000);
  afterAll(() => h?.close());

  it('answers /healthz and /readyz with the store current', async () => {
    expect((await h.client.request('GET', '/healthz')).body).toEqual({ ok: true });
    const ready = await h.client.request('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.store.dialect).toBe(dialect);
  });

  it('lists every route of the table in the OpenAPI 3.1 document, with schemas and the error body', async () => {
    const doc = (await h.client.request('GET', '/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap(([path, ops]) =>
      Object.entries(ops).map(([m, op]) => `${m.toUpperCase()} ${path} ${op.operationId}`),
    );
    expect(operations.sort()).toEqual(h.app.routes.map((r) => `${r.method} ${r.path} ${r.operationId}`).sort());
    const submit = doc.paths['/projects/{projectId}/contract-versions'].post;
    expect(submit.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['yaml', 'message']));
    expect(submit.parameters).toEqual([expect.objectContaining({ name: 'projectId', in: 'path', required: true })]);
    expect(doc.components.schemas.Error.properties.error.required).toEqual(expect.arrayContaining(['code', 'message']));
    // Every $ref resolves inside the document.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(10);
    expect(refs.filter((r) => !doc.components.schemas[r])).toEqual([]);
    expect(JSON.stringify(doc)).not.toContain('#/$defs/');
  });

  it('signs in, serves the session, and ends it at logout', async () => {
    const login = await h.client.request('POST', '/auth/login', { body: { org: h.world.a.slug, username: h.world.a.usernames.viewer, password: PASSWORD } });
    expect(login.status).toBe(200);
    const token = login.body.token as string;
    const me = await h.client.request('GET', '/auth/me', { token });
    expect(me.body.actor.userId).toBe(h.world.a.as.viewer.userId);
    expect(me.body.permissions).toContain('org.read');
    expect((await h.client.request('POST', '/auth/logout', { token })).status).toBe(200);
    const after = await h.client.request('GET', '/auth/me', { token });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toMatch(/^auth\./);
  });

  it("changes your own password (keeping this session, ending the others) and lets an org_admin reset another user's, ending their sessions and tokens", async () => {
    const { plane } = h.world;
    const A = h.world.a;
    const me = await extraUser(plane, A, `pw-self-${dialect}`, ['viewer']);
    const name = (await plane.getUser(me, me.userId)).username;
    const here = (await plane.login(A.slug, name, PASSWORD)).token;
    const there = (await plane.login(A.slug, name, PASSWORD)).token;
    const weak = await h.client.request('POST', '/auth/password', { token: here, body: { currentPassword: PASSWORD, newPassword: 'ferry ferry ferry' } });
    expect(weak.status).toBe(400);
    expect(weak.body.error.issues.map((i: { code: string }) => i.code)).toEqual(['auth.password_contains_product']);
    expect(weak.text).not.toContain('ferry ferry ferry');
    const wrong = await h.client.request('POST', '/auth/password', { token: here, body: { currentPassword: 'not my password', newPassword: 'a fresh passphrase' } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('user.wrong_password');
    const changed = await h.client.request('POST', '/auth/password', { token: here, body: { currentPassword: PASSWORD, newPassword: 'a fresh passphrase' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ sessionsEnded: 1 });
    expect((await h.client.request('GET', '/auth/me', { token: here })).status).toBe(200);
    expect((await h.client.request('GET', '/auth/me', { token: there })).status).toBe(401);

    const apiToken = (await plane.createToken(me, { name: 'script' })).token;
    const again = (await plane.login(A.slug, name, 'a fresh passphrase')).token;
    const reset = await h.client.request('POST', `/users/${me.userId}/password`, { token: h.a.token.org_admin, body: { newPassword: 'set by the admin today' } });
    expect(reset.status).toBe(200);
    expect(reset.body.id).toBe(me.userId);
    for (const t of [here, again, apiToken]) expect((await h.client.request('GET', '/auth/me', { token: t })).status).toBe(401);
    const self = await h.client.request('POST', `/users/${A.admin.userId}/password`, { token: h.a.token.org_admin, body: { newPassword: 'set by the admin today' } });
    expect(self.body.error.code).toBe('user.self_reset');

    const s1 = (await plane.login(A.slug, name, 'set by the admin today')).token;
    const t2 = (await plane.createToken(me, { name: 'script 2' })).token;
    const sessionsOnly = await h.client.request('POST', `/users/${me.userId}/sessions/reset`, { token: h.a.token.org_admin });
    expect(sessionsOnly.body).toEqual({ revoked: 1, tokensRevoked: 0 });
    expect((await h.client.request('GET', '/auth/me', { token: t2 })).status).toBe(200);
    const withTokens = await h.client.request('POST', `/users/${me.userId}/sessions/reset?tokens=true`, { token: h.a.token.org_admin });
    expect(withTokens.body).toEqual({ revoked: 0, tokensRevoked: 1 });
    expect((await h.client.request('GET', '/auth/me', { token: t2 })).status).toBe(401);
    expect((await h.client.request('GET', '/auth/me', { token: s1 })).status).toBe(401);
  });

  it('refuses a wrong password with 401 and rate-limits one account, then one address, with 429 and Retry-After', async () => {
    const user = h.world.a.usernames.auditor;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await h.client.request('POST', '/auth/login', { body: { org: h.world.a.slug, username: user, password: 'wrong password, long enough' } })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await h.client.request('POST', '/auth/login', { body: { org: h.world.a.slug, username: user, password: PASSWORD } });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limit.login');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other accounts from the same address: the per-address bucket (8) runs out too.
    const others: number[] = [];
    for (let i = 0; i < 4; i++) others.push((await h.client.request('POST', '/auth/login', { body: { org: h.world.a.slug, username: `nobody-${i}`, password: 'whatever, long enough' } })).status);
    expect(others).toEqual([401, 401, 429, 429]);
  });

  it('answers with one error body shape: 400 listing every problem, 401, 404 and 405', async () => {
    const bad = await h.client.request('POST', '/workspaces', { token: h.a.token.org_admin, body: { name: '', extra: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'http.validation', issues: [expect.objectContaining({ path: 'body.name' })] });
    const notJson = await h.client.request('POST', '/workspaces', { token: h.a.token.org_admin, headers: { 'content-type': 'text/plain' } });
    expect(notJson.body.error.code).toBe('http.unsupported_media_type');
    expect((await h.client.request('GET', '/org')).body.error.code).toBe('auth.missing_token');
    expect((await h.client.request('GET', '/nowhere', { token: h.a.token.viewer })).body.error.code).toBe('http.no_route');
    const wrongMethod = await h.client.request('DELETE', '/org', { token: h.a.token.viewer });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
  });

  it('never returns password hashes or token secrets after creation', async () => {
    const created = await h.client.request('POST', '/tokens', { token: h.a.token.viewer, body: { name: 'ci' } });
    expect(created.status).toBe(201);
    const secret = created.body.token as string;
    const users = await h.client.request('GET', '/users', { token: h.a.token.org_admin });
    const tokens = await h.client.request('GET', '/tokens', { token: h.a.token.viewer });
    for (const text of [users.text, tokens.text]) {
      expect(text).not.toMatch(/hash|scrypt|\$/i);
      expect(text).not.toContain(secret);
    }
    expect((await h.client.request('GET', '/auth/me', { token: secret })).status).toBe(200);
  });

  it('logs requests by method, path and status without bodies, tokens or query strings', async () => {
    await h.client.request('GET', `/audit/events?type=user:login&limit=1`, { token: h.a.token.auditor });
    const lines = logged
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.some((l) => l.path === '/audit/events' && l.status === 200 && l.userId === h.world.a.as.auditor.userId)).toBe(true);
    expect(logged).not.toContain(PASSWORD);
    expect(logged).not.toContain('user:login');
    for (const t of Object.values(h.a.token)) expect(logged).not.toContain(t);
  });

  it('is not ready (503) when the store holds a migration this build does not know', async () => {
    await h.world.store.writeTransaction(async (trx) => {
      await sql`insert into "ferry_migrations" ("id", "name", "checksum", "applied_at") values (999, 'from_the_future', 'x', '2099-01-01')`.execute(trx);
    });
    const ready = await h.client.request('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.error.code).toBe('ready.migrations_pending');
    expect((await h.client.request('GET', '/healthz')).status).toBe(200);
  });
});
