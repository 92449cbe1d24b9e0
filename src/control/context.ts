/**
 * What every control plane service function shares: the store, the audit log, the clock and
 * the configuration; plus the one way to refuse access. A refusal is a `DeniedError` carrying
 * the ids to audit; `guarded` appends the `access:denied` event after the failed transaction
 * has rolled back, so the denial is recorded even though the attempted change is not.
 */
import type { AuditLog } from '../audit/log.js';
import { FerryError } from '../errors.js';
import type { Store, StoreDb } from '../store/db.js';
import type { Actor, ControlPlaneConfig } from './plane.js';

export interface Ctx {
  store: Store;
  db: StoreDb;
  audit: AuditLog;
  clock: () => Date;
  config: ControlPlaneConfig;
}

/** Current time as stored (ISO 8601, UTC). */
export function nowIso(ctx: Ctx): string {
  return ctx.clock().toISOString();
}

/** A not_found or forbidden refusal, with the ids the audit event records. */
export class DeniedError extends FerryError {
  constructor(
    kind: 'not_found' | 'forbidden',
    code: string,
    message: string,
    readonly denial: { resource: string; resourceId: string | null },
  ) {
    super(kind, code, message);
  }
}

/**
 * The error for an id that does not resolve in the actor's org. It reads the same whether the
 * id exists elsewhere or nowhere, so probing ids reveals nothing about other tenants.
 */
export function notFound(resource: string, id: string | null): DeniedError {
  const what = id === null ? resource : `${resource} ${id}`;
  return new DeniedError('not_found', `${resource}.not_found`, `${what} not found; check the id (ids are only visible inside their own org)`, { resource, resourceId: id });
}

/** The error for a permission the actor lacks inside its own org. */
export function forbidden(permission: string, resource: string, id: string | null, why?: string): DeniedError {
  return new DeniedError('forbidden', 'access.forbidden', why ?? `you lack the permission ${permission} here; ask an org_admin for a role that grants it (see docs/control-plane.md)`, {
    resource,
    resourceId: id,
  });
}

/** Runs `fn`; if it is refused, records `access:denied` for `action` and rethrows. */
export async function guarded<T>(ctx: Ctx, actor: Actor, action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DeniedError) {
      await ctx.audit.append({
        type: 'access:denied',
        actor: actor.userId,
        orgId: actor.orgId,
        projectId: null,
        payload: { action, resource: err.denial.resource, resourceId: err.denial.resourceId, reason: err.kind as 'not_found' | 'forbidden' },
      });
    }
    throw err;
  }
}
