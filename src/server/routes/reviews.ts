/**
 * The clinician sampling review over HTTP (docs/clinical-safety.md). Drawing a sample reads the
 * source the caller names (a server source reference) and the run's tier target; the review
 * stores keys and strata only. The side-by-side view of one patient is the one response that
 * carries patient values: review.patient_data only, audited before anything is read
 * (`review:patient_viewed`), and like every API response sent with `Cache-Control: no-store`.
 * Another org's project or review answers 404 like one that does not exist.
 */
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { Actor } from '../../control/plane.js';
import { FerryError } from '../../errors.js';
import { withReviewSides } from '../../review/open.js';
import { patientView } from '../../review/patient-view.js';
import { drawSample } from '../../review/sample.js';
import { resolveSource, resolveTarget, sourceRefSchema, withTargetErrors } from '../connections.js';
import type { ServerDeps } from '../context.js';
import { defineRoute } from '../context.js';
import { idParam } from '../schemas.js';
import { patientViewSchema, reviewSchema, reviewSummarySchema } from '../review-schemas.js';
import { loadVersion } from './crosswalks.js';
import { requireRun } from './runs.js';

const projectParams = z.object({ projectId: idParam });
const reviewParams = projectParams.extend({ reviewId: idParam });
const patientParams = reviewParams.extend({ position: z.coerce.number().int().min(0).max(9_999).describe('the patient’s 0-based place in the sample') });

/** The run's contract version, loaded (the version whose digest the run recorded). */
async function runContract(deps: ServerDeps, actor: Actor, projectId: string, digest: string, action: string) {
  const version = (await deps.plane.listVersions(actor, projectId)).find((v) => v.digest === digest);
  if (!version) throw new FerryError('conflict', 'review.no_version', 'the contract version this run used is not stored in the project, so its rows cannot be followed');
  return loadVersion(deps, actor, projectId, version.id, action);
}

/** The review routes. */
export function reviewRoutes(deps: ServerDeps) {
  const { plane } = deps;
  return [
    defineRoute({
      method: 'POST',
      path: '/projects/{projectId}/runs/{runId}/reviews',
      operationId: 'createReview',
      summary:
        "Draw a clinician sampling review of a recorded run: a reproducible random sample of patients (same seed, same run: same sample), stratified so quarantined, cascaded and crosswalked patients are represented, read from the named source and the run's tier target. Stores keys and strata only",
      tag: 'reviews',
      access: 'authenticated',
      permission: 'review.manage',
      scope: 'project',
      params: projectParams.extend({ runId: z.string().min(1).max(200) }),
      body: z.strictObject({
        source: sourceRefSchema,
        patients: z.number().int().min(1).max(1000),
        seed: z.number().int().min(0).max(0xffffffff).optional().describe('default: a random seed, stored with the review'),
        stratify: z.string().min(1).max(200).optional().describe('only this source table’s rows count as evidence of a stratum'),
      }),
      response: reviewSchema,
      status: 201,
      handler: async ({ auth, params, body, signal }) => {
        const { view } = await requireRun(deps, auth, params.projectId, params.runId, 'review.create');
        // The target's ledger knows the run by the engine's id; the project by the id the API handed out.
        const targetRunId = view.progress.engineRunId;
        if (view.dryRun || !targetRunId) throw new FerryError('conflict', 'review.nothing_written', `run ${params.runId} wrote nothing to its target, so it has no patients to review`);
        const loaded = await loadVersion(deps, auth, params.projectId, view.versionId, 'review.create');
        const sourceUrl = await resolveSource(deps, auth, params.projectId, body.source);
        const target = await resolveTarget(deps, auth, params.projectId, view.tier, { code: 'review.no_target', message: `the ${view.tier} tier of this project has no target connection` });
        const seed = body.seed ?? randomInt(0, 2 ** 31);
        const sample = await withTargetErrors(() =>
          withReviewSides({ sourceUrl, targetUrl: target.url }, (s) =>
            drawSample({ loaded, source: s.source, target: s.target, runId: targetRunId, patients: body.patients, seed, stratify: body.stratify, signal }),
          ),
        );
        return plane.createReview(auth, params.projectId, { ...sample, runId: params.runId, targetRunId, sourceRef: body.source, targetRef: `connection:${target.name}` });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/reviews',
      operationId: 'listReviews',
      summary: "The project's sampling reviews, newest first, with progress and open discrepancies (no patient values)",
      tag: 'reviews',
      access: 'authenticated',
      permission: 'review.read',
      scope: 'project',
      params: projectParams,
      response: z.array(reviewSummarySchema),
      handler: async ({ auth, params }) => plane.listReviews(auth, params.projectId),
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/reviews/{reviewId}',
      operationId: 'getReview',
      summary: 'One sampling review: the sampled patient keys, strata, verdicts and discrepancies (no patient values)',
      tag: 'reviews',
      access: 'authenticated',
      permission: 'review.read',
      scope: 'project',
      params: reviewParams,
      response: reviewSchema,
      handler: async ({ auth, params }) => plane.getReview(auth, params.projectId, params.reviewId),
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/reviews/{reviewId}/patients/{position}',
      operationId: 'getReviewPatient',
      summary:
        'The side-by-side view of one sampled patient: every legacy row linked to the patient next to the target rows it became, field by field with steps and crosswalk, and quarantined rows with their reasons. Carries patient values: clinical_reviewer and clinical_safety_officer only, audited on every view (review:patient_viewed), never cached',
      tag: 'reviews',
      access: 'authenticated',
      permission: 'review.patient_data',
      scope: 'project',
      params: patientParams,
      response: patientViewSchema,
      handler: async ({ auth, params, signal }) => {
        // Audited before any value is read, so even a view that then fails is on record.
        const access = await plane.recordPatientView(auth, params.projectId, params.reviewId, params.position);
        const { review, patient } = access;
        const loaded = await runContract(deps, auth, params.projectId, review.digest, 'review.patient_view');
        let sourceUrl: string;
        try {
          sourceUrl = await resolveSource(deps, auth, params.projectId, sourceRefSchema.parse(review.sourceRef));
        } catch (err) {
          if (err instanceof FerryError && err.kind === 'not_found') throw err;
          throw new FerryError('conflict', 'review.source_unavailable', 'this review was drawn from a source this server cannot open (a review drawn with the CLI); view it with ferry review view');
        }
        const target = await resolveTarget(deps, auth, params.projectId, review.tier as 'pre_production' | 'staging' | 'production', {
          code: 'review.no_target',
          message: `the ${review.tier} tier of this project has no target connection`,
        });
        const view = await withTargetErrors(() =>
          withReviewSides({ sourceUrl, targetUrl: target.url }, (s) =>
            patientView({ loaded, source: s.source, target: s.target, targetRows: s.targetRows, runId: review.targetRunId, patientKey: patient.patientKey, root: review.root, signal }),
          ),
        );
        return { review, patient, view };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/projects/{projectId}/reviews/{reviewId}/patients/{position}/verdict',
      operationId: 'recordReviewVerdict',
      summary: 'Mark a sampled patient "matches" or "discrepancy" (a discrepancy needs a comment and stays open until resolved); a verdict, once given, stands',
      tag: 'reviews',
      access: 'authenticated',
      permission: 'review.patient_data',
      scope: 'project',
      params: patientParams,
      body: z.strictObject({ verdict: z.enum(['matches', 'discrepancy']), comment: z.string().max(10_000).optional() }),
      response: reviewSchema,
      handler: async ({ auth, params, body }) => plane.recordVerdict(auth, params.projectId, params.reviewId, params.position, body),
    }),
    defineRoute({
      method: 'POST',
      path: '/projects/{projectId}/reviews/{reviewId}/patients/{position}/resolve',
      operationId: 'resolveReviewDiscrepancy',
      summary: 'Resolve an open discrepancy, saying how (integration_lead or clinical_safety_officer)',
      tag: 'reviews',
      access: 'authenticated',
      permission: 'review.manage',
      scope: 'project',
      params: patientParams,
      body: z.strictObject({ comment: z.string().min(1).max(10_000) }),
      response: reviewSchema,
      handler: async ({ auth, params, body }) => plane.resolveDiscrepancy(auth, params.projectId, params.reviewId, params.position, body.comment),
    }),
  ];
}
