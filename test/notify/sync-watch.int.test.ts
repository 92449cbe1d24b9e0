/**
 * The sync watcher against a real tier target holding sync records: a cutover is notified
 * once; a sync's lag is notified when it crosses the subscription's threshold, not again while
 * it stays above, and again after it fell back below and crossed once more; syncs of another
 * project's contract sharing the target are never notified; nothing of the source's address
 * reaches a notification.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Notifier } from '../../src/notify/notifier.js';
import { beat, SECRET_PROGRESS, SECRET_SOURCE, writeSyncs } from '../helpers/sync-records.js';
import { startScenario, uniqueProbe, type Scenario } from '../server/scenario.js';
import { webhookReceiver, type WebhookReceiver } from './receivers.js';

let s: Scenario;
let hook: WebhookReceiver;
let target: string;

beforeAll(async () => {
  s = await startScenario('sqlite');
  hook = await webhookReceiver();
  target = `sqlite:${s.preTarget}`;
}, 120_000);
afterAll(async () => {
  await s?.close();
  await hook?.close();
});

describe('sync watcher', () => {
  it('notifies cutovers once and lag once per crossing, for the project’s own syncs only', async () => {
    const { plane } = s.world;
    const A = s.world.a;
    const policy = { webhookHosts: ['http://127.0.0.1'], mailDomains: [], smtp: false };
    await plane.createSubscription(A.as.integration_lead, s.projectId, { name: 'syncs', channel: 'webhook', target: hook.url, events: ['sync.lag', 'cutover.done'], lagSeconds: 30 }, { policy });
    // Another project of the org shares the target connection `pre`: its sync is none of this subscription's business.
    const other = await plane.createProject(A.admin, A.workspace.id, { name: 'community' });
    const foreign = (await plane.submitVersion(A.as.migration_analyst, other.id, await uniqueProbe('other'))).version;
    const now = new Date().toISOString();
    await writeSyncs(target, [
      { syncId: 'sync-live-1', contractDigest: s.v1.digest, kind: 'streaming', startedAt: now },
      { syncId: 'sync-done-1', contractDigest: s.v1.digest, kind: 'cut_over', startedAt: now },
      { syncId: 'sync-foreign-1', contractDigest: foreign.digest, kind: 'streaming', startedAt: now },
      { syncId: 'sync-foreign-2', contractDigest: foreign.digest, kind: 'cut_over', startedAt: now },
    ]);
    await beat(target, 'sync-foreign-1', 500);
    const problems: string[] = [];
    const n = new Notifier({ store: s.world.store, audit: plane.audit, policy, plane, connectionHost: { env: s.env, dataDir: s.dataDir }, syncPollMs: 0, onError: (c) => problems.push(c) });
    const bodies = () => hook.requests.map((r) => JSON.parse(r.body));

    await n.tick();
    expect(bodies().map((b) => [b.type, b.data.syncId])).toEqual([['cutover.done', 'sync-done-1']]);
    expect(bodies()[0]).toMatchObject({ projectId: s.projectId, auditSeq: null, data: { syncId: 'sync-done-1', tier: 'pre_production', matched: true, contractDigest: s.v1.digest } });

    await beat(target, 'sync-live-1', 45);
    await n.tick();
    await beat(target, 'sync-live-1', 60);
    await n.tick();
    expect(bodies().map((b) => [b.type, b.data.syncId, b.data.lagSeconds])).toEqual([
      ['cutover.done', 'sync-done-1', undefined],
      ['sync.lag', 'sync-live-1', 45],
    ]);
    expect(bodies()[1].data).toEqual({ syncId: 'sync-live-1', tier: 'pre_production', contractDigest: s.v1.digest, lagSeconds: 45, lagBytes: 2232, pendingTransactions: 3, thresholdSeconds: 30 });

    // Back below the threshold, then above again: a second crossing.
    await beat(target, 'sync-live-1', 2);
    await n.tick();
    await beat(target, 'sync-live-1', 31);
    // A restarted notifier keeps the crossing state: it is in the store.
    const restarted = new Notifier({ store: s.world.store, audit: plane.audit, policy, plane, connectionHost: { env: s.env, dataDir: s.dataDir }, syncPollMs: 0 });
    await restarted.tick();
    await restarted.tick();
    expect(bodies().map((b) => [b.type, b.data.syncId, b.data.lagSeconds ?? null])).toEqual([
      ['cutover.done', 'sync-done-1', null],
      ['sync.lag', 'sync-live-1', 45],
      ['sync.lag', 'sync-live-1', 31],
    ]);
    for (const r of hook.requests) {
      expect(r.body).not.toContain(SECRET_SOURCE);
      expect(r.body).not.toContain(SECRET_PROGRESS);
    }
    expect(problems).toEqual([]);
  });
});
