/**
 * The audit trail as a tenant sees it: only events recorded against the actor's org (and, when
 * asked, one of its projects). Whole-chain verification and export stay with src/audit, which
 * an operator runs over the full chain.
 */
import { fromRow, normaliseTime } from '../audit/log.js';
import type { AuditRecord } from '../audit/chain.js';
import { requirePermission } from './authorize.js';
import { guarded, type Ctx } from './context.js';
import type { Actor, ScopedAuditFilter } from './plane.js';

/** Audit events of the actor's org, newest first by default (audit.read). */
export function listAuditEvents(ctx: Ctx, actor: Actor, filter: ScopedAuditFilter = {}): Promise<AuditRecord[]> {
  return guarded(ctx, actor, 'audit.list', async () => {
    await requirePermission(ctx, ctx.db, actor, 'audit.read', { projectId: filter.projectId ?? null });
    let q = ctx.db.selectFrom('audit_event').selectAll().where('org_id', '=', actor.orgId);
    if (filter.projectId) q = q.where('project_id', '=', filter.projectId);
    if (filter.type) q = q.where('type', '=', filter.type);
    if (filter.actor) q = q.where('actor', '=', filter.actor);
    if (filter.runId) q = q.where('run_id', '=', filter.runId);
    if (filter.from) q = q.where('time', '>=', normaliseTime(filter.from, 'from'));
    if (filter.to) q = q.where('time', '<', normaliseTime(filter.to, 'to'));
    q = q.orderBy('seq', filter.order ?? 'desc').limit(Math.min(Math.max(1, filter.limit ?? 1000), 10_000));
    return (await q.execute()).map(fromRow);
  });
}
