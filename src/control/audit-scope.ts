/**
 * The audit trail as a tenant sees it: only events recorded against the actor's org (and, when
 * asked, one of its projects). The chain is one for the whole deployment, so verification runs
 * over all of it, but what a tenant is told is cut down to its own events: whether the chain
 * holds, how many of its org's events were checked, and which of those are damaged; never a
 * global sequence number, head hash, count or any other org's event. The operator's full view
 * is `ferry audit verify`.
 */
import { fromRow, normaliseTime, type AuditLog } from '../audit/log.js';
import { verifyStore, type ChainProblemCode } from '../audit/verify.js';
import type { AuditRecord } from '../audit/chain.js';
import { requirePermission } from './authorize.js';
import { guarded, type Ctx } from './context.js';
import { orgScope } from './org-scope.js';
import type { Actor, ScopedAuditFilter } from './plane.js';

/** Audit events of the actor's org, newest first by default (audit.read). */
export function listAuditEvents(ctx: Ctx, actor: Actor, filter: ScopedAuditFilter = {}): Promise<AuditRecord[]> {
  return guarded(ctx, actor, 'audit.list', async () => {
    await requirePermission(ctx, ctx.db, actor, 'audit.read', { projectId: filter.projectId ?? null });
    let q = orgScope(ctx.db, actor.orgId).select('audit_event').selectAll();
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

/** What an org-scoped caller learns from verifying the chain. */
export interface OrgVerifyResult {
  /** The whole chain, its head row and its anchor verify. */
  ok: boolean;
  scope: 'org';
  /** Events of the caller's org in the chain, all of which were checked. */
  orgEvents: number;
  /** Problems located at the org's own events, by their seq (which the org already sees in its event list). */
  problems: Array<{ seq: number; code: ChainProblemCode; message: string }>;
  /** The chain is broken somewhere that is not one of the org's events: ask the operator to run ferry audit verify. */
  brokenElsewhere: boolean;
  elapsedMs: number;
}

// Fixed wording: the walk's own messages can name neighbouring events of other orgs.
const OWN_PROBLEM: Partial<Record<ChainProblemCode, string>> = {
  'audit.hash_mismatch': 'its content no longer matches its hash: it was edited',
  'audit.broken_link': 'it no longer links to the event before it: events were inserted, removed or moved around it',
  'audit.out_of_order': 'it is duplicated or out of order',
  'audit.corrupt_payload': 'its payload is not valid JSON: it was edited',
  'audit.anchor_mismatch': 'it is not the event the audit anchor recorded: the chain was rewritten',
  'audit.head_mismatch': 'it is not the event the chain head records',
};

/** Verifies the whole chain and reports only what concerns `orgId`'s own events. */
export async function verifyAuditForOrg(log: AuditLog, orgId: string): Promise<OrgVerifyResult> {
  const started = performance.now();
  const full = await verifyStore(log, { maxProblems: 10_000 });
  const problemSeqs = [...new Set(full.problems.map((p) => p.seq))];
  const tenant = orgScope(log.store.db, orgId);
  const own = new Set<number>();
  for (let i = 0; i < problemSeqs.length; i += 500) {
    const rows = await tenant
      .select('audit_event')
      .select('seq')
      .where('seq', 'in', problemSeqs.slice(i, i + 500))
      .execute();
    for (const r of rows) own.add(Number(r.seq));
  }
  const problems = full.problems.filter((p) => own.has(p.seq)).map((p) => ({ seq: p.seq, code: p.code, message: `event ${p.seq}: ${OWN_PROBLEM[p.code] ?? 'it failed verification'}` }));
  const count = await tenant
    .select('audit_event')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return {
    ok: full.ok,
    scope: 'org',
    orgEvents: Number(count.n),
    problems,
    brokenElsewhere: full.problemCount > full.problems.filter((p) => own.has(p.seq)).length,
    elapsedMs: Math.round(performance.now() - started),
  };
}
