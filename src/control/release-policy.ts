/**
 * Release tier configuration: the target as a named connection and the approval policy, with
 * the defaults the clinical safety case expects when a project has not configured a tier.
 */
import { TIERS, type Tier } from '../contract/model.js';
import type { StoreDb } from '../store/db.js';
import type { ApprovalPolicy, TierConfig } from './plane.js';
import { orgScope } from './org-scope.js';
import type { Permission, Role } from './roles.js';

export const DEFAULT_POLICIES: Record<Tier, ApprovalPolicy> = {
  pre_production: { requiredRoles: [], minApprovers: 0, excludeAuthor: true, requireReview: false },
  staging: { requiredRoles: ['integration_lead'], minApprovers: 1, excludeAuthor: true, requireReview: false },
  production: { requiredRoles: ['integration_lead', 'clinical_safety_officer'], minApprovers: 2, excludeAuthor: true, requireReview: false },
};

/** The permission needed to run (or record a run) in a tier. */
export const RUN_PERMISSION: Record<Tier, Permission> = { pre_production: 'run.pre_production', staging: 'run.staging', production: 'run.production' };

/** The permission needed to approve a digest for a tier; pre_production takes no release approvals. */
export const APPROVE_PERMISSION: Record<Tier, Permission | null> = { pre_production: null, staging: 'release.approve_staging', production: 'release.approve_production' };

/** The tier a digest must have passed before `tier`, or null for the first. */
export function tierBelow(tier: Tier): Tier | null {
  const i = TIERS.indexOf(tier);
  return i > 0 ? TIERS[i - 1] : null;
}

/** Every tier's configuration for a project (already tenant-checked), defaults filled in. */
export async function loadTierConfigs(db: StoreDb, orgId: string, projectId: string): Promise<TierConfig[]> {
  const rows = await orgScope(db, orgId).select('release_tier').selectAll().where('project_id', '=', projectId).execute();
  const byTier = new Map(rows.map((r) => [r.tier, r]));
  return TIERS.map((tier) => {
    const r = byTier.get(tier);
    if (!r) return { tier, connection: null, policy: { ...DEFAULT_POLICIES[tier], requiredRoles: [...DEFAULT_POLICIES[tier].requiredRoles] }, policyChangedBy: null, policyChangedAt: null };
    return {
      tier,
      connection: r.target_connection,
      policy: {
        requiredRoles: JSON.parse(r.required_roles) as Role[],
        minApprovers: Number(r.min_approvers),
        excludeAuthor: Number(r.exclude_author) === 1,
        requireReview: Number(r.require_review) === 1,
      },
      policyChangedBy: r.policy_updated_by,
      policyChangedAt: r.policy_updated_at,
    };
  });
}

/** One tier's configuration. */
export async function loadTierConfig(db: StoreDb, orgId: string, projectId: string, tier: Tier): Promise<TierConfig> {
  return (await loadTierConfigs(db, orgId, projectId)).find((c) => c.tier === tier)!;
}
