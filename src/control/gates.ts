/**
 * The release gate conditions, as data: what a digest still lacks to run in a tier. A digest
 * may run in pre_production once its contract version is approved; in a higher tier once it
 * also has a succeeded (non-dry) run in the tier below and this tier's approvals. Every
 * missing condition is listed, never just the first.
 */
import type { Tier } from '../contract/model.js';
import type { StoreDb } from '../store/db.js';
import { orgScope } from './org-scope.js';
import type { MissingCondition, ReleaseApproval } from './plane.js';
import { loadTierConfig, tierBelow } from './release-policy.js';
import { reviewFacts } from './reviews.js';
import { toReleaseApproval } from './rows.js';
import { versionByDigest } from './versions.js';

/** Approvals recorded for a digest in a tier, oldest first. */
export async function approvalsFor(db: StoreDb, orgId: string, projectId: string, digest: string, tier: Tier): Promise<ReleaseApproval[]> {
  const rows = await orgScope(db, orgId)
    .select('release_approval')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('digest', '=', digest)
    .where('tier', '=', tier)
    .orderBy('approved_at')
    .orderBy('role')
    .execute();
  return rows.map(toReleaseApproval);
}

/** True when `digest` has a succeeded, non-dry run recorded in `tier`. */
export async function passedIn(db: StoreDb, orgId: string, projectId: string, digest: string, tier: Tier): Promise<boolean> {
  const row = await orgScope(db, orgId)
    .select('run_record')
    .select('run_id')
    .where('project_id', '=', projectId)
    .where('digest', '=', digest)
    .where('tier', '=', tier)
    .where('status', '=', 'succeeded')
    .where('dry_run', '=', 0)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The separation-of-duties floor for production, whatever the policy says: at least one
 * approval from someone who neither wrote the contract version nor last changed the tier's
 * policy, so no single person (even an org_admin who can edit the policy) releases alone.
 */
export const INDEPENDENT_APPROVAL = 'approval:independent';

/** True when `approverId` is neither the version's author nor the policy's last editor. */
export function independentOf(approverId: string, authorId: string | null, policyChangedBy: string | null): boolean {
  return approverId !== authorId && approverId !== policyChangedBy;
}

/** Every condition `digest` lacks to run in `tier` (empty: it may run). Project must be tenant-checked. */
export async function missingConditions(db: StoreDb, orgId: string, projectId: string, digest: string, tier: Tier): Promise<MissingCondition[]> {
  const missing: MissingCondition[] = [];
  const version = await versionByDigest(db, orgId, projectId, digest);
  if (!version) missing.push('version_submitted', 'version_approved');
  else if (!version.approval) missing.push('version_approved');
  const below = tierBelow(tier);
  if (below && !(await passedIn(db, orgId, projectId, digest, below))) missing.push(`passed:${below}`);
  const config = await loadTierConfig(db, orgId, projectId, tier);
  const { policy } = config;
  // Approvals by the author never count when the policy excludes them, even if the policy changed after they were given.
  const approvals = (await approvalsFor(db, orgId, projectId, digest, tier)).filter((a) => !(policy.excludeAuthor && version && a.approverId === version.authorId));
  const covered = new Set(approvals.map((a) => a.role));
  const rolesMissing = policy.requiredRoles.filter((r) => !covered.has(r));
  for (const r of rolesMissing) missing.push(`approval:${r}`);
  const distinct = new Set(approvals.map((a) => a.approverId)).size;
  const extra = policy.minApprovers - distinct - rolesMissing.length;
  if (extra > 0) missing.push(`approvers:${extra}`);
  // Listed once the policy's own approvals are in: until then any of them may still come from an independent person.
  const policySatisfied = rolesMissing.length === 0 && extra <= 0;
  if (tier === 'production' && policySatisfied && !approvals.some((a) => independentOf(a.approverId, version?.authorId ?? null, config.policyChangedBy))) missing.push(INDEPENDENT_APPROVAL);
  if (policy.requireReview) {
    // A clinician sampling review of a run of this digest, in any tier (docs/clinical-safety.md).
    const review = await reviewFacts(db, orgId, projectId, digest);
    if (!review.complete) missing.push(REVIEW_COMPLETE);
    if (review.openDiscrepancies > 0) missing.push(`review:discrepancies:${review.openDiscrepancies}`);
  }
  return missing;
}

/** The tier requires a completed clinician sampling review of a run of the digest. */
export const REVIEW_COMPLETE = 'review:complete';

/** Words for a missing-condition code, for people. */
export function describeMissing(code: MissingCondition): string {
  if (code === 'version_submitted') return 'the contract with this digest has not been submitted to the project as a version';
  if (code === 'version_approved') return 'the contract version has not been approved by an integration_lead';
  const [kind, arg] = code.split(':');
  if (kind === 'passed') return `no succeeded run of this digest in ${arg} yet`;
  if (code === INDEPENDENT_APPROVAL) return "needs an approval from someone who is neither the contract version's author nor the last person to change this tier's approval policy";
  if (kind === 'approval') return `needs approval by a ${arg} (not the contract's author)`;
  if (kind === 'approvers') return `needs ${arg} more distinct approver(s)`;
  if (code === REVIEW_COMPLETE) return 'needs a completed clinician sampling review of a run of this digest (every sampled patient marked; ferry review sample)';
  if (kind === 'review' && arg === 'discrepancies') return `${code.split(':')[2]} discrepancy(ies) found by the clinician sampling review are still open; resolve them (ferry review resolve)`;
  return code;
}
