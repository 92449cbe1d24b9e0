/**
 * The sync watcher: for each subscription to `sync.lag` or `cutover.done`, reads the syncs of
 * its project's contract versions in the project's tier targets (as GET …/syncs does) and
 * records a notification when a sync's lag crosses the subscription's threshold (once per
 * crossing: it must fall back below before it is notified again) or when a sync has cut over.
 * The crossing state is stored per (subscription, sync), so a restart does not repeat one.
 * Sync commands record `sync:cutover` without a project, so cutovers are found here; one
 * that does carry its project is keyed the same and delivered once.
 */
import type { ConnectionHost } from '../control/connections.js';
import { enqueueDelivery, projectSyncScope, readSyncState, subscriptionsNaming, writeSyncState } from '../control/notify-outbox.js';
import type { ControlPlane } from '../control/plane.js';
import { FerryError } from '../errors.js';
import type { Store } from '../store/db.js';
import type { NotifySubscriptionRow } from '../store/schema.js';
import { syncStatus, type SyncStatus } from '../sync/sync-status.js';
import { noticeBody, type Notice } from './kinds.js';

export interface SyncWatchOptions {
  store: Store;
  plane: ControlPlane;
  host: ConnectionHost;
  now: () => string;
  onError: (code: string) => void;
}

/** One pass over every watched subscription. */
export async function watchSyncs(o: SyncWatchOptions): Promise<void> {
  const subs = await subscriptionsNaming(o.store.db, ['sync.lag', 'cutover.done']);
  // One read per target connection and pass, however many subscriptions share it.
  const byTarget = new Map<string, Promise<SyncStatus[]>>();
  for (const sub of subs) {
    const scope = await projectSyncScope(o.store.db, sub.org_id, sub.project_id);
    for (const { tier, connection } of scope.tiers) {
      const key = `${sub.org_id}/${sub.project_id}/${tier}/${connection}`;
      if (!byTarget.has(key)) byTarget.set(key, readSyncs(o, sub, tier, connection));
      const syncs = (await byTarget.get(key)!).filter((s) => scope.digests.has(s.contractDigest));
      for (const s of syncs) await observe(o, sub, tier, s);
    }
  }
}

async function readSyncs(o: SyncWatchOptions, sub: NotifySubscriptionRow, tier: NonNullable<Parameters<ControlPlane['connectionUrl']>[1]['tier']>, connection: string): Promise<SyncStatus[]> {
  // The server acting for the subscription's org: the connection must be one registered for
  // this project and tier, confined exactly as when a user opens it.
  const actor = { userId: 'system:notify', orgId: sub.org_id, grants: [] };
  try {
    const url = await o.plane.connectionUrl(actor, { projectId: sub.project_id, name: connection, use: 'target', tier }, o.host);
    return await syncStatus(url);
  } catch (err) {
    // A target that holds no syncs (CSV, NDJSON), or cannot be reached now: nothing to notify this pass.
    if (!(err instanceof FerryError && err.code === 'sync.target_unsupported')) o.onError(err instanceof FerryError ? err.code : 'sync_watch.target');
    return [];
  }
}

async function observe(o: SyncWatchOptions, sub: NotifySubscriptionRow, tier: string, s: SyncStatus): Promise<void> {
  const events = JSON.parse(sub.events) as string[];
  const now = o.now();
  const notice = (kind: Notice['kind'], key: string, data: Notice['data']): Notice => ({ kind, key, time: now, orgId: sub.org_id, projectId: sub.project_id, auditSeq: null, auditType: null, data });
  await o.store.writeTransaction(async (trx) => {
    const enqueue = (n: Notice) => enqueueDelivery(trx, { subscription: sub, key: n.key, eventType: n.kind, auditSeq: null, payload: (id) => JSON.stringify(noticeBody(id, n)), now });
    if (events.includes('cutover.done') && s.state === 'cut_over' && s.cutover && s.updatedAt >= sub.created_at) {
      await enqueue(notice('cutover.done', `cutover.done:${s.syncId}`, { syncId: s.syncId, tier, matched: true, contractDigest: s.contractDigest }));
    }
    if (events.includes('sync.lag') && sub.lag_seconds !== null) {
      const state = await readSyncState(trx, sub.org_id, sub.id, s.syncId);
      const lagging = s.lag.seconds !== null && s.lag.seconds >= Number(sub.lag_seconds);
      if (lagging && !state.lagging) {
        const crossings = state.crossings + 1;
        await enqueue(
          notice('sync.lag', `sync.lag:${s.syncId}:${crossings}`, {
            syncId: s.syncId,
            tier,
            contractDigest: s.contractDigest,
            lagSeconds: s.lag.seconds,
            lagBytes: s.lag.bytes,
            pendingTransactions: s.lag.pendingTransactions,
            thresholdSeconds: Number(sub.lag_seconds),
          }),
        );
        await writeSyncState(trx, sub.org_id, sub.id, s.syncId, { lagging: true, crossings }, now);
      } else if (!lagging && state.lagging) {
        await writeSyncState(trx, sub.org_id, sub.id, s.syncId, { lagging: false, crossings: state.crossings }, now);
      }
    }
  });
}
