/**
 * The notifier over a real control store (SQLite and PostgreSQL): a recorded run reaches a
 * real HTTP receiver signed with the subscription's secret; a 500 is retried after the back-off
 * and then succeeds; a receiver that keeps failing is given up after N attempts (audited); a
 * redirect is not followed; two notifiers on one store, or a restarted one, deliver once; a
 * host dropped from the allowlist is refused at delivery; email reaches a real SMTP server.
 * No notification, log line or audit event carries the secret, a URL or a host.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NotifyPolicy } from '../../src/control/webhook-guard.js';
import { createMailer } from '../../src/notify/email.js';
import { Notifier, type NotifierOptions } from '../../src/notify/notifier.js';
import { DIALECTS, rawSql, storeFixture, type StoreFixture } from '../control/stores.js';
import { buildWorld, fixtureContract, type World } from '../control/world.js';
import { smtpReceiver, verifySignature, webhookReceiver, type SmtpReceiver, type WebhookReceiver } from './receivers.js';

describe.each(DIALECTS)('notifier on %s', (dialect) => {
  let fx: StoreFixture;
  let w: World;
  let hook: WebhookReceiver;
  let digest: string;
  let runs = 0;
  const problems: string[] = [];
  const policy: NotifyPolicy = { webhookHosts: ['http://127.0.0.1'], mailDomains: ['trust.nhs.uk'], smtp: true };

  beforeAll(async () => {
    fx = await storeFixture(dialect);
  });
  afterAll(async () => {
    await fx.cleanup();
  });
  beforeEach(async () => {
    w = await buildWorld(fx);
    hook = await webhookReceiver();
    const v = (await w.plane.submitVersion(w.a.as.migration_analyst, w.a.project.id, { ...(await fixtureContract()), message: 'v1' })).version;
    await w.plane.approveVersion(w.a.as.integration_lead, v.id, 'ok');
    digest = v.digest;
    problems.length = 0;
    runs = 0;
  });
  afterEach(async () => {
    await hook.close();
    await w.close();
  });

  const notifier = (o: Partial<NotifierOptions> = {}) =>
    new Notifier({ store: w.store, audit: w.plane.audit, policy, clock: () => w.clock.now, timeoutMs: 5_000, onError: (code) => problems.push(code), ...o });

  const subscribe = (events: string[], target = hook.url) => w.plane.createSubscription(w.a.admin, w.a.project.id, { name: 'ops', channel: 'webhook', target, events }, { policy });

  const recordRun = (status: 'succeeded' | 'failed' | 'failed_gate', gateDecision: 'pass' | 'fail' | null = status === 'failed_gate' ? 'fail' : 'pass') =>
    w.plane.recordRun(w.a.as.migration_analyst, w.a.project.id, { digest, tier: 'pre_production', runId: `run-${++runs}`, status, gateDecision });

  it('delivers a signed webhook that the receiver verifies, with ids and counts only', async () => {
    const { subscription, secret } = await subscribe(['run.finished', 'run.failed', 'gate.failed']);
    expect(secret).toMatch(/^whsec_/);
    await recordRun('failed_gate');
    const n = notifier();
    await n.tick();
    const [a, b] = await hook.waitFor(2);
    for (const req of [a, b]) {
      expect(req.method).toBe('POST');
      expect(req.headers['content-type']).toBe('application/json');
      const sig = verifySignature(secret!, String(req.headers['ferry-signature']), req.body);
      expect(sig.ok).toBe(true);
      expect(sig.t).toBe(Math.floor(w.clock.now.getTime() / 1000));
      // A receiver that checks the signature with another secret, or of another body, refuses it.
      expect(verifySignature(`${secret}x`, String(req.headers['ferry-signature']), req.body).ok).toBe(false);
      expect(verifySignature(secret!, String(req.headers['ferry-signature']), `${req.body} `).ok).toBe(false);
    }
    const bodies = [a, b].map((r) => JSON.parse(r.body));
    expect(bodies.map((x) => x.type).sort()).toEqual(['gate.failed', 'run.failed']);
    const failed = bodies.find((x) => x.type === 'run.failed');
    expect(failed).toEqual({
      id: a.headers['ferry-event-id'] === failed.id ? a.headers['ferry-event-id'] : b.headers['ferry-event-id'],
      type: 'run.failed',
      time: w.clock.now.toISOString(),
      orgId: w.a.orgId,
      projectId: w.a.project.id,
      auditSeq: expect.any(Number),
      auditType: 'run:recorded',
      data: {
        runId: 'run-1',
        status: 'failed_gate',
        contractDigest: digest,
        tier: 'pre_production',
        gateDecision: 'fail',
        dryRun: false,
        read: null,
        loaded: null,
        quarantined: null,
        elapsedMs: null,
      },
    });
    const log = await w.plane.listDeliveries(w.a.admin, w.a.project.id);
    expect(log.map((d) => [d.subscriptionId, d.status, d.attempts, d.lastStatus, d.lastError]).sort()).toEqual([
      [subscription.id, 'delivered', 1, 200, null],
      [subscription.id, 'delivered', 1, 200, null],
    ]);
    // Nothing new: another tick sends nothing.
    await n.tick();
    expect(hook.requests).toHaveLength(2);
    // The secret is nowhere but its column: not in the trail, not in a delivery, not in a listing.
    const trail = JSON.stringify(await rawSql(w.store, 'SELECT * FROM "audit_event"'));
    expect(trail).not.toContain(secret);
    expect(trail).not.toContain('127.0.0.1');
    expect(JSON.stringify(await rawSql(w.store, 'SELECT * FROM "notify_delivery"'))).not.toContain(secret);
    expect(JSON.stringify(await w.plane.listSubscriptions(w.a.admin, w.a.project.id))).not.toContain(secret);
  });

  it('notifies approval requested and given and promotion, only for subscribed kinds, only of its own project', async () => {
    await subscribe(['approval.requested', 'approval.given', 'promotion']);
    // Tenant B's activity never reaches tenant A's subscription.
    await w.plane.submitVersion(w.b.as.migration_analyst, w.b.project.id, { ...(await fixtureContract()), message: 'b' });
    const base = await fixtureContract();
    const v2 = (await w.plane.submitVersion(w.a.as.migration_analyst, w.a.project.id, { ...base, yaml: base.yaml.replace('version: 1.0.0', 'version: 1.0.9'), message: 'v2' })).version;
    await w.plane.approveVersion(w.a.as.integration_lead, v2.id, 'ok');
    await w.plane.recordRun(w.a.as.migration_analyst, w.a.project.id, { digest: v2.digest, tier: 'pre_production', runId: 'run-v2', status: 'succeeded', gateDecision: 'pass' });
    await w.plane.approveRelease(w.a.as.integration_lead, w.a.project.id, v2.digest, 'staging', 'ok');
    await w.plane.promote(w.a.as.integration_lead, w.a.project.id, v2.digest, 'staging');
    await notifier().tick();
    // Deliveries are concurrent and retried, so arrival order is not event order: auditSeq is.
    const types = hook.requests
      .map((r) => JSON.parse(r.body))
      .sort((x, y) => x.auditSeq - y.auditSeq)
      .map((b) => [b.type, b.projectId, b.data]);
    expect(types).toEqual([
      ['approval.requested', w.a.project.id, { contract: expect.any(String), version: 2, contractDigest: v2.digest }],
      ['approval.given', w.a.project.id, { contract: expect.any(String), version: 2, contractDigest: v2.digest, tier: null, role: 'integration_lead' }],
      ['approval.given', w.a.project.id, { contractDigest: v2.digest, tier: 'staging', role: 'integration_lead' }],
      ['promotion', w.a.project.id, { contractDigest: v2.digest, fromTier: 'pre_production', toTier: 'staging' }],
    ]);
  });

  it('retries a 500 after the back-off, then succeeds; the log shows both attempts', async () => {
    hook.statuses = [500, 204];
    await subscribe(['run.finished']);
    await recordRun('succeeded');
    const n = notifier({ backoffMs: [30_000, 120_000] });
    await n.tick();
    let [d] = await w.plane.listDeliveries(w.a.admin, w.a.project.id);
    expect([d.status, d.attempts, d.lastStatus, d.lastError, d.nextAttemptAt]).toEqual(['pending', 1, 500, 'http.500', new Date(w.clock.now.getTime() + 30_000).toISOString()]);
    // Not due yet: nothing is sent.
    w.clock.advance(29_000);
    await n.tick();
    expect(hook.requests).toHaveLength(1);
    // A restarted notifier (a new instance over the same store) resumes the retry.
    w.clock.advance(1_000);
    await notifier({ backoffMs: [30_000, 120_000] }).tick();
    expect(hook.requests).toHaveLength(2);
    [d] = await w.plane.listDeliveries(w.a.admin, w.a.project.id);
    expect([d.status, d.attempts, d.lastStatus, d.lastError, d.deliveredAt, d.nextAttemptAt]).toEqual(['delivered', 2, 204, null, w.clock.now.toISOString(), null]);
    // The same event id on the retry, so a receiver can tell a retry from a new event.
    expect(hook.requests[1].headers['ferry-event-id']).toBe(hook.requests[0].headers['ferry-event-id']);
    expect(hook.requests[1].headers['ferry-event-id']).toBe(d.id);
  });

  it('gives up after N attempts with exponential back-off, audited as notify:gave_up', async () => {
    hook.statuses = [503];
    const { subscription } = await subscribe(['run.failed']);
    await recordRun('failed', null);
    const n = notifier({ backoffMs: [1_000, 2_000, 4_000], maxAttempts: 3 });
    await n.tick();
    const gaps: number[] = [];
    for (let i = 0; i < 2; i++) {
      const [d] = await w.plane.listDeliveries(w.a.admin, w.a.project.id);
      gaps.push(new Date(d.nextAttemptAt!).getTime() - w.clock.now.getTime());
      w.clock.advance(gaps[gaps.length - 1]);
      await n.tick();
    }
    expect(gaps).toEqual([1_000, 2_000]);
    expect(hook.requests).toHaveLength(3);
    const [d] = await w.plane.listDeliveries(w.a.admin, w.a.project.id);
    expect([d.status, d.attempts, d.lastStatus, d.lastError, d.nextAttemptAt]).toEqual(['failed', 3, 503, 'http.503', null]);
    w.clock.advance(3_600_000);
    await n.tick();
    expect(hook.requests).toHaveLength(3);
    const [gaveUp] = await w.plane.listAuditEvents(w.a.as.auditor, { type: 'notify:gave_up' });
    expect(gaveUp.payload).toEqual({ subscriptionId: subscription.id, deliveryId: d.id, eventType: 'run.failed', attempts: 3, code: 'http.503' });
    expect(problems).toEqual(['http.503', 'http.503', 'http.503']);
  });

  it('does not follow a redirect', async () => {
    const elsewhere = await webhookReceiver();
    try {
      const redirecting = await webhookReceiver([302], { location: elsewhere.url });
      try {
        await subscribe(['run.finished'], redirecting.url);
        await recordRun('succeeded');
        await notifier().tick();
        const [d] = await w.plane.listDeliveries(w.a.admin, w.a.project.id);
        expect([d.status, d.lastStatus, d.lastError]).toEqual(['pending', 302, 'http.302']);
        expect(redirecting.requests).toHaveLength(1);
        expect(elsewhere.requests).toHaveLength(0);
      } finally {
        await redirecting.close();
      }
    } finally {
      await elsewhere.close();
    }
  });

  it('two notifiers on one store deliver each notification once', async () => {
    await subscribe(['run.finished']);
    for (let i = 0; i < 5; i++) await recordRun('succeeded');
    const [x, y] = [notifier(), notifier()];
    await Promise.all([x.tick(), y.tick(), x.tick(), y.tick()]);
    expect(hook.requests).toHaveLength(5);
    expect(new Set(hook.requests.map((r) => JSON.parse(r.body).data.runId)).size).toBe(5);
    const rows = await rawSql(w.store, 'SELECT "status", "attempts" FROM "notify_delivery"');
    expect(rows.map((r) => [r.status, Number(r.attempts)])).toEqual(Array(5).fill(['delivered', 1]));
  });

  it('checks the allowlist again at delivery, and a removed subscription is not delivered', async () => {
    await subscribe(['run.finished']);
    const { subscription: gone } = await subscribe(['run.finished']);
    await w.plane.removeSubscription(w.a.admin, w.a.project.id, gone.id);
    await recordRun('succeeded');
    // The operator has since dropped the host from the allowlist.
    await notifier({ policy: { ...policy, webhookHosts: ['hooks.example.org'] } }).tick();
    expect(hook.requests).toHaveLength(0);
    const log = await w.plane.listDeliveries(w.a.admin, w.a.project.id);
    expect(log.map((d) => [d.status, d.lastError])).toEqual([['pending', 'notify.host_not_allowed']]);
  });

  it('emails through the SMTP server, with the facts and a link, and no secret or host', async () => {
    const smtp: SmtpReceiver = await smtpReceiver();
    try {
      await w.plane.createSubscription(w.a.admin, w.a.project.id, { name: 'clinical safety', channel: 'email', target: 'cso@trust.nhs.uk', events: ['gate.failed'] }, { policy });
      await recordRun('failed_gate');
      const mailer = createMailer({ smtpUrl: smtp.url, from: 'ferry@trust.nhs.uk', timeoutMs: 5_000 });
      await notifier({ mailer, publicUrl: 'https://ferry.trust.nhs.uk/' }).tick();
      const [mail] = await smtp.waitFor(1);
      expect(mail.to).toEqual(['cso@trust.nhs.uk']);
      expect(mail.from).toBe('ferry@trust.nhs.uk');
      expect(mail.subject).toBe(`[Ferry] quality gate failed run-1 (project ${w.a.project.id})`);
      expect(mail.text).toContain('event type: gate.failed');
      expect(mail.text).toContain(`project id: ${w.a.project.id}`);
      expect(mail.text).toContain(`contractDigest: ${digest}`);
      expect(mail.text).toContain('gateDecision: fail');
      expect(mail.text).toContain(`Open: https://ferry.trust.nhs.uk/#/p/${w.a.project.id}/runs/run-1`);
      expect(mail.raw).not.toContain(smtp.url);
      const [d] = await w.plane.listDeliveries(w.a.admin, w.a.project.id);
      expect([d.status, d.attempts, d.lastStatus]).toEqual(['delivered', 1, 250]);
    } finally {
      await smtp.close();
    }
  });
});
