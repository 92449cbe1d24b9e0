/**
 * A project's uploads as things to manage: list them with their size and when they expire, and
 * delete one to free quota. Uploading itself is in ./sources.ts (an upload is a source); the
 * storage, quota and retention rules are in ../uploads.ts and ../upload-retention.ts.
 */
import { z } from 'zod';
import type { Actor } from '../../control/plane.js';
import { FerryError } from '../../errors.js';
import type { ServerDeps } from '../context.js';
import { defineRoute } from '../context.js';
import { idParam, uploadDeletedSchema, type uploadEntrySchema, uploadsSchema } from '../schemas.js';
import { listUploads, projectUsage, readMeta, removeUpload, uploadBytes, type UploadMeta } from '../uploads.js';

const projectParams = z.object({ projectId: idParam });
const uploadParams = z.object({ projectId: idParam, uploadId: idParam });
const DAY_MS = 86_400_000;

/** The 404 an unknown id and another project's id both get; the attempt is audit-logged. */
async function notFound(deps: ServerDeps, actor: Actor, projectId: string, id: string, action: string): Promise<never> {
  await deps.plane.audit.append({
    type: 'access:denied',
    actor: actor.userId,
    orgId: actor.orgId,
    projectId,
    payload: { action, resource: 'upload', resourceId: id, reason: 'not_found' },
  });
  throw new FerryError('not_found', 'upload.not_found', `upload ${id} not found in project ${projectId}; GET /projects/${projectId}/uploads lists this project's uploads`);
}

/** Upload management routes. */
export function uploadRoutes(deps: ServerDeps) {
  const { plane } = deps;
  return [
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/uploads',
      operationId: 'listUploads',
      summary:
        'The project’s uploads, newest first: id, tables, size, who uploaded it and when, and when the retention sweep removes it; with the project’s usage and quota (an upload over the quota is refused with 409 `upload.quota_exceeded`)',
      tag: 'sources',
      access: 'authenticated',
      permission: 'contract.read',
      scope: 'project',
      params: projectParams,
      response: uploadsSchema,
      handler: async ({ params }) => {
        const policy = deps.uploads;
        const uploads = await listUploads(deps.dataDir, params.projectId);
        const entries = await Promise.all(uploads.map(async (u) => entry(u, await uploadBytes(deps.dataDir, params.projectId, u.id), policy.retentionDays)));
        return {
          uploads: entries,
          usage: await projectUsage(deps.dataDir, params.projectId),
          quota: { ...policy.quota },
          retentionDays: policy.retentionDays,
        };
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/projects/{projectId}/uploads/{uploadId}',
      operationId: 'deleteUpload',
      summary:
        'Delete one of the project’s uploads and its files, freeing quota; audit-logged as `upload:deleted` (the upload id only). Another project’s upload answers 404 like an unknown id, audit-logged as `access:denied`',
      tag: 'sources',
      access: 'authenticated',
      permission: 'contract.submit',
      scope: 'project',
      params: uploadParams,
      response: uploadDeletedSchema,
      handler: async ({ auth, params }) => {
        const meta = await readMeta(deps.dataDir, params.projectId, params.uploadId);
        if (!meta) return notFound(deps, auth, params.projectId, params.uploadId, 'upload.delete');
        // Recorded first: a removal the trail cannot record does not happen.
        await plane.audit.append({ type: 'upload:deleted', actor: auth.userId, orgId: auth.orgId, projectId: params.projectId, payload: { uploadId: meta.id } });
        await removeUpload(deps.dataDir, params.projectId, meta.id);
        return { deleted: meta.id };
      },
    }),
  ];
}

function entry(u: UploadMeta, bytes: number, retentionDays: number): z.input<typeof uploadEntrySchema> {
  const expires = new Date(Date.parse(u.createdAt) + retentionDays * DAY_MS);
  return {
    id: u.id,
    source: `upload:${u.id}`,
    tables: u.tables,
    format: u.format,
    bytes,
    createdAt: u.createdAt,
    createdBy: u.createdBy,
    expiresAt: Number.isNaN(expires.getTime()) ? u.createdAt : expires.toISOString(),
  };
}
