/**
 * The notification outbox, for the server's notifier (src/notify/): the cursor over the audit
 * chain, one delivery row per (subscription, event key) — unique, so two servers or a restart
 * insert it once — claimed by a lease before it is sent and updated with every attempt, so
 * retries survive a restart. These are system operations without an actor: each reads or
 * writes one org's rows through its scope, except the single reviewed cross-org query that
 * finds deliveries due in any org.
 */
import type { AuditLog } from '../audit/log.js';
import type { Store, StoreDb } from '../store/db.js';
import type { NotifyDeliveryRow, NotifySubscriptionRow } from '../store/schema.js';
import type { Tier } from '../contract/model.js';
import { acrossOrgs, orgScope } from './org-scope.js';
import { newId } from './secrets.js';

/** The last audit seq matched to subscriptions. */
export async function readCursor(db: StoreDb): Promise<number> {
  const row = await db.selectFrom('notify_cursor').select('seq').where('id', '=', 1).executeTakeFirst();
  return row ? Number(row.seq) : 0;
}

/**
 * Moves the cursor from `from` to `to`; false when another notifier moved it first (its
 * deliveries are the same rows, so nothing is lost or doubled).
 */
export async function advanceCursor(trx: StoreDb, from: number, to: number): Promise<boolean> {
  const r = await trx.updateTable('notify_cursor').set({ seq: to }).where('id', '=', 1).where('seq', '=', from).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Live subscriptions of a project (with their secrets: for delivery only). */
export function projectSubscriptions(db: StoreDb, orgId: string, projectId: string): Promise<NotifySubscriptionRow[]> {
  return orgScope(db, orgId).select('notify_subscription').selectAll().where('project_id', '=', projectId).where('removed_at', 'is', null).execute();
}

/** Live subscriptions naming any of `kinds`, org by org (the sync watcher's work list). */
export async function subscriptionsNaming(db: StoreDb, kinds: readonly string[]): Promise<NotifySubscriptionRow[]> {
  const out: NotifySubscriptionRow[] = [];
  for (const org of await db.selectFrom('org').select('id').execute()) {
    const rows = await orgScope(db, org.id).select('notify_subscription').selectAll().where('removed_at', 'is', null).execute();
    out.push(...rows.filter((r) => (JSON.parse(r.events) as string[]).some((k) => kinds.includes(k))));
  }
  return out;
}

export interface Enqueue {
  subscription: NotifySubscriptionRow;
  key: string;
  eventType: string;
  auditSeq: number | null;
  /** The notification body (ids, digests, counts and codes only), built with the delivery id. */
  payload: (deliveryId: string) => string;
  now: string;
}

/** Inserts a pending delivery unless the subscription already has one with this key; true when inserted. */
export async function enqueueDelivery(trx: StoreDb, e: Enqueue): Promise<boolean> {
  const id = newId('evt');
  const r = await orgScope(trx, e.subscription.org_id)
    .insert('notify_delivery', {
      id,
      project_id: e.subscription.project_id,
      subscription_id: e.subscription.id,
      event_key: e.key,
      event_type: e.eventType,
      audit_seq: e.auditSeq,
      payload: e.payload(id),
      status: 'pending',
      attempts: 0,
      next_attempt_at: e.now,
      last_attempt_at: null,
      last_status: null,
      last_error: null,
      delivered_at: null,
      created_at: e.now,
    })
    .onConflict((oc) => oc.columns(['subscription_id', 'event_key']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Pending deliveries due by `now`, oldest first, in every org (the reviewed cross-org read). */
export function dueDeliveries(db: StoreDb, now: string, limit: number): Promise<NotifyDeliveryRow[]> {
  return acrossOrgs(db).select('notify_delivery').selectAll().where('status', '=', 'pending').where('next_attempt_at', '<=', now).orderBy('next_attempt_at').limit(limit).execute();
}

/** The subscription a delivery belongs to (removed ones included). */
export function subscriptionOf(db: StoreDb, d: NotifyDeliveryRow): Promise<NotifySubscriptionRow | undefined> {
  return orgScope(db, d.org_id).select('notify_subscription').selectAll().where('id', '=', d.subscription_id).executeTakeFirst();
}

/**
 * Takes a due delivery for one attempt by pushing its next attempt to `leaseUntil`; false when
 * another notifier took it first. A notifier that dies mid-attempt leaves it due again then.
 */
export async function claimDelivery(store: Store, d: NotifyDeliveryRow, leaseUntil: string): Promise<boolean> {
  return store.writeTransaction(async (trx) => {
    const r = await orgScope(trx, d.org_id)
      .update('notify_delivery')
      .set({ next_attempt_at: leaseUntil })
      .where('id', '=', d.id)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '=', d.next_attempt_at)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  });
}

export interface AttemptOutcome {
  at: string;
  ok: boolean;
  /** HTTP status or SMTP reply code, when there was one. */
  status: number | null;
  /** Stable error code when not ok. */
  error: string | null;
  /** When to try again; null gives up (the delivery becomes `failed`). */
  retryAt: string | null;
}

/** Records one attempt; a delivery given up is audited as `notify:gave_up` in the same transaction. */
export async function recordAttempt(store: Store, audit: AuditLog, d: NotifyDeliveryRow, o: AttemptOutcome): Promise<void> {
  await store.writeTransaction(async (trx) => {
    const attempts = Number(d.attempts) + 1;
    const status = o.ok ? 'delivered' : o.retryAt === null ? 'failed' : 'pending';
    await orgScope(trx, d.org_id)
      .update('notify_delivery')
      .set({
        status,
        attempts,
        last_attempt_at: o.at,
        last_status: o.status,
        last_error: o.ok ? null : o.error,
        delivered_at: o.ok ? o.at : null,
        next_attempt_at: status === 'pending' ? o.retryAt : null,
      })
      .where('id', '=', d.id)
      .execute();
    if (status === 'failed') {
      await audit.appendIn(trx, {
        type: 'notify:gave_up',
        actor: 'system:notify',
        orgId: d.org_id,
        projectId: d.project_id,
        payload: { subscriptionId: d.subscription_id, deliveryId: d.id, eventType: d.event_type, attempts, code: o.error ?? 'unknown' },
      });
    }
  });
}

/** Whether a sync was above its subscription's threshold when last seen, and how often it crossed. */
export async function readSyncState(db: StoreDb, orgId: string, subscriptionId: string, syncId: string): Promise<{ lagging: boolean; crossings: number }> {
  const r = await orgScope(db, orgId).select('notify_sync_state').select(['lagging', 'crossings']).where('subscription_id', '=', subscriptionId).where('sync_id', '=', syncId).executeTakeFirst();
  return r ? { lagging: Number(r.lagging) === 1, crossings: Number(r.crossings) } : { lagging: false, crossings: 0 };
}

/** Stores a sync's lag state for a subscription. */
export async function writeSyncState(trx: StoreDb, orgId: string, subscriptionId: string, syncId: string, s: { lagging: boolean; crossings: number }, now: string): Promise<void> {
  await orgScope(trx, orgId)
    .insert('notify_sync_state', { subscription_id: subscriptionId, sync_id: syncId, lagging: s.lagging ? 1 : 0, crossings: s.crossings, updated_at: now })
    .onConflict((oc) => oc.columns(['subscription_id', 'sync_id']).doUpdateSet({ lagging: s.lagging ? 1 : 0, crossings: s.crossings, updated_at: now }))
    .execute();
}

/** The connection names a project's tiers write to, and the digests of its contract versions (for the sync watcher). */
export async function projectSyncScope(db: StoreDb, orgId: string, projectId: string): Promise<{ tiers: Array<{ tier: Tier; connection: string }>; digests: Set<string> }> {
  const tenant = orgScope(db, orgId);
  const tiers = await tenant.select('release_tier').select(['tier', 'target_connection']).where('project_id', '=', projectId).execute();
  const versions = await tenant.select('contract_version').select('digest').where('project_id', '=', projectId).execute();
  return {
    tiers: tiers.filter((t) => t.target_connection !== null).map((t) => ({ tier: t.tier as Tier, connection: t.target_connection! })),
    digests: new Set(versions.map((v) => v.digest)),
  };
}
