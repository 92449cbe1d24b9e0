/**
 * A project's settings (project.settings: org_admin, integration_lead): its notification
 * subscriptions, their delivery log and its backup policy. Webhook URLs and email addresses
 * are checked against the operator's policy (`ferry serve --notify-webhook-host`,
 * `--smtp-url`, `--notify-mail-domain`); a webhook's signing secret is in the creation
 * response only. Another org's project answers 404 like a project that does not exist.
 */
import { z } from 'zod';
import { EVENT_KINDS, UNSUPPORTED_KINDS } from '../../control/notify-kinds.js';
import type { NotifyHost } from '../../control/notifications.js';
import type { ServerDeps } from '../context.js';
import { defineRoute } from '../context.js';
import { idParam, okSchema } from '../schemas.js';
import { backupPolicySchema, deliverySchema, newSubscriptionSchema, projectSettingsSchema } from '../settings-schemas.js';

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
      body: z.object({
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
      body: z.object({ required: z.boolean(), keepLast: z.number().int().nullable().optional(), keepDays: z.number().int().nullable().optional() }),
      response: backupPolicySchema,
      handler: async ({ auth, params, body }) => plane.setBackupPolicy(auth, params.projectId, body),
    }),
  ];
}
