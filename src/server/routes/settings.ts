/**
 * A project's settings (project.settings: org_admin, integration_lead): its notification
 * subscriptions, their delivery log and its backup policy. Webhook URLs and email addresses
 * are checked against the operator's policy (`ferry serve --notify-webhook-host`,
 * `--smtp-url`, `--notify-mail-domain`); a webhook's signing secret is in the creation
 * response only. Another org's project answers 404 like a project that does not exist.
 */
import { z } from 'zod';
import { EVENT_KINDS, UNSUPPORTED_KINDS } from '../../control/notifications.js';
import type { NotifyHost } from '../../control/notifications.js';
import type { ServerDeps } from '../context.js';
import { defineRoute } from '../context.js';
import { idParam, okSchema } from '../schemas.js';

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

const projectParams = z.object({ projectId: idParam });

/** The operator's policy as this server holds it (none: nothing may be subscribed). */
function notifyHost(deps: ServerDeps): NotifyHost {
  return deps.notify ?? { policy: { webhookHosts: [], mailDomains: [], smtp: false } };
}

/** Settings routes. */
export function settingsRoutes(deps: ServerDeps) {
  const { plane } = deps;
  return [
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/settings',
      operationId: 'getProjectSettings',
      summary: "The project's notification subscriptions (never their secrets), backup policy, the event kinds and the channels this server offers",
      tag: 'settings',
      access: 'authenticated',
      permission: 'project.settings',
      scope: 'project',
      params: projectParams,
      response: projectSettingsSchema,
      handler: async ({ auth, params }) => {
        const host = notifyHost(deps);
        return {
          subscriptions: await plane.listSubscriptions(auth, params.projectId),
          backupPolicy: await plane.getBackupPolicy(auth, params.projectId),
          events: [...EVENT_KINDS],
          unsupportedEvents: Object.entries(UNSUPPORTED_KINDS).map(([event, reason]) => ({ event, reason })),
          channels: { webhook: host.policy.webhookHosts.length > 0, email: host.policy.smtp },
        };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/projects/{projectId}/settings/subscriptions',
      operationId: 'createSubscription',
      summary:
        "Subscribe a webhook (https, a host the operator allows, resolving to no internal address unless the operator lists it exactly) or an email address (through the operator's SMTP, to allowed domains) to events. The webhook's signing secret is in this response only",
      tag: 'settings',
      access: 'authenticated',
      permission: 'project.settings',
      scope: 'project',
      params: projectParams,
      body: z.strictObject({
        name: z.string().max(200),
        channel: z.enum(['webhook', 'email']),
        target: z.string().max(2000).describe('the webhook URL or the email address'),
        events: z.array(z.string().max(100)).min(1).max(20),
        lagSeconds: z.number().int().nullable().optional(),
      }),
      response: newSubscriptionSchema,
      status: 201,
      handler: async ({ auth, params, body }) => plane.createSubscription(auth, params.projectId, body, notifyHost(deps)),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/projects/{projectId}/settings/subscriptions/{subscriptionId}',
      operationId: 'removeSubscription',
      summary: 'Remove a subscription; its pending notifications are not sent, its delivery log stays',
      tag: 'settings',
      access: 'authenticated',
      permission: 'project.settings',
      scope: 'project',
      params: projectParams.extend({ subscriptionId: idParam }),
      response: okSchema,
      handler: async ({ auth, params }) => {
        await plane.removeSubscription(auth, params.projectId, params.subscriptionId);
        return { ok: true as const };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/settings/deliveries',
      operationId: 'listDeliveries',
      summary: "The project's notifications, newest first: status, attempts, last HTTP or SMTP status and error code, next attempt",
      tag: 'settings',
      access: 'authenticated',
      permission: 'project.settings',
      scope: 'project',
      params: projectParams,
      query: z.object({ subscriptionId: idParam.optional(), limit: z.coerce.number().int().min(1).max(1000).optional() }),
      response: z.array(deliverySchema),
      handler: async ({ auth, params, query }) => plane.listDeliveries(auth, params.projectId, query),
    }),
    defineRoute({
      method: 'PUT',
      path: '/projects/{projectId}/settings/backup-policy',
      operationId: 'setBackupPolicy',
      summary: 'Set whether runs into this project’s targets require a backup first, and how many (keepLast) or how long (keepDays) backups are kept. Audited',
      tag: 'settings',
      access: 'authenticated',
      permission: 'project.settings',
      scope: 'project',
      params: projectParams,
      body: z.strictObject({ required: z.boolean(), keepLast: z.number().int().nullable().optional(), keepDays: z.number().int().nullable().optional() }),
      response: backupPolicySchema,
      handler: async ({ auth, params, body }) => plane.setBackupPolicy(auth, params.projectId, body),
    }),
  ];
}
