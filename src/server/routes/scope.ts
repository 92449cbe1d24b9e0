/**
 * Path consistency for objects fetched by their own id: the control plane already confines an
 * id to the caller's org; this also confines it to the project named in the path, so
 * `/projects/A/…/{id of B's object}` is a 404 like any other wrong id, and audit-logged.
 */
import type { Actor } from '../../control/plane.js';
import { FerryError } from '../../errors.js';
import type { ServerDeps } from '../context.js';

/** Returns `obj` when it belongs to `projectId`; otherwise records `access:denied` and throws not_found. */
export async function inProject<T extends { projectId: string }>(deps: ServerDeps, actor: Actor, projectId: string, obj: T, resource: string, id: string, action: string): Promise<T> {
  if (obj.projectId === projectId) return obj;
  await deps.plane.audit.append({
    type: 'access:denied',
    actor: actor.userId,
    orgId: actor.orgId,
    projectId,
    payload: { action, resource, resourceId: id, reason: 'not_found' },
  });
  throw new FerryError('not_found', `${resource}.not_found`, `${resource} ${id} not found in project ${projectId}; check the ids`);
}
