/**
 * Response schemas of the project settings routes (routes/settings.ts): the OpenAPI document
 * and the web UI's types are derived from them. Kept apart from the routes so the UI's type
 * imports reach no server code.
 */
import { z } from 'zod';
import { EVENT_KINDS } from '../control/notify-kinds.js';

export const eventKindSchema = z.enum(EVENT_KINDS);

export const subscriptionSchema = z
  .object({
    id: z.string(),
    projectId: z.string(),
    name: z.string(),
    channel: z.enum(['webhook', 'email']),
    target: z.string().describe('the webhook URL or the email address'),
    events: z.array(eventKindSchema),
    lagSeconds: z.number().nullable().describe('with sync.lag: the lag in seconds above which a sync is notified (once per crossing)'),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'Subscription' });

export const newSubscriptionSchema = z
  .object({
    subscription: subscriptionSchema,
    secret: z.string().nullable().describe("the webhook's signing secret (HMAC-SHA256 key of the Ferry-Signature header): shown here once, never again; null for email"),
  })
  .meta({ id: 'NewSubscription' });

export const deliverySchema = z
  .object({
    id: z.string().describe('the Ferry-Event-Id of the notification'),
    subscriptionId: z.string(),
    eventType: z.string(),
    eventKey: z.string(),
    auditSeq: z.number().nullable(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number(),
    nextAttemptAt: z.string().nullable(),
    lastAttemptAt: z.string().nullable(),
    lastStatus: z.number().nullable().describe('HTTP status of the last webhook attempt, or the SMTP reply code'),
    lastError: z.string().nullable().describe('stable code of the last failure: http.<status>, timeout, connect.<code>, smtp.<code>, notify.<rule>'),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Delivery' });

export const backupPolicySchema = z
  .object({
    required: z.boolean().describe('a run or a sync snapshot may not write into a target without a backup'),
    keepLast: z.number().nullable().describe('keep at most this many backups (null: no count limit)'),
    keepDays: z.number().nullable().describe('remove backups older than this many days (null: no age limit)'),
    updatedBy: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'BackupPolicy' });

export const projectSettingsSchema = z
  .object({
    subscriptions: z.array(subscriptionSchema),
    backupPolicy: backupPolicySchema,
    events: z.array(eventKindSchema).describe('event kinds a subscription may name'),
    unsupportedEvents: z.array(z.object({ event: z.string(), reason: z.string() })).describe('event kinds not notified yet, and why'),
    channels: z.object({ webhook: z.boolean(), email: z.boolean() }).describe('what the operator configured on this server'),
  })
  .meta({ id: 'ProjectSettings' });
