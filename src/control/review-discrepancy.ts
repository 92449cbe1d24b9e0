/**
 * A clinician review's discrepancy as the hazard log sees it: the signal `review:discrepancy`
 * with a reference naming the review and the patient's position (never the patient's key or
 * the reviewer's comment, which may quote values). Closing one side closes the other, whichever
 * screen the clinical safety officer resolves it from.
 */
import type { StoreDb } from '../store/db.js';
import { nowIso, type Ctx } from './context.js';
import { orgScope } from './org-scope.js';
import type { Actor } from './plane.js';

/** The hazard-log signal a discrepancy raises. */
export const REVIEW_DISCREPANCY = 'review:discrepancy';

/** One sampled patient of a review: positions count from 0 here, from 1 for people. */
export interface DiscrepancyRef {
  reviewId: string;
  position: number;
}

/** The hazard issue's `ref` for a discrepancy: `REVIEW#N`, N counted from 1 as reviewers see it. */
export function discrepancyRef(spot: DiscrepancyRef): string {
  return `${spot.reviewId}#${spot.position + 1}`;
}

/** The review and position a hazard issue's `ref` names, or null when it names none. */
export function parseDiscrepancyRef(ref: string): DiscrepancyRef | null {
  const m = /^([A-Za-z0-9_-]{1,100})#([1-9][0-9]{0,6})$/.exec(ref);
  return m ? { reviewId: m[1], position: Number(m[2]) - 1 } : null;
}

/**
 * Marks an open discrepancy resolved inside the caller's transaction (which checked the
 * permission) and audits it; false when it was not open (already resolved, or never one).
 */
export async function closeDiscrepancy(ctx: Ctx, trx: StoreDb, actor: Actor, projectId: string, spot: DiscrepancyRef, comment: string): Promise<boolean> {
  const tenant = orgScope(trx, actor.orgId);
  const review = await tenant.select('review').select(['id', 'run_id']).where('id', '=', spot.reviewId).where('project_id', '=', projectId).executeTakeFirst();
  if (!review) return false;
  const done = await tenant
    .update('review_patient')
    .set({ discrepancy_status: 'resolved', resolved_by: actor.userId, resolved_at: nowIso(ctx), resolution_comment: comment.trim() })
    .where('review_id', '=', spot.reviewId)
    .where('position', '=', spot.position)
    .where('discrepancy_status', '=', 'open')
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) === 0) return false;
  await ctx.audit.appendIn(trx, {
    type: 'review:discrepancy_resolved',
    actor: actor.userId,
    orgId: actor.orgId,
    projectId,
    payload: { reviewId: spot.reviewId, runId: review.run_id, position: spot.position },
  });
  return true;
}
