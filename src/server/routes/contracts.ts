/** Contract versions: upload (immutable once stored), list, get, field-level diff, approve. */
import { z } from 'zod';
import type { Actor } from '../../control/plane.js';
import { FerryError } from '../../errors.js';
import type { ServerDeps } from '../context.js';
import { defineRoute } from '../context.js';
import { diffSchema, idParam, versionCreatedSchema, versionSchema, versionSummarySchema } from '../schemas.js';
import { inProject } from './scope.js';

const projectParams = z.object({ projectId: idParam });
const versionParams = z.object({ projectId: idParam, versionId: idParam });

/** The version `versionId` of `projectId` (404 for any other project's, audit-logged). */
export async function projectVersion(deps: ServerDeps, actor: Actor, projectId: string, versionId: string, action: string) {
  await deps.plane.authorize(actor, 'contract.read', { projectId });
  return inProject(deps, actor, projectId, await deps.plane.getVersion(actor, versionId), 'contract_version', versionId, action);
}

/** Contract version routes. */
export function contractRoutes(deps: ServerDeps) {
  const { plane } = deps;
  return [
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/contract-versions',
      operationId: 'listVersions',
      summary: "A project's contract versions, newest first (highest number first)",
      tag: 'contracts',
      access: 'authenticated',
      permission: 'contract.read',
      scope: 'project',
      params: projectParams,
      response: z.array(versionSummarySchema),
      handler: async ({ auth, params }) => {
        return plane.listVersions(auth, params.projectId);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/projects/{projectId}/contract-versions',
      operationId: 'submitVersion',
      summary: 'Submit a contract (YAML and the crosswalk files it names) as a new immutable version; an identical digest returns the existing version',
      tag: 'contracts',
      access: 'authenticated',
      permission: 'contract.submit',
      scope: 'project',
      params: projectParams,
      body: z.object({
        yaml: z.string().min(1).max(20_000_000),
        crosswalks: z.record(z.string().min(1).max(500), z.string()).default({}).describe('crosswalk path as the contract names it → CSV text'),
        message: z.string().min(1).max(10_000),
      }),
      status: 201,
      response: versionCreatedSchema,
      handler: async ({ auth, params, body }) => {
        return plane.submitVersion(auth, params.projectId, body);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/contract-versions/{versionId}',
      operationId: 'getVersion',
      summary: 'One contract version with its exact YAML and crosswalk texts',
      tag: 'contracts',
      access: 'authenticated',
      permission: 'contract.read',
      scope: 'project',
      params: versionParams,
      response: versionSchema,
      handler: ({ auth, params }) => projectVersion(deps, auth, params.projectId, params.versionId, 'contract.get'),
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/contract-versions/{versionId}/diff',
      operationId: 'diffVersion',
      summary: 'Field-by-field diff to this version from `from` (default: the version before it)',
      tag: 'contracts',
      access: 'authenticated',
      permission: 'contract.read',
      scope: 'project',
      params: versionParams,
      query: z.object({ from: idParam.optional() }),
      response: diffSchema,
      handler: async ({ auth, params, query }) => {
        const to = await projectVersion(deps, auth, params.projectId, params.versionId, 'contract.diff');
        let from = query.from;
        if (from) await projectVersion(deps, auth, params.projectId, from, 'contract.diff');
        else {
          const previous = (await plane.listVersions(auth, params.projectId)).filter((v) => v.number < to.number).sort((a, b) => b.number - a.number)[0];
          if (!previous) throw new FerryError('usage', 'contract.no_previous', `version ${to.number} is the project's first; pass ?from=VERSION_ID to compare with another`);
          from = previous.id;
        }
        return plane.diffVersions(auth, from, to.id);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/projects/{projectId}/contract-versions/{versionId}/approve',
      operationId: 'approveVersion',
      summary: 'Sign off a version (integration_lead; never its own author); an approved version never changes',
      tag: 'contracts',
      access: 'authenticated',
      permission: 'contract.approve',
      scope: 'project',
      params: versionParams,
      body: z.object({ comment: z.string().max(10_000).default('') }),
      response: versionSummarySchema,
      handler: async ({ auth, params, body }) => {
        await projectVersion(deps, auth, params.projectId, params.versionId, 'contract.approve');
        return plane.approveVersion(auth, params.versionId, body.comment);
      },
    }),
  ];
}
