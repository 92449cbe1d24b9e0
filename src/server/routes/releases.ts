/** Release gates: status per tier, tier configuration, approvals and promotion. */
import { z } from 'zod';
import { APPROVE_PERMISSION } from '../../control/release-policy.js';
import { FerryError } from '../../errors.js';
import type { ServerDeps } from '../context.js';
import { defineRoute } from '../context.js';
import { digestSchema, idParam, promotionSchema, releaseApprovalSchema, releaseStatusSchema, roleSchema, tierConfigSchema, tierSchema } from '../schemas.js';

const projectParams = z.object({ projectId: idParam });
const tierParams = z.object({ projectId: idParam, tier: tierSchema });

/** Release routes. */
export function releaseRoutes({ plane }: ServerDeps) {
  return [
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/release',
      operationId: 'releaseStatus',
      summary: 'Each tier with its digest, approvals given, conditions still missing and last run',
      tag: 'releases',
      access: 'authenticated',
      permission: 'release.read',
      scope: 'project',
      params: projectParams,
      response: releaseStatusSchema,
      handler: async ({ auth, params }) => {
        return plane.releaseStatus(auth, params.projectId);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/release/tiers',
      operationId: 'listTierConfigs',
      summary: "Each tier's target connection (its name) and approval policy, with who last changed the policy",
      tag: 'releases',
      access: 'authenticated',
      permission: 'release.read',
      scope: 'project',
      params: projectParams,
      response: z.array(tierConfigSchema),
      handler: async ({ auth, params }) => {
        return plane.getTierConfigs(auth, params.projectId);
      },
    }),
    defineRoute({
      method: 'PUT',
      path: '/projects/{projectId}/release/tiers/{tier}',
      operationId: 'configureTier',
      summary:
        "Set a tier's target — the name of a connection the operator registered for this org, project and tier (GET …/connections lists them); never a URL, path or secret reference — and its approval policy. Audited with before and after. Production always needs at least one approver and never counts the contract's author",
      tag: 'releases',
      access: 'authenticated',
      permission: 'release.configure',
      scope: 'project',
      params: tierParams,
      body: z.strictObject({
        connection: z.string().max(200).nullable().optional().describe('a registered connection name, or null to clear the target'),
        policy: z
          .object({
            requiredRoles: z.array(roleSchema).optional(),
            minApprovers: z.number().int().min(0).max(20).optional(),
            excludeAuthor: z.boolean().optional(),
            requireReview: z.boolean().optional().describe('require a completed clinician sampling review with no open discrepancy'),
          })
          .optional(),
      }),
      response: tierConfigSchema,
      handler: async ({ auth, params, body }) => {
        return plane.configureTier(auth, params.projectId, params.tier, body);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/projects/{projectId}/release/tiers/{tier}/approvals',
      operationId: 'approveRelease',
      summary: 'Approve a digest for staging or production (counts for the approver’s policy role; never the contract’s author)',
      tag: 'releases',
      access: 'authenticated',
      authorizeIn: 'handler',
      permission: 'release.approve_{tier}',
      scope: 'project',
      params: tierParams,
      body: z.object({ digest: digestSchema, comment: z.string().max(10_000).default('') }),
      status: 201,
      response: releaseApprovalSchema,
      handler: async ({ auth, params, body }) => {
        const permission = APPROVE_PERMISSION[params.tier];
        if (!permission) throw new FerryError('usage', 'release.no_approvals', `${params.tier} takes no release approvals; approve the contract version instead`);
        await plane.authorize(auth, permission, { projectId: params.projectId });
        return plane.approveRelease(auth, params.projectId, body.digest, params.tier, body.comment);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/projects/{projectId}/release/tiers/{tier}/promote',
      operationId: 'promote',
      summary: 'Promote a digest into staging or production; 409 release.gate_refused lists the missing conditions',
      tag: 'releases',
      access: 'authenticated',
      permission: 'release.promote',
      scope: 'project',
      params: tierParams,
      body: z.object({ digest: digestSchema }),
      response: promotionSchema,
      handler: async ({ auth, params, body }) => {
        return plane.promote(auth, params.projectId, body.digest, params.tier);
      },
    }),
  ];
}
