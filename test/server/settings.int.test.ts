/**
 * Project settings over HTTP: notification subscriptions, the delivery log and the backup
 * policy. Only project.settings holders (org_admin, integration_lead) read or change them;
 * another org's project is 404. Webhook targets outside the operator's allowlist, resolving to
 * loopback through a wildcard entry, or pointing at the metadata address are refused; the
 * signing secret is in the creation response only, never in a listing, the audit trail or the
 * server's log. End to end: a run started through the API reaches a real webhook receiver,
 * signed, with ids and counts and none of the source's patient values.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resolver } from '../../src/control/webhook-guard.js';
import { PROBE_SOURCE_DIR } from '../../src/server/probe/probe.js';
import { rawSql } from '../control/stores.js';
import { verifySignature, webhookReceiver, type WebhookReceiver } from '../notify/receivers.js';
import { startScenario, type Scenario } from './scenario.js';

/** DNS as a hostile tenant would arrange it: names under an allowed wildcard that point inside. */
const resolve: Resolver = async (host) => {
  const answers: Record<string, string> = { 'evil.hooks.test': '127.0.0.1', 'meta.hooks.test': '169.254.169.254', 'lan.hooks.test': '10.0.0.7' };
  if (!answers[host]) throw new Error('ENOTFOUND');
  return [{ address: answers[host], family: 4 }];
};

let s: Scenario;
let hook: WebhookReceiver;
let logged = '';
let P: string;

beforeAll(async () => {
  hook = await webhookReceiver();
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logged += String(chunk);
      cb();
    },
  });
  s = await startScenario('sqlite', undefined, {
    logger: pino({ level: 'info' }, sink),
    notify: { webhookHosts: ['http://127.0.0.1', '*.hooks.test'], resolve, pollSeconds: 0.1, timeoutSeconds: 5 },
  });
  P = `/projects/${s.projectId}/settings`;
}, 120_000);
afterAll(async () => {
  await s?.close();
  await hook?.close();
});

const webhook = (target: string, events = ['run.finished']) => ({ name: 'ops channel', channel: 'webhook', target, events });

describe('project settings', () => {
  it('answers only project.settings holders of the project’s own org', async () => {
    for (const role of ['org_admin', 'integration_lead'] as const) {
      const r = await s.client.request('GET', P, { token: s.a.token[role] });
      expect([role, r.status]).toEqual([role, 200]);
      expect(r.body.events).toContain('run.failed');
      expect(r.body.unsupportedEvents).toEqual([{ event: 'review.discrepancy', reason: expect.stringContaining('issue #20') }]);
      expect(r.body.channels).toEqual({ webhook: true, email: false });
    }
    for (const role of ['viewer', 'migration_analyst', 'auditor', 'clinical_safety_officer'] as const) {
      expect([role, (await s.client.request('GET', P, { token: s.a.token[role] })).status]).toEqual([role, 403]);
      const post = await s.client.request('POST', `${P}/subscriptions`, { token: s.a.token[role], body: webhook(hook.url) });
      expect([role, post.status]).toEqual([role, 403]);
      const put = await s.client.request('PUT', `${P}/backup-policy`, { token: s.a.token[role], body: { required: true } });
      expect([role, put.status]).toEqual([role, 403]);
    }
    // Another org's admin: the project does not exist for them, whatever they try.
    const b = s.b.token.org_admin;
    expect((await s.client.request('GET', P, { token: b })).status).toBe(404);
    expect((await s.client.request('POST', `${P}/subscriptions`, { token: b, body: webhook(hook.url) })).status).toBe(404);
    expect((await s.client.request('PUT', `${P}/backup-policy`, { token: b, body: { required: true } })).status).toBe(404);
    expect((await s.client.request('GET', `${P}/deliveries`, { token: b })).status).toBe(404);
  });

  it('refuses webhook targets outside the operator policy, naming the rule but not the address', async () => {
    const cases: Array<[string, string]> = [
      ['https://hooks.example.com/x', 'notify.host_not_allowed'],
      [`http://localhost:${hook.port}/x`, 'notify.host_not_allowed'],
      ['http://169.254.169.254/latest/meta-data/', 'notify.host_not_allowed'],
      ['https://[::1]/x', 'notify.host_not_allowed'],
      ['https://evil.hooks.test/x', 'notify.internal_address'],
      ['https://meta.hooks.test/latest/meta-data/', 'notify.internal_address'],
      ['https://lan.hooks.test/x', 'notify.internal_address'],
      ['http://evil.hooks.test/x', 'notify.http_not_allowed'],
      ['https://u:p@evil.hooks.test/x', 'notify.credentials'],
      ['file:///etc/passwd', 'notify.bad_scheme'],
    ];
    for (const [target, code] of cases) {
      const r = await s.client.request('POST', `${P}/subscriptions`, { token: s.a.token.org_admin, body: webhook(target) });
      expect([target, r.status, r.body?.error?.code]).toEqual([target, 400, code]);
      expect(r.text).not.toMatch(/127\.0\.0\.1|169\.254|10\.0\.0\.7/);
    }
    const email = await s.client.request('POST', `${P}/subscriptions`, { token: s.a.token.org_admin, body: { name: 'm', channel: 'email', target: 'a@trust.nhs.uk', events: ['run.failed'] } });
    expect([email.status, email.body.error.code]).toEqual([400, 'notify.no_smtp']);
    const unsupported = await s.client.request('POST', `${P}/subscriptions`, { token: s.a.token.org_admin, body: webhook(hook.url, ['review.discrepancy']) });
    expect([unsupported.status, unsupported.body.error.code]).toEqual([400, 'notify.unsupported_event']);
    const lag = await s.client.request('POST', `${P}/subscriptions`, { token: s.a.token.org_admin, body: webhook(hook.url, ['sync.lag']) });
    expect([lag.status, lag.body.error.code]).toEqual([400, 'notify.lag_threshold']);
    expect((await s.client.request('GET', P, { token: s.a.token.org_admin })).body.subscriptions).toEqual([]);
  });

  it('keeps and audits the backup policy', async () => {
    const empty = await s.client.request('GET', P, { token: s.a.token.integration_lead });
    expect(empty.body.backupPolicy).toEqual({ required: false, keepLast: null, keepDays: null, updatedBy: null, updatedAt: null });
    const put = await s.client.request('PUT', `${P}/backup-policy`, { token: s.a.token.integration_lead, body: { required: true, keepLast: 5, keepDays: 30 } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ required: true, keepLast: 5, keepDays: 30, updatedBy: s.world.a.as.integration_lead.userId });
    expect((await s.client.request('GET', P, { token: s.a.token.org_admin })).body.backupPolicy).toEqual(put.body);
    const bad = await s.client.request('PUT', `${P}/backup-policy`, { token: s.a.token.org_admin, body: { required: true, keepLast: 0 } });
    expect(bad.status).toBe(400);
    const [event] = await s.world.plane.listAuditEvents(s.world.a.as.auditor, { type: 'settings:backup_policy' });
    expect(event.payload).toEqual({ required: true, keepLast: 5, keepDays: 30 });
  });

  it('delivers a run started through the API to a webhook, signed, without patient values; the secret is shown once', async () => {
    const created = await s.client.request('POST', `${P}/subscriptions`, { token: s.a.token.integration_lead, body: webhook(hook.url, ['run.finished', 'run.failed']) });
    expect(created.status).toBe(201);
    const { subscription, secret } = created.body;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(subscription).toMatchObject({ channel: 'webhook', target: hook.url, events: ['run.finished', 'run.failed'], lagSeconds: null });

    const run = await s.client.request('POST', `/projects/${s.projectId}/runs`, { token: s.a.token.migration_analyst, body: { versionId: s.v1.id, tier: 'pre_production', source: 'probe' } });
    expect(run.status).toBe(202);
    await s.app.runs.waitFor(run.body.runId);
    const [req] = await hook.waitFor(1);
    expect(verifySignature(secret, String(req.headers['ferry-signature']), req.body).ok).toBe(true);
    const body = JSON.parse(req.body);
    expect(body).toMatchObject({ type: 'run.finished', orgId: s.world.a.orgId, projectId: s.projectId, data: { runId: run.body.runId, status: 'succeeded' } });
    expect(body.id).toBe(req.headers['ferry-event-id']);
    // Not one value of the source's rows: every cell but the header is a patient value.
    const cells = (await readFile(path.join(PROBE_SOURCE_DIR, 'PERSON.csv'), 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .flatMap((line) => line.split(',').slice(1));
    for (const cell of cells) expect(req.body).not.toContain(cell);

    await expect.poll(async () => (await s.client.request('GET', `${P}/deliveries`, { token: s.a.token.org_admin })).body[0]?.status, { timeout: 15_000 }).toBe('delivered');
    const log = (await s.client.request('GET', `${P}/deliveries?subscriptionId=${subscription.id}`, { token: s.a.token.org_admin })).body;
    expect(log).toEqual([expect.objectContaining({ id: body.id, subscriptionId: subscription.id, eventType: 'run.finished', status: 'delivered', attempts: 1, lastStatus: 200, lastError: null })]);

    // The secret never again: not in the settings, the audit trail or the log; the URL not in the trail or the log either.
    const settings = await s.client.request('GET', P, { token: s.a.token.org_admin });
    expect(settings.body.subscriptions).toEqual([subscription]);
    expect(settings.text).not.toContain(secret);
    const trail = JSON.stringify(await rawSql(s.world.store, 'SELECT * FROM "audit_event"'));
    expect(trail).not.toContain(secret);
    expect(trail).not.toContain(hook.url);
    expect(logged).not.toContain(secret);
    expect(logged).not.toContain(hook.url);
    expect(logged).not.toContain(String(hook.port));

    const removed = await s.client.request('DELETE', `${P}/subscriptions/${subscription.id}`, { token: s.a.token.org_admin });
    expect(removed.status).toBe(200);
    expect((await s.client.request('GET', P, { token: s.a.token.org_admin })).body.subscriptions).toEqual([]);
    // Removing it again, or from another org, is 404.
    expect((await s.client.request('DELETE', `${P}/subscriptions/${subscription.id}`, { token: s.a.token.org_admin })).status).toBe(404);
    const [subscribed] = await s.world.plane.listAuditEvents(s.world.a.as.auditor, { type: 'notify:subscribed' });
    expect(subscribed.payload).toEqual({ subscriptionId: subscription.id, channel: 'webhook', events: ['run.finished', 'run.failed'], lagSeconds: null });
  });

  it('a subscription of another org cannot be removed through a project of one’s own', async () => {
    const created = await s.client.request('POST', `${P}/subscriptions`, { token: s.a.token.org_admin, body: webhook(hook.url) });
    expect(created.status).toBe(201);
    const bProject = `/projects/${s.world.b.project.id}/settings/subscriptions/${created.body.subscription.id}`;
    expect((await s.client.request('DELETE', bProject, { token: s.b.token.org_admin })).status).toBe(404);
    expect((await s.client.request('GET', P, { token: s.a.token.org_admin })).body.subscriptions).toHaveLength(1);
  });
});
