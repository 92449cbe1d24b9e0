/**
 * The clinician sampling review in the control plane (issue #20): a review is a drawn sample of
 * one recorded run's patients (keys and strata only; the values are read live and never
 * stored), each patient's verdict (`matches` or `discrepancy` with a comment) and, for a
 * discrepancy, whether it is open or resolved. A review is complete once every patient has a
 * verdict. Every look at a patient's values is audited (`review:patient_viewed`) with the
 * review, the position and a digest of the patient key, never the key or a value.
 */
import { z } from 'zod';
import type { Tier } from '../contract/model.js';
import { FerryError } from '../errors.js';
import type { StoreDb } from '../store/db.js';
import type { ReviewPatientRow, ReviewRow } from '../store/schema.js';
import { requirePermission } from './authorize.js';
import { guarded, notFound, nowIso, type Ctx } from './context.js';
import { digestSchema, nameSchema, parseInput, runIdSchema, textSchema } from './inputs.js';
import { closeIssue, openDiscrepancyIssue, recordSignals } from './hazards.js';
import { orgScope } from './org-scope.js';
import { closeDiscrepancy, discrepancyRef, REVIEW_DISCREPANCY } from './review-discrepancy.js';
import type { Actor } from './plane.js';
import { newId, sha256Hex } from './secrets.js';

export const REVIEW_STRATA = ['quarantined', 'cascaded', 'crosswalked', 'clean'] as const;
export type ReviewStratum = (typeof REVIEW_STRATA)[number];
export type Verdict = 'matches' | 'discrepancy';

/** A drawn sample as review/sample.ts makes it (drawSample), with where it was drawn from. */
export interface CreateReviewInput {
  /** The run as the project recorded it. */
  runId: string;
  /** The run's id in the target's ledger, when it differs from `runId` (runs started through the server). */
  targetRunId?: string;
  contractDigest: string;
  root: string;
  seed: number;
  patientsRequested: number;
  stratify: string | null;
  population: Record<ReviewStratum, number>;
  patients: Array<{ position: number; patientKey: string; stratum: ReviewStratum }>;
  /** The source: a named connection, or a display URL without credentials. */
  sourceRef: string;
  /** The run's target: a named connection, or a display URL without credentials. */
  targetRef: string;
}

export interface ReviewPatient {
  position: number;
  patientKey: string;
  stratum: ReviewStratum;
  verdict: Verdict | null;
  comment: string | null;
  reviewerId: string | null;
  reviewedAt: string | null;
  discrepancyStatus: 'open' | 'resolved' | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  resolutionComment: string | null;
}

export interface ReviewSummary {
  id: string;
  projectId: string;
  runId: string;
  targetRunId: string;
  digest: string;
  tier: string;
  root: string;
  seed: number;
  patientsRequested: number;
  stratify: string | null;
  population: Record<ReviewStratum, number>;
  sourceRef: string;
  targetRef: string;
  createdBy: string;
  createdAt: string;
  status: 'open' | 'complete';
  completedAt: string | null;
  patients: number;
  reviewed: number;
  openDiscrepancies: number;
}

export interface Review extends ReviewSummary {
  sampled: ReviewPatient[];
}

/** What the release gate reads of a digest's reviews. */
export interface ReviewStatus {
  digest: string;
  reviews: number;
  /** True when at least one review of a run of this digest is complete. */
  complete: boolean;
  openDiscrepancies: number;
}

/** Where to read a sampled patient from, returned once its view is audited. */
export interface PatientAccess {
  review: ReviewSummary;
  patient: ReviewPatient;
}

const refSchema = z.string().min(1).max(2000);
const sampleSchema = z.strictObject({
  runId: runIdSchema,
  targetRunId: runIdSchema.optional(),
  contractDigest: digestSchema,
  root: nameSchema,
  seed: z.number().int().min(0).max(0xffffffff),
  patientsRequested: z.number().int().min(1).max(10_000),
  stratify: nameSchema.nullable(),
  population: z.strictObject({ quarantined: z.number().int().min(0), cascaded: z.number().int().min(0), crosswalked: z.number().int().min(0), clean: z.number().int().min(0) }),
  patients: z
    .array(z.strictObject({ position: z.number().int().min(0), patientKey: z.string().min(1).max(500), stratum: z.enum(REVIEW_STRATA) }))
    .min(1)
    .max(10_000),
  sourceRef: refSchema,
  targetRef: refSchema,
});
const verdictSchema = z
  .strictObject({ verdict: z.enum(['matches', 'discrepancy']), comment: textSchema.optional() })
  .refine((v) => v.verdict !== 'discrepancy' || (v.comment ?? '').trim().length > 0, { message: 'a discrepancy needs a comment saying what differs', path: ['comment'] });
const resolutionSchema = textSchema.refine((c) => c.trim().length > 0, 'say how the discrepancy was resolved');

function toPatient(r: ReviewPatientRow): ReviewPatient {
  return {
    position: Number(r.position),
    patientKey: r.patient_key,
    stratum: r.stratum,
    verdict: r.verdict,
    comment: r.comment,
    reviewerId: r.reviewer_id,
    reviewedAt: r.reviewed_at,
    discrepancyStatus: r.discrepancy_status,
    resolvedBy: r.resolved_by,
    resolvedAt: r.resolved_at,
    resolutionComment: r.resolution_comment,
  };
}

function toSummary(r: ReviewRow, patients: ReviewPatient[]): ReviewSummary {
  return {
    id: r.id,
    projectId: r.project_id,
    runId: r.run_id,
    targetRunId: r.target_run_id,
    digest: r.digest,
    tier: r.tier,
    root: r.root_table,
    seed: Number(r.seed),
    patientsRequested: Number(r.patients_requested),
    stratify: r.stratify,
    population: JSON.parse(r.population) as Record<ReviewStratum, number>,
    sourceRef: r.source_ref,
    targetRef: r.target_ref,
    createdBy: r.created_by,
    createdAt: r.created_at,
    status: r.status,
    completedAt: r.completed_at,
    patients: patients.length,
    reviewed: patients.filter((p) => p.verdict !== null).length,
    openDiscrepancies: patients.filter((p) => p.discrepancyStatus === 'open').length,
  };
}

async function loadReview(db: StoreDb, orgId: string, projectId: string, reviewId: string): Promise<Review> {
  const tenant = orgScope(db, orgId);
  const row = await tenant.select('review').selectAll().where('id', '=', reviewId).where('project_id', '=', projectId).executeTakeFirst();
  if (!row) throw notFound('review', reviewId);
  const patients = (await tenant.select('review_patient').selectAll().where('review_id', '=', reviewId).orderBy('position').execute()).map(toPatient);
  return { ...toSummary(row, patients), sampled: patients };
}

function patientAt(review: Review, position: number): ReviewPatient {
  const p = review.sampled.find((x) => x.position === position);
  if (!p) throw notFound('review_patient', `${review.id}#${position}`);
  return p;
}

/** Stores a drawn sample of a run recorded in the project as a new open review (review.manage). */
export function createReview(ctx: Ctx, actor: Actor, projectId: string, input: CreateReviewInput): Promise<Review> {
  return guarded(ctx, actor, 'review.create', () =>
    ctx.store.writeTransaction(async (trx) => {
      await requirePermission(ctx, trx, actor, 'review.manage', { projectId });
      const i = parseInput(sampleSchema, input, 'review');
      const tenant = orgScope(trx, actor.orgId);
      const run = await tenant.select('run_record').select(['digest', 'tier']).where('project_id', '=', projectId).where('run_id', '=', i.runId).executeTakeFirst();
      if (!run) throw notFound('run', i.runId);
      if (run.digest !== i.contractDigest) throw new FerryError('conflict', 'review.digest_mismatch', `run ${i.runId} was recorded with another contract digest than the sample was drawn with`);
      const keys = new Set(i.patients.map((p) => p.patientKey));
      const positions = new Set(i.patients.map((p) => p.position));
      if (keys.size !== i.patients.length || positions.size !== i.patients.length) throw new FerryError('usage', 'review.bad_sample', 'a sample names each patient and each position once');
      const id = newId('rev');
      const now = nowIso(ctx);
      const row: ReviewRow = {
        id,
        org_id: actor.orgId,
        project_id: projectId,
        run_id: i.runId,
        target_run_id: i.targetRunId ?? i.runId,
        digest: i.contractDigest,
        tier: run.tier,
        root_table: i.root,
        seed: i.seed,
        patients_requested: i.patientsRequested,
        stratify: i.stratify,
        population: JSON.stringify(i.population),
        source_ref: i.sourceRef,
        target_ref: i.targetRef,
        created_by: actor.userId,
        created_at: now,
        status: 'open',
        completed_at: null,
      };
      const { org_id: _o, ...insert } = row;
      await tenant.insert('review', insert).execute();
      for (const p of i.patients) {
        await tenant
          .insert('review_patient', {
            review_id: id,
            position: p.position,
            patient_key: p.patientKey,
            stratum: p.stratum,
            verdict: null,
            comment: null,
            reviewer_id: null,
            reviewed_at: null,
            discrepancy_status: null,
            resolved_by: null,
            resolved_at: null,
            resolution_comment: null,
          })
          .execute();
      }
      const counts = Object.fromEntries(REVIEW_STRATA.map((s) => [s, i.patients.filter((p) => p.stratum === s).length])) as Record<ReviewStratum, number>;
      await ctx.audit.appendIn(trx, {
        type: 'review:created',
        actor: actor.userId,
        orgId: actor.orgId,
        projectId,
        payload: { reviewId: id, runId: i.runId, contractDigest: i.contractDigest, tier: run.tier as Tier, seed: i.seed, stratify: i.stratify, patients: i.patients.length, strata: counts },
      });
      return loadReview(trx, actor.orgId, projectId, id);
    }),
  );
}

/** The project's reviews, newest first, with progress (review.read). */
export function listReviews(ctx: Ctx, actor: Actor, projectId: string): Promise<ReviewSummary[]> {
  return guarded(ctx, actor, 'review.list', async () => {
    await requirePermission(ctx, ctx.db, actor, 'review.read', { projectId });
    const tenant = orgScope(ctx.db, actor.orgId);
    const rows = await tenant.select('review').selectAll().where('project_id', '=', projectId).orderBy('created_at', 'desc').orderBy('id').execute();
    const out: ReviewSummary[] = [];
    for (const r of rows) out.push(toSummary(r, (await tenant.select('review_patient').selectAll().where('review_id', '=', r.id).execute()).map(toPatient)));
    return out;
  });
}

/** One review with its sampled patients' keys, strata and verdicts; never values (review.read). */
export function getReview(ctx: Ctx, actor: Actor, projectId: string, reviewId: string): Promise<Review> {
  return guarded(ctx, actor, 'review.get', async () => {
    await requirePermission(ctx, ctx.db, actor, 'review.read', { projectId });
    return loadReview(ctx.db, actor.orgId, projectId, reviewId);
  });
}

/**
 * Records a reviewer's verdict on one sampled patient (review.patient_data); a discrepancy
 * needs a comment and opens. A verdict, once given, stands: a changed mind is a new review.
 */
export function recordVerdict(ctx: Ctx, actor: Actor, projectId: string, reviewId: string, position: number, input: { verdict: Verdict; comment?: string }): Promise<Review> {
  return guarded(ctx, actor, 'review.verdict', () =>
    ctx.store.writeTransaction(async (trx) => {
      await requirePermission(ctx, trx, actor, 'review.patient_data', { projectId });
      const i = parseInput(verdictSchema, input, 'verdict');
      const review = await loadReview(trx, actor.orgId, projectId, reviewId);
      const p = patientAt(review, position);
      if (p.verdict !== null) throw new FerryError('conflict', 'review.already_marked', `patient ${position + 1} of review ${reviewId} already has the verdict ${p.verdict}`);
      const now = nowIso(ctx);
      const tenant = orgScope(trx, actor.orgId);
      await tenant
        .update('review_patient')
        .set({ verdict: i.verdict, comment: i.comment?.trim() || null, reviewer_id: actor.userId, reviewed_at: now, discrepancy_status: i.verdict === 'discrepancy' ? 'open' : null })
        .where('review_id', '=', reviewId)
        .where('position', '=', position)
        .execute();
      await ctx.audit.appendIn(trx, { type: 'review:verdict', actor: actor.userId, orgId: actor.orgId, projectId, payload: { reviewId, runId: review.runId, position, verdict: i.verdict } });
      if (i.verdict === 'discrepancy') {
        // Evidence for the hazard log; the comment stays in the review, since it may quote the patient's values.
        const ref = discrepancyRef({ reviewId, position });
        const detail = `clinician review ${reviewId}, patient ${position + 1} of ${review.patients} (${p.stratum}): a discrepancy between the legacy and migrated records`;
        await recordSignals(ctx, trx, actor, projectId, review.runId, [{ signal: REVIEW_DISCREPANCY, ref, detail, sourceKind: 'review' }]);
      }
      if (review.reviewed + 1 === review.patients) {
        await tenant.update('review').set({ status: 'complete', completed_at: now }).where('id', '=', reviewId).execute();
        await ctx.audit.appendIn(trx, {
          type: 'review:completed',
          actor: actor.userId,
          orgId: actor.orgId,
          projectId,
          payload: {
            reviewId,
            runId: review.runId,
            contractDigest: review.digest,
            patients: review.patients,
            discrepancies: review.sampled.filter((x) => x.verdict === 'discrepancy').length + (i.verdict === 'discrepancy' ? 1 : 0),
          },
        });
      }
      return loadReview(trx, actor.orgId, projectId, reviewId);
    }),
  );
}

/** Resolves an open discrepancy with a comment saying how (review.manage); the hazard issue it raised is resolved with it. */
export function resolveDiscrepancy(ctx: Ctx, actor: Actor, projectId: string, reviewId: string, position: number, comment: string): Promise<Review> {
  return guarded(ctx, actor, 'review.resolve', () =>
    ctx.store.writeTransaction(async (trx) => {
      await requirePermission(ctx, trx, actor, 'review.manage', { projectId });
      const c = parseInput(resolutionSchema, comment, 'comment').trim();
      const review = await loadReview(trx, actor.orgId, projectId, reviewId);
      const spot = { reviewId, position: patientAt(review, position).position };
      if (!(await closeDiscrepancy(ctx, trx, actor, projectId, spot, c))) {
        throw new FerryError('conflict', 'review.no_open_discrepancy', `patient ${position + 1} of review ${reviewId} has no open discrepancy`);
      }
      const issue = await openDiscrepancyIssue(trx, actor.orgId, projectId, spot);
      if (issue) await closeIssue(ctx, trx, actor, projectId, issue, 'resolved', c);
      return loadReview(trx, actor.orgId, projectId, reviewId);
    }),
  );
}

/**
 * Authorizes and audits one look at a sampled patient's values (review.patient_data), before
 * any value is read: `review:patient_viewed` names the review, the position and the SHA-256 of
 * the patient key. Returns the review and the patient so the caller can build the view.
 */
export function recordPatientView(ctx: Ctx, actor: Actor, projectId: string, reviewId: string, position: number): Promise<PatientAccess> {
  return guarded(ctx, actor, 'review.patient_view', () =>
    ctx.store.writeTransaction(async (trx) => {
      await requirePermission(ctx, trx, actor, 'review.patient_data', { projectId });
      const review = await loadReview(trx, actor.orgId, projectId, reviewId);
      const patient = patientAt(review, position);
      await ctx.audit.appendIn(trx, {
        type: 'review:patient_viewed',
        actor: actor.userId,
        orgId: actor.orgId,
        projectId,
        payload: { reviewId, runId: review.runId, position, patientKeyDigest: sha256Hex(patient.patientKey) },
      });
      const { sampled: _s, ...summary } = review;
      return { review: summary, patient };
    }),
  );
}

/** The review facts the release gate needs for a digest, without a permission check (the caller checked the project). */
export async function reviewFacts(db: StoreDb, orgId: string, projectId: string, digest: string): Promise<ReviewStatus> {
  const tenant = orgScope(db, orgId);
  const reviews = await tenant.select('review').select(['id', 'status']).where('project_id', '=', projectId).where('digest', '=', digest).execute();
  let open = 0;
  if (reviews.length > 0) {
    const rows = await tenant
      .select('review_patient')
      .select('review_id')
      .where(
        'review_id',
        'in',
        reviews.map((r) => r.id),
      )
      .where('discrepancy_status', '=', 'open')
      .execute();
    open = rows.length;
  }
  return { digest, reviews: reviews.length, complete: reviews.some((r) => r.status === 'complete'), openDiscrepancies: open };
}

/** Whether a digest has a completed review and how many discrepancies are open (review.read). */
export function reviewStatus(ctx: Ctx, actor: Actor, projectId: string, digest: string): Promise<ReviewStatus> {
  return guarded(ctx, actor, 'review.status', async () => {
    await requirePermission(ctx, ctx.db, actor, 'review.read', { projectId });
    return reviewFacts(ctx.db, actor.orgId, projectId, parseInput(digestSchema, digest, 'digest'));
  });
}
