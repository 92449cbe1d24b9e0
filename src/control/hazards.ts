/**
 * A project's hazard log and its hazard issues (issue #20). The log is versioned like contracts
 * (immutable versions, numbered per project, identified by digest) and every change is audited.
 * Evidence (a failed gate, a reconciliation mismatch, a quarantine reason, an unmapped code, a
 * review discrepancy) arrives as signals; each becomes one issue per project, signal and
 * reference, assigned to the hazard whose evidence pattern names it most specifically. A signal
 * that fires again bumps its issue's occurrences, and re-opens it when it had been resolved.
 */
import { z } from 'zod';
import type { StoreDb } from '../store/db.js';
import type { HazardIssueRow, HazardLogVersionRow } from '../store/schema.js';
import { can, requirePermission } from './authorize.js';
import { forbidden, guarded, notFound, nowIso, type Ctx } from './context.js';
import { hazardFor, hazardLogDigest, parseHazardLog, riskRating, RISK_NAMES, SIGNAL_KINDS, signalText, type Hazard, type HazardLogDoc } from './hazard-log.js';
import { parseInput, runIdSchema } from './inputs.js';
import { orgScope } from './org-scope.js';
import { closeDiscrepancy, discrepancyRef, parseDiscrepancyRef, REVIEW_DISCREPANCY, type DiscrepancyRef } from './review-discrepancy.js';
import type { Actor } from './plane.js';
import type { Permission } from './roles.js';
import { newId } from './secrets.js';

export type HazardIssueStatus = HazardIssueRow['status'];

/** A risk as the log shows it: the rating and its DCB0129 name. */
export interface Risk {
  severity: number;
  likelihood: number;
  rating: number;
  name: string;
}

/** A hazard with its initial and residual risk rated and its open issues counted. */
export interface HazardView extends Omit<Hazard, 'residual'> {
  initialRisk: Risk;
  residualRisk: Risk;
  openIssues: number;
}

/** One stored version of a log, without its body. */
export interface HazardLogVersion {
  id: string;
  projectId: string;
  version: number;
  digest: string;
  hazards: number;
  authorId: string;
  comment: string;
  createdAt: string;
}

/** A log version with its hazards, or `version: null` when the project has none yet. */
export interface HazardLogView {
  version: HazardLogVersion | null;
  hazards: HazardView[];
  /** Open issues no hazard's evidence names. */
  unassignedOpenIssues: number;
}

/** Evidence raised against the log: counts, codes, table names and keys, never patient values. */
export interface HazardIssue {
  id: string;
  projectId: string;
  hazardId: string | null;
  signal: string;
  sourceKind: string;
  runId: string | null;
  ref: string | null;
  detail: string;
  status: HazardIssueStatus;
  occurrences: number;
  firstSeenAt: string;
  lastSeenAt: string;
  lastRunId: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  resolutionComment: string | null;
}

/** One piece of evidence: `kind:name` (e.g. `quarantine:rule.nhs_number`), the table it concerns, a reference and what was seen. */
export interface Signal {
  signal: string;
  table?: string;
  /** What tells repeated signals apart (e.g. a review id and a source key); none for run-level evidence. */
  ref?: string;
  /** Counts, codes and table names: never a patient value. */
  detail: string;
  /** What produced it: `run`, `review`, … */
  sourceKind: string;
}

export interface RaiseResult {
  opened: number;
  reopened: number;
  repeated: number;
  issues: HazardIssue[];
}

const singleLine = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[^\r\n]*$/, 'must be a single line');
const signalSchema = z.strictObject({
  signal: z.string().regex(new RegExp(`^(${SIGNAL_KINDS.join('|')}):[A-Za-z0-9_.\\-]+$`), `kind:name with kind one of ${SIGNAL_KINDS.join(', ')}`),
  table: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'a table name')
    .optional(),
  ref: singleLine(200).optional(),
  detail: z.string().min(1).max(2000),
  sourceKind: z.string().regex(/^[a-z_]{1,40}$/, 'a source kind like run or review'),
});
const raiseSchema = z.strictObject({ runId: runIdSchema.nullable().optional(), signals: z.array(signalSchema).max(10_000) });
const submitSchema = z.strictObject({ text: z.string().min(1).max(1_000_000), comment: z.string().max(10_000).default('') });
const resolveSchema = z.strictObject({ status: z.enum(['resolved', 'accepted']), comment: z.string().trim().min(1, 'a comment saying why is required').max(10_000) });
const filterSchema = z.strictObject({ status: z.enum(['open', 'resolved', 'accepted']).optional(), hazardId: z.string().max(20).optional() });

// Whoever may run in the project (its runs raise evidence) or manage its safety may raise issues.
const RAISERS: Permission[] = ['safety.manage', 'run.pre_production', 'run.staging', 'run.production'];

function risk(severity: number, likelihood: number): Risk {
  const rating = riskRating(severity, likelihood);
  return { severity, likelihood, rating, name: RISK_NAMES[rating - 1] };
}

function toVersion(r: HazardLogVersionRow): HazardLogVersion {
  const doc = JSON.parse(r.body) as HazardLogDoc;
  return { id: r.id, projectId: r.project_id, version: Number(r.version), digest: r.digest, hazards: doc.hazards.length, authorId: r.author_id, comment: r.comment, createdAt: r.created_at };
}

function toIssue(r: HazardIssueRow): HazardIssue {
  return {
    id: r.id,
    projectId: r.project_id,
    hazardId: r.hazard_id,
    signal: r.signal,
    sourceKind: r.source_kind,
    runId: r.run_id,
    ref: r.ref === '' ? null : r.ref,
    detail: r.detail,
    status: r.status,
    occurrences: Number(r.occurrences),
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
    lastRunId: r.last_run_id,
    resolvedBy: r.resolved_by,
    resolvedAt: r.resolved_at,
    resolutionComment: r.resolution_comment,
  };
}

async function versionRow(db: StoreDb, orgId: string, projectId: string, version?: number): Promise<HazardLogVersionRow | undefined> {
  let q = orgScope(db, orgId).select('hazard_log_version').selectAll().where('project_id', '=', projectId);
  q = version === undefined ? q.orderBy('version', 'desc').limit(1) : q.where('version', '=', version);
  return q.executeTakeFirst();
}

/** The project's current hazard log document, or null when none was submitted (no permission check: callers hold one). */
export async function currentHazardLog(db: StoreDb, orgId: string, projectId: string): Promise<HazardLogDoc | null> {
  const row = await versionRow(db, orgId, projectId);
  return row ? (JSON.parse(row.body) as HazardLogDoc) : null;
}

/** The current log, or version `version`, with ratings and open issue counts (safety.read). */
export function getHazardLog(ctx: Ctx, actor: Actor, projectId: string, version?: number): Promise<HazardLogView> {
  return guarded(ctx, actor, 'safety.hazards', async () => {
    await requirePermission(ctx, ctx.db, actor, 'safety.read', { projectId });
    const row = await versionRow(ctx.db, actor.orgId, projectId, version);
    if (!row && version !== undefined) throw notFound('hazard_log_version', String(version));
    const open = await orgScope(ctx.db, actor.orgId).select('hazard_issue').select('hazard_id').where('project_id', '=', projectId).where('status', '=', 'open').execute();
    const counts = new Map<string | null, number>();
    for (const o of open) counts.set(o.hazard_id, (counts.get(o.hazard_id) ?? 0) + 1);
    const doc = row ? (JSON.parse(row.body) as HazardLogDoc) : { hazards: [] };
    const known = new Set(doc.hazards.map((h) => h.id));
    const hazards = doc.hazards.map(({ residual, ...h }) => ({
      ...h,
      initialRisk: risk(h.severity, h.likelihood),
      residualRisk: risk(residual.severity, residual.likelihood),
      openIssues: counts.get(h.id) ?? 0,
    }));
    // Issues of hazards a later version dropped count as unassigned until they fire again.
    const unassigned = [...counts].filter(([id]) => id === null || !known.has(id)).reduce((n, [, c]) => n + c, 0);
    return { version: row ? toVersion(row) : null, hazards, unassignedOpenIssues: unassigned };
  });
}

/** Every version of the project's log, newest first (safety.read). */
export function listHazardLogVersions(ctx: Ctx, actor: Actor, projectId: string): Promise<HazardLogVersion[]> {
  return guarded(ctx, actor, 'safety.hazard_versions', async () => {
    await requirePermission(ctx, ctx.db, actor, 'safety.read', { projectId });
    const rows = await orgScope(ctx.db, actor.orgId).select('hazard_log_version').selectAll().where('project_id', '=', projectId).orderBy('version', 'desc').execute();
    return rows.map(toVersion);
  });
}

/**
 * Validates and stores a new version of the project's log (safety.manage), audited with its
 * digest. A text whose digest equals the current version's stores nothing and returns it.
 */
export function submitHazardLog(ctx: Ctx, actor: Actor, projectId: string, input: { text: string; comment?: string }): Promise<{ version: HazardLogVersion; created: boolean }> {
  return guarded(ctx, actor, 'safety.submit_hazards', async () => {
    await requirePermission(ctx, ctx.db, actor, 'safety.manage', { projectId });
    const i = parseInput(submitSchema, input, 'hazardLog');
    const doc = parseHazardLog(i.text);
    const digest = hazardLogDigest(doc);
    return ctx.store.writeTransaction(async (trx) => {
      await ctx.store.lock(trx, `project:${projectId}:hazards`);
      const last = await versionRow(trx, actor.orgId, projectId);
      if (last && last.digest === digest) return { version: toVersion(last), created: false };
      const row: HazardLogVersionRow = {
        id: newId('hzl'),
        org_id: actor.orgId,
        project_id: projectId,
        version: last ? Number(last.version) + 1 : 1,
        digest,
        body: JSON.stringify(doc),
        author_id: actor.userId,
        comment: i.comment,
        created_at: nowIso(ctx),
      };
      await orgScope(trx, actor.orgId).insert('hazard_log_version', row).execute();
      await ctx.audit.appendIn(trx, {
        type: 'safety:hazard_log_submitted',
        actor: actor.userId,
        orgId: actor.orgId,
        projectId,
        payload: { version: row.version, digest, hazards: doc.hazards.length },
      });
      return { version: toVersion(row), created: true };
    });
  });
}

/** The project's hazard issues, open first then most recently seen (safety.read). */
export function listHazardIssues(ctx: Ctx, actor: Actor, projectId: string, filter: { status?: HazardIssueStatus; hazardId?: string } = {}): Promise<HazardIssue[]> {
  return guarded(ctx, actor, 'safety.issues', async () => {
    await requirePermission(ctx, ctx.db, actor, 'safety.read', { projectId });
    const f = parseInput(filterSchema, filter, 'filter');
    let q = orgScope(ctx.db, actor.orgId).select('hazard_issue').selectAll().where('project_id', '=', projectId);
    if (f.status !== undefined) q = q.where('status', '=', f.status);
    if (f.hazardId !== undefined) q = f.hazardId === 'unassigned' ? q.where('hazard_id', 'is', null) : q.where('hazard_id', '=', f.hazardId);
    const rows = await q.orderBy('last_seen_at', 'desc').orderBy('id').limit(5000).execute();
    const rank = { open: 0, accepted: 1, resolved: 2 } as const;
    return rows.map(toIssue).sort((a, b) => rank[a.status] - rank[b.status]);
  });
}

/** Resolves an issue, or accepts its risk (safety.manage), with a comment; audited. A clinician review's discrepancy closes with its issue. */
export function resolveHazardIssue(ctx: Ctx, actor: Actor, projectId: string, issueId: string, input: { status: 'resolved' | 'accepted'; comment: string }): Promise<HazardIssue> {
  return guarded(ctx, actor, 'safety.resolve_issue', () =>
    ctx.store.writeTransaction(async (trx) => {
      await requirePermission(ctx, trx, actor, 'safety.manage', { projectId });
      const i = parseInput(resolveSchema, input, 'resolution');
      const row = await orgScope(trx, actor.orgId).select('hazard_issue').selectAll().where('id', '=', issueId).where('project_id', '=', projectId).executeTakeFirst();
      if (!row) throw notFound('hazard_issue', issueId);
      const spot = row.source_kind === 'review' ? parseDiscrepancyRef(row.ref) : null;
      if (spot) await closeDiscrepancy(ctx, trx, actor, projectId, spot, i.comment);
      return closeIssue(ctx, trx, actor, projectId, row, i.status, i.comment);
    }),
  );
}

/** Closes one issue inside the caller's transaction (which checked the permission); audited. */
export async function closeIssue(ctx: Ctx, trx: StoreDb, actor: Actor, projectId: string, row: HazardIssueRow, status: 'resolved' | 'accepted', comment: string): Promise<HazardIssue> {
  const now = nowIso(ctx);
  const next: HazardIssueRow = { ...row, status, resolved_by: actor.userId, resolved_at: now, resolution_comment: comment };
  await orgScope(trx, actor.orgId).update('hazard_issue').set({ status, resolved_by: actor.userId, resolved_at: now, resolution_comment: comment }).where('id', '=', row.id).execute();
  await ctx.audit.appendIn(trx, { type: 'safety:issue_resolved', actor: actor.userId, orgId: actor.orgId, projectId, payload: { issueId: row.id, hazardId: row.hazard_id, status } });
  return toIssue(next);
}

/** The open issue a clinician review's discrepancy raised, if the project's log recorded one. */
export async function openDiscrepancyIssue(trx: StoreDb, orgId: string, projectId: string, spot: DiscrepancyRef): Promise<HazardIssueRow | undefined> {
  return orgScope(trx, orgId)
    .select('hazard_issue')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('signal', '=', REVIEW_DISCREPANCY)
    .where('ref', '=', discrepancyRef(spot))
    .where('status', '=', 'open')
    .executeTakeFirst();
}

/**
 * Matches signals against the current log and records them: a new signal opens an issue
 * (`safety:issue_opened`), a resolved one that fires again re-opens it (`safety:issue_reopened`),
 * any other repeat bumps its occurrences (an accepted risk stays accepted). Records nothing
 * while the project has no hazard log. Needs a run permission in the project or safety.manage.
 */
export function raiseHazardIssues(ctx: Ctx, actor: Actor, projectId: string, input: { runId?: string | null; signals: Signal[] }): Promise<RaiseResult> {
  return guarded(ctx, actor, 'safety.raise', async () => {
    await requirePermission(ctx, ctx.db, actor, 'safety.read', { projectId });
    if (!RAISERS.some((p) => can(actor, p, { projectId }))) throw forbidden(RAISERS.join(' or '), 'project', projectId);
    const i = parseInput(raiseSchema, input, 'signals');
    const runId = i.runId ?? null;
    const result: RaiseResult = { opened: 0, reopened: 0, repeated: 0, issues: [] };
    if (i.signals.length === 0) return result;
    return ctx.store.writeTransaction((trx) => recordSignals(ctx, trx, actor, projectId, runId, i.signals));
  });
}

/**
 * Records signals against the current log inside the caller's transaction (which checked the
 * permission): see raiseHazardIssues. Used directly where evidence arises inside another
 * operation, such as a reviewer's verdict.
 */
export async function recordSignals(ctx: Ctx, trx: StoreDb, actor: Actor, projectId: string, runId: string | null, signals: readonly Signal[]): Promise<RaiseResult> {
  const result: RaiseResult = { opened: 0, reopened: 0, repeated: 0, issues: [] };
  await ctx.store.lock(trx, `project:${projectId}:hazards`);
  const tenant = orgScope(trx, actor.orgId);
  const log = await currentHazardLog(trx, actor.orgId, projectId);
  // A project without a hazard log has no safety case to link evidence to yet.
  if (!log) return result;
  const now = nowIso(ctx);
  for (const s of signals) {
    const signal = signalText(s);
    const ref = s.ref ?? '';
    const hazardId = hazardFor(log, s)?.id ?? null;
    const existing = await tenant.select('hazard_issue').selectAll().where('project_id', '=', projectId).where('signal', '=', signal).where('ref', '=', ref).executeTakeFirst();
    const event = { issueId: '', hazardId, signal, sourceKind: s.sourceKind, runId };
    if (!existing) {
      const row: HazardIssueRow = {
        id: newId('hzi'),
        org_id: actor.orgId,
        project_id: projectId,
        hazard_id: hazardId,
        signal,
        source_kind: s.sourceKind,
        run_id: runId,
        ref,
        detail: s.detail,
        status: 'open',
        occurrences: 1,
        first_seen_at: now,
        last_seen_at: now,
        last_run_id: runId,
        resolved_by: null,
        resolved_at: null,
        resolution_comment: null,
      };
      await tenant.insert('hazard_issue', row).execute();
      await ctx.audit.appendIn(trx, { type: 'safety:issue_opened', actor: actor.userId, orgId: actor.orgId, projectId, payload: { ...event, issueId: row.id } });
      result.opened++;
      result.issues.push(toIssue(row));
      continue;
    }
    const reopen = existing.status === 'resolved';
    const next: HazardIssueRow = {
      ...existing,
      hazard_id: hazardId,
      source_kind: s.sourceKind,
      detail: s.detail,
      occurrences: Number(existing.occurrences) + 1,
      last_seen_at: now,
      last_run_id: runId ?? existing.last_run_id,
      ...(reopen ? { status: 'open' as const, resolved_by: null, resolved_at: null, resolution_comment: null } : {}),
    };
    await tenant
      .update('hazard_issue')
      .set({
        hazard_id: next.hazard_id,
        source_kind: next.source_kind,
        detail: next.detail,
        occurrences: next.occurrences,
        last_seen_at: now,
        last_run_id: next.last_run_id,
        status: next.status,
        resolved_by: next.resolved_by,
        resolved_at: next.resolved_at,
        resolution_comment: next.resolution_comment,
      })
      .where('id', '=', existing.id)
      .execute();
    if (reopen) {
      await ctx.audit.appendIn(trx, { type: 'safety:issue_reopened', actor: actor.userId, orgId: actor.orgId, projectId, payload: { ...event, issueId: existing.id } });
      result.reopened++;
    } else result.repeated++;
    result.issues.push(toIssue(next));
  }
  return result;
}
