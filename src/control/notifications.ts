/**
 * A project's settings: its notification subscriptions, their delivery log, and its backup
 * policy (project.settings). A webhook subscription gets a signing secret generated here,
 * returned once at creation and never again; it stays in the store because the server must
 * sign with it, and it never reaches the audit trail, a log or a listing. Subscriptions are
 * removed softly, so the delivery log keeps naming them.
 */
import { z } from 'zod';
import { FerryError } from '../errors.js';
import type { StoreDb } from '../store/db.js';
import type { BackupPolicyRow, NotifyDeliveryRow, NotifySubscriptionRow } from '../store/schema.js';
import { requirePermission } from './authorize.js';
import { guarded, notFound, nowIso, type Ctx } from './context.js';
import { nameSchema, parseInput } from './inputs.js';
import { orgScope } from './org-scope.js';
import type { Actor } from './plane.js';
import { newId, newSecret } from './secrets.js';
import { EVENT_KINDS, UNSUPPORTED_KINDS, type EventKind } from './notify-kinds.js';
import { parseWebhookUrl, systemResolver, vetEmail, vetWebhook, type NotifyPolicy, type Resolver } from './webhook-guard.js';

export { EVENT_KINDS, UNSUPPORTED_KINDS, type EventKind } from './notify-kinds.js';

export type NotifyChannel = 'webhook' | 'email';

/** A subscription as project.settings holders see it: never its signing secret. */
export interface Subscription {
  id: string;
  projectId: string;
  name: string;
  channel: NotifyChannel;
  /** The webhook URL or the email address. */
  target: string;
  events: EventKind[];
  /** The sync lag threshold for `sync.lag`, in seconds. */
  lagSeconds: number | null;
  createdBy: string;
  createdAt: string;
}

export interface SubscriptionInput {
  name: string;
  channel: NotifyChannel;
  target: string;
  events: string[];
  lagSeconds?: number | null;
}

/** A new subscription; `secret` (webhooks) is shown once and never returned again. */
export interface NewSubscription {
  subscription: Subscription;
  secret: string | null;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One notification of a subscription and what happened to it. */
export interface Delivery {
  id: string;
  subscriptionId: string;
  eventType: string;
  eventKey: string;
  auditSeq: number | null;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  /** HTTP status of the last webhook attempt, or the SMTP reply code. */
  lastStatus: number | null;
  /** Stable code of the last failure (e.g. `http.500`, `timeout`, `notify.internal_address`). */
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

/** What a project requires of backups before a run writes (issue #21). */
export interface BackupPolicy {
  /** A run or a sync's snapshot may not write without a backup. */
  required: boolean;
  /** Keep at most this many backups per target (null: no count limit). */
  keepLast: number | null;
  /** Remove backups older than this many days (null: no age limit). */
  keepDays: number | null;
  updatedBy: string | null;
  updatedAt: string | null;
}

export type BackupPolicyInput = { required: boolean; keepLast?: number | null; keepDays?: number | null };

/** What the server knows of the operator's notification policy, and how it resolves hosts. */
export interface NotifyHost {
  policy: NotifyPolicy;
  resolve?: Resolver;
}

const MAX_SUBSCRIPTIONS = 50;

const subscriptionSchema = z.strictObject({
  name: nameSchema,
  channel: z.enum(['webhook', 'email']),
  target: z.string().min(1).max(2000),
  events: z.array(z.string().max(100)).min(1).max(EVENT_KINDS.length),
  lagSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .nullable()
    .optional(),
});

const backupPolicySchema = z.strictObject({
  required: z.boolean(),
  keepLast: z.number().int().min(1).max(10_000).nullable().optional(),
  keepDays: z.number().int().min(1).max(36_500).nullable().optional(),
});

function toSubscription(r: NotifySubscriptionRow): Subscription {
  return {
    id: r.id,
    projectId: r.project_id,
    name: r.name,
    channel: r.channel,
    target: r.target,
    events: JSON.parse(r.events) as EventKind[],
    lagSeconds: r.lag_seconds === null ? null : Number(r.lag_seconds),
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

/** A stored delivery row as the log shows it. */
export function toDelivery(r: NotifyDeliveryRow): Delivery {
  return {
    id: r.id,
    subscriptionId: r.subscription_id,
    eventType: r.event_type,
    eventKey: r.event_key,
    auditSeq: r.audit_seq === null ? null : Number(r.audit_seq),
    status: r.status,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    lastAttemptAt: r.last_attempt_at,
    lastStatus: r.last_status === null ? null : Number(r.last_status),
    lastError: r.last_error,
    deliveredAt: r.delivered_at,
    createdAt: r.created_at,
  };
}

function parseEvents(events: string[], lagSeconds: number | null): EventKind[] {
  const unique = [...new Set(events)];
  for (const e of unique) {
    if (Object.hasOwn(UNSUPPORTED_KINDS, e)) throw new FerryError('usage', 'notify.unsupported_event', `${e} cannot be subscribed to yet: ${UNSUPPORTED_KINDS[e]}`);
    if (!(EVENT_KINDS as readonly string[]).includes(e)) throw new FerryError('usage', 'notify.unknown_event', `events must be among ${EVENT_KINDS.join(', ')}`);
  }
  if (unique.includes('sync.lag') !== (lagSeconds !== null)) {
    throw new FerryError('usage', 'notify.lag_threshold', 'lagSeconds is required with the sync.lag event, and only with it: the lag in seconds above which a sync is notified');
  }
  return unique as EventKind[];
}

async function projectSettings(ctx: Ctx, db: StoreDb, actor: Actor, projectId: string): Promise<void> {
  await requirePermission(ctx, db, actor, 'project.settings', { projectId });
}

/** The project's live subscriptions, oldest first (project.settings). */
export function listSubscriptions(ctx: Ctx, actor: Actor, projectId: string): Promise<Subscription[]> {
  return guarded(ctx, actor, 'notify.list', async () => {
    await projectSettings(ctx, ctx.db, actor, projectId);
    const rows = await orgScope(ctx.db, actor.orgId).select('notify_subscription').selectAll().where('project_id', '=', projectId).where('removed_at', 'is', null).orderBy('created_at').execute();
    return rows.map(toSubscription);
  });
}

/**
 * Adds a subscription after checking its target against the operator's policy (webhook host
 * allowlist and resolved addresses, or mail domains). Audited without target or secret.
 */
export function createSubscription(ctx: Ctx, actor: Actor, projectId: string, input: SubscriptionInput, host: NotifyHost): Promise<NewSubscription> {
  return guarded(ctx, actor, 'notify.subscribe', async () => {
    await projectSettings(ctx, ctx.db, actor, projectId);
    const i = parseInput(subscriptionSchema, input, 'subscription');
    const lagSeconds = i.lagSeconds ?? null;
    const events = parseEvents(i.events, lagSeconds);
    let target: string;
    if (i.channel === 'webhook') {
      target = parseWebhookUrl(i.target).toString();
      await vetWebhook(target, host.policy, host.resolve ?? systemResolver);
    } else {
      target = vetEmail(i.target, host.policy);
    }
    const secret = i.channel === 'webhook' ? newSecret('whsec') : null;
    return ctx.store.writeTransaction(async (trx) => {
      const tenant = orgScope(trx, actor.orgId);
      const live = await tenant.select('notify_subscription').select('id').where('project_id', '=', projectId).where('removed_at', 'is', null).execute();
      if (live.length >= MAX_SUBSCRIPTIONS) throw new FerryError('conflict', 'notify.too_many', `a project holds at most ${MAX_SUBSCRIPTIONS} subscriptions; remove one first`);
      const id = newId('sub');
      // The event first: its seq is where the subscription starts hearing.
      const event = await ctx.audit.appendIn(trx, {
        type: 'notify:subscribed',
        actor: actor.userId,
        orgId: actor.orgId,
        projectId,
        payload: { subscriptionId: id, channel: i.channel, events, lagSeconds },
      });
      const row: NotifySubscriptionRow = {
        id,
        org_id: actor.orgId,
        project_id: projectId,
        name: i.name,
        channel: i.channel,
        target,
        events: JSON.stringify(events),
        secret,
        lag_seconds: lagSeconds,
        since_seq: event.seq,
        created_by: actor.userId,
        created_at: nowIso(ctx),
        removed_by: null,
        removed_at: null,
      };
      await tenant.insert('notify_subscription', row).execute();
      return { subscription: toSubscription(row), secret };
    });
  });
}

/** Removes a subscription; its pending deliveries are dropped from the outbox, the log stays. */
export function removeSubscription(ctx: Ctx, actor: Actor, projectId: string, subscriptionId: string): Promise<void> {
  return guarded(ctx, actor, 'notify.unsubscribe', () =>
    ctx.store.writeTransaction(async (trx) => {
      await projectSettings(ctx, trx, actor, projectId);
      const tenant = orgScope(trx, actor.orgId);
      const row = await tenant.select('notify_subscription').select('id').where('id', '=', subscriptionId).where('project_id', '=', projectId).where('removed_at', 'is', null).executeTakeFirst();
      if (!row) throw notFound('subscription', subscriptionId);
      const now = nowIso(ctx);
      await tenant.update('notify_subscription').set({ removed_by: actor.userId, removed_at: now }).where('id', '=', row.id).execute();
      await tenant
        .update('notify_delivery')
        .set({ status: 'failed', last_error: 'subscription_removed', next_attempt_at: null })
        .where('subscription_id', '=', row.id)
        .where('status', '=', 'pending')
        .execute();
      await ctx.audit.appendIn(trx, { type: 'notify:unsubscribed', actor: actor.userId, orgId: actor.orgId, projectId, payload: { subscriptionId: row.id } });
    }),
  );
}

/** The project's delivery log, newest first (project.settings). */
export function listDeliveries(ctx: Ctx, actor: Actor, projectId: string, filter: { subscriptionId?: string; limit?: number } = {}): Promise<Delivery[]> {
  return guarded(ctx, actor, 'notify.deliveries', async () => {
    await projectSettings(ctx, ctx.db, actor, projectId);
    let q = orgScope(ctx.db, actor.orgId).select('notify_delivery').selectAll().where('project_id', '=', projectId);
    if (filter.subscriptionId !== undefined) q = q.where('subscription_id', '=', filter.subscriptionId);
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(Math.min(filter.limit ?? 100, 1000))
      .execute();
    return rows.map(toDelivery);
  });
}

function toPolicy(r: BackupPolicyRow | undefined): BackupPolicy {
  if (!r) return { required: false, keepLast: null, keepDays: null, updatedBy: null, updatedAt: null };
  return {
    required: Number(r.required) === 1,
    keepLast: r.keep_last === null ? null : Number(r.keep_last),
    keepDays: r.keep_days === null ? null : Number(r.keep_days),
    updatedBy: r.updated_by,
    updatedAt: r.updated_at,
  };
}

/** The project's backup policy; the default (no row) requires none and keeps everything. */
export async function readBackupPolicy(db: StoreDb, orgId: string, projectId: string): Promise<BackupPolicy> {
  return toPolicy(await orgScope(db, orgId).select('backup_policy').selectAll().where('project_id', '=', projectId).executeTakeFirst());
}

/** The project's backup policy (project.settings). */
export function getBackupPolicy(ctx: Ctx, actor: Actor, projectId: string): Promise<BackupPolicy> {
  return guarded(ctx, actor, 'settings.backup_policy.get', async () => {
    await projectSettings(ctx, ctx.db, actor, projectId);
    return readBackupPolicy(ctx.db, actor.orgId, projectId);
  });
}

/** Sets the project's backup policy (project.settings), audited. */
export function setBackupPolicy(ctx: Ctx, actor: Actor, projectId: string, input: BackupPolicyInput): Promise<BackupPolicy> {
  return guarded(ctx, actor, 'settings.backup_policy.set', () =>
    ctx.store.writeTransaction(async (trx) => {
      await projectSettings(ctx, trx, actor, projectId);
      const i = parseInput(backupPolicySchema, input, 'backupPolicy');
      const row = { project_id: projectId, required: i.required ? 1 : 0, keep_last: i.keepLast ?? null, keep_days: i.keepDays ?? null, updated_by: actor.userId, updated_at: nowIso(ctx) };
      const tenant = orgScope(trx, actor.orgId);
      await tenant
        .insert('backup_policy', row)
        .onConflict((oc) => oc.column('project_id').doUpdateSet({ required: row.required, keep_last: row.keep_last, keep_days: row.keep_days, updated_by: row.updated_by, updated_at: row.updated_at }))
        .execute();
      await ctx.audit.appendIn(trx, {
        type: 'settings:backup_policy',
        actor: actor.userId,
        orgId: actor.orgId,
        projectId,
        payload: { required: i.required, keepLast: row.keep_last, keepDays: row.keep_days },
      });
      return toPolicy({ ...row, org_id: actor.orgId });
    }),
  );
}
