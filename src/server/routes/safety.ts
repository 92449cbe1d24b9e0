/**
 * Clinical safety routes: the project's DCB0129 hazard log (read by every role; submitted by
 * clinical_safety_officer and integration_lead) and the hazard issues runs raise against it.
 * Another org's project answers 404 like a project that does not exist.
 */
import { z } from 'zod';
import type { ServerDeps } from '../context.js';
import { defineRoute } from '../context.js';
import { hazardIssueSchema, hazardLogSchema, hazardLogVersionSchema, submittedHazardLogSchema } from '../safety-schemas.js';
import { idParam } from '../schemas.js';

const projectParams = z.object({ projectId: idParam });

/** Hazard log and hazard issue routes. */
export function safetyRoutes(deps: ServerDeps) {
  const { plane } = deps;
  return [
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/hazards',
      operationId: 'getHazardLog',
      summary: "The project's hazard log (the current version, or ?version=N) with initial and residual DCB0129 risk ratings and open issue counts",
      tag: 'safety',
      access: 'authenticated',
      permission: 'safety.read',
      scope: 'project',
      params: projectParams,
      query: z.object({ version: z.coerce.number().int().min(1).optional() }),
      response: hazardLogSchema,
      handler: async ({ auth, params, query }) => plane.getHazardLog(auth, params.projectId, query.version),
    }),
    defineRoute({
      method: 'PUT',
      path: '/projects/{projectId}/hazards',
      operationId: 'submitHazardLog',
      summary: 'Store a hazard log (YAML text, format ferry.hazards/v1) as a new version; problems come back as issues with line and column. Audited',
      tag: 'safety',
      access: 'authenticated',
      permission: 'safety.manage',
      scope: 'project',
      params: projectParams,
      body: z.object({ text: z.string().max(1_000_000), comment: z.string().max(10_000).optional() }),
      response: submittedHazardLogSchema,
      handler: async ({ auth, params, body }) => plane.submitHazardLog(auth, params.projectId, body),
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/hazards/versions',
      operationId: 'listHazardLogVersions',
      summary: "Every version of the project's hazard log, newest first",
      tag: 'safety',
      access: 'authenticated',
      permission: 'safety.read',
      scope: 'project',
      params: projectParams,
      response: z.array(hazardLogVersionSchema),
      handler: async ({ auth, params }) => plane.listHazardLogVersions(auth, params.projectId),
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/hazard-issues',
      operationId: 'listHazardIssues',
      summary: "The project's hazard issues, open first: the signal, the hazard naming it (or none), occurrences, the runs that raised it",
      tag: 'safety',
      access: 'authenticated',
      permission: 'safety.read',
      scope: 'project',
      params: projectParams,
      query: z.object({ status: z.enum(['open', 'resolved', 'accepted']).optional(), hazardId: z.string().max(20).optional().describe('a hazard id, or unassigned') }),
      response: z.array(hazardIssueSchema),
      handler: async ({ auth, params, query }) => plane.listHazardIssues(auth, params.projectId, query),
    }),
    defineRoute({
      method: 'POST',
      path: '/projects/{projectId}/hazard-issues/{issueId}/resolve',
      operationId: 'resolveHazardIssue',
      summary: 'Resolve a hazard issue (fixed) or accept its risk, with a comment. A resolved issue re-opens when its signal fires again; an accepted one stays accepted. Audited',
      tag: 'safety',
      access: 'authenticated',
      permission: 'safety.manage',
      scope: 'project',
      params: projectParams.extend({ issueId: idParam }),
      body: z.object({ status: z.enum(['resolved', 'accepted']), comment: z.string().max(10_000) }),
      response: hazardIssueSchema,
      handler: async ({ auth, params, body }) => plane.resolveHazardIssue(auth, params.projectId, params.issueId, body),
    }),
  ];
}
