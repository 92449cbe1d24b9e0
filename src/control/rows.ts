/** Store rows → the plane's public shapes. */
import type { Tier } from '../contract/model.js';
import type { RunStatus } from '../engine/report.js';
import type { ApiTokenInfo, ContractVersion, ContractVersionSummary, GateDecisionValue, Grant, Org, Project, Promotion, ReleaseApproval, RunRecord, User, Workspace } from './plane.js';
import type { Role } from './roles.js';
import type {
  ApiTokenRow,
  AppUserRow,
  ContractVersionRow,
  OrgRow,
  ProjectRow,
  PromotionRow,
  ReleaseApprovalRow,
  RoleGrantRow,
  RunRecordRow,
  VersionApprovalRow,
  WorkspaceRow,
} from '../store/schema.js';

/** Org row → Org. */
export const toOrg = (r: OrgRow): Org => ({ id: r.id, slug: r.slug, name: r.name, createdAt: r.created_at });

/** Workspace row → Workspace. */
export const toWorkspace = (r: WorkspaceRow): Workspace => ({ id: r.id, orgId: r.org_id, name: r.name, createdAt: r.created_at });

/** Project row → Project. */
export const toProject = (r: ProjectRow): Project => ({ id: r.id, orgId: r.org_id, workspaceId: r.workspace_id, name: r.name, createdAt: r.created_at });

/** Grant row → Grant. */
export const toGrant = (r: Pick<RoleGrantRow, 'role' | 'project_id'>): Grant => ({ role: r.role as Role, projectId: r.project_id });

/** User row and its grants → User (never the password hash). */
export const toUser = (r: AppUserRow, grants: Grant[]): User => ({
  id: r.id,
  orgId: r.org_id,
  username: r.username,
  displayName: r.display_name,
  lockedAt: r.locked_at,
  lockedReason: r.locked_reason as User['lockedReason'],
  failedLogins: Number(r.failed_logins),
  createdAt: r.created_at,
  grants,
});

/** Token row → ApiTokenInfo (never the hash). */
export const toTokenInfo = (r: ApiTokenRow): ApiTokenInfo => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

/** Version row (+ approval) → summary, without texts. */
export function toVersionSummary(r: Omit<ContractVersionRow, 'yaml' | 'crosswalks'>, a: VersionApprovalRow | undefined): ContractVersionSummary {
  return {
    id: r.id,
    projectId: r.project_id,
    number: Number(r.number),
    digest: r.digest,
    contractName: r.contract_name,
    contractVersion: r.contract_version,
    authorId: r.author_id,
    createdAt: r.created_at,
    message: r.message,
    approval: a ? { approverId: a.approver_id, approvedAt: a.approved_at, comment: a.comment } : null,
  };
}

/** Version row (+ approval) → full version with texts. */
export function toVersion(r: ContractVersionRow, a: VersionApprovalRow | undefined): ContractVersion {
  return { ...toVersionSummary(r, a), yaml: r.yaml, crosswalks: JSON.parse(r.crosswalks) as Record<string, string> };
}

/** Run row → RunRecord. */
export const toRun = (r: RunRecordRow): RunRecord => ({
  projectId: r.project_id,
  runId: r.run_id,
  digest: r.digest,
  tier: r.tier as Tier,
  status: r.status as RunStatus,
  gateDecision: r.gate_decision as GateDecisionValue | null,
  dryRun: Number(r.dry_run) === 1,
  actorId: r.actor_id,
  recordedAt: r.recorded_at,
});

/** Release approval row → ReleaseApproval. */
export const toReleaseApproval = (r: ReleaseApprovalRow): ReleaseApproval => ({
  digest: r.digest,
  tier: r.tier as Tier,
  approverId: r.approver_id,
  role: r.role as Role,
  comment: r.comment,
  approvedAt: r.approved_at,
});

/** Promotion row → Promotion. */
export const toPromotion = (r: PromotionRow): Promotion => ({ digest: r.digest, tier: r.tier as Tier, promotedBy: r.promoted_by, promotedAt: r.promoted_at });
