/**
 * The governed control plane's public interface: tenancy (org → workspace → project), users,
 * sessions and API tokens, roles and the permission matrix, contract versions and approvals,
 * release gates. The HTTP API and the CLI are thin shells over `ControlPlane`.
 *
 * Tenancy is enforced here, in the data layer: every method that reads or writes tenant data
 * takes an `Actor`, and every query filters by `actor.orgId` (and the project where relevant).
 * An id that belongs to another org resolves exactly like an id that does not exist — a
 * FerryError of kind 'not_found' — and the attempt is audit-logged as `access:denied` with ids
 * only. A permission the actor lacks inside its own org is kind 'forbidden' (also audit-logged).
 *
 * Errors (all FerryError): 'not_found' (unknown or other tenant's id), 'forbidden' (missing
 * permission, self-approval, locked user; codes starting `auth.` mean "not authenticated" and
 * map to HTTP 401, every other 'forbidden' to 403), 'usage' (bad input), 'conflict'
 * (duplicate name, already approved, gate conditions unmet), 'contract' (invalid contract text).
 */
import type { Store } from '../store/db.js';
import type { AuditLog } from '../audit/log.js';
import type { AuditRecord } from '../audit/chain.js';
import type { ContractDiff } from '../contract/diff.js';
import type { Tier } from '../contract/model.js';
import type { RunStatus } from '../engine/report.js';
import type { Permission, Role } from './roles.js';
import type { CreateReviewInput, PatientAccess, Review, ReviewStatus, ReviewSummary, Verdict } from './reviews.js';
export type { CreateReviewInput, PatientAccess, Review, ReviewPatient, ReviewStatus, ReviewStratum, ReviewSummary, Verdict } from './reviews.js';
import type { ConnectionHost, ConnectionInfo, ConnectionUse, OperatorConnection, RegisterConnectionInput } from './connections.js';

export type { ConnectionHost, ConnectionInfo, ConnectionUse, OperatorConnection, RegisterConnectionInput } from './connections.js';
import type { BackupPolicy, BackupPolicyInput, Delivery, NewSubscription, NotifyHost, Subscription, SubscriptionInput } from './notifications.js';
export type { BackupPolicy, BackupPolicyInput, Delivery, DeliveryStatus, EventKind, NewSubscription, NotifyHost, Subscription, SubscriptionInput } from './notifications.js';

import type { HazardIssue, HazardIssueStatus, HazardLogVersion, HazardLogView, RaiseResult, Signal } from './hazards.js';
export type { HazardIssue, HazardIssueStatus, HazardLogVersion, HazardLogView, HazardView, RaiseResult, Risk, Signal } from './hazards.js';

export type { Permission, Role } from './roles.js';
export { ROLES, PERMISSIONS, PERMISSION_MATRIX, rolesFor } from './roles.js';
export { createControlPlane } from './service.js';

// ─── Identity ───────────────────────────────────────────────────────────────────────────────

/** A role held by a user, for the whole org (`projectId: null`) or for one project. */
export interface Grant {
  role: Role;
  projectId: string | null;
}

/**
 * Who is acting. Obtain one only from `authenticate`/`login` (or `actorFor` in trusted local
 * tooling); the plane trusts its fields. `grants` are the user's grants in `orgId`.
 */
export interface Actor {
  userId: string;
  orgId: string;
  grants: Grant[];
}

/** Where a permission is checked: the org as a whole, or one project in it. */
export interface Scope {
  projectId?: string | null;
}

// ─── Tenancy ────────────────────────────────────────────────────────────────────────────────

export interface Org {
  id: string;
  /** Short unique handle, e.g. `trust-a`: lowercase letters, digits and dashes. */
  slug: string;
  name: string;
  createdAt: string;
}

export interface Workspace {
  id: string;
  orgId: string;
  name: string;
  createdAt: string;
}

export interface Project {
  id: string;
  orgId: string;
  workspaceId: string;
  name: string;
  createdAt: string;
}

/** Input to `initOrg`: the org and its first org_admin. */
export interface InitOrgInput {
  slug: string;
  name: string;
  admin: { username: string; password: string; displayName?: string };
  /** Who ran the bootstrap, for the audit trail (e.g. `os:alice`); default `operator`. */
  operator?: string;
}

// ─── Users, sessions, tokens ────────────────────────────────────────────────────────────────

export interface User {
  id: string;
  orgId: string;
  /** Login name, unique within the org (an email address works well); login names the org too. */
  username: string;
  displayName: string;
  /** ISO time the account was locked, or null. */
  lockedAt: string | null;
  lockedReason: 'failed_logins' | 'admin' | null;
  failedLogins: number;
  createdAt: string;
  grants: Grant[];
}

export interface NewUser {
  username: string;
  password: string;
  displayName?: string;
}

/** Sessions and API tokens ended by one action. */
export interface RevokedCounts {
  sessions: number;
  tokens: number;
}

/** Names a user for the operator's break-glass commands: org slug plus user id or login name. */
export interface OperatorUserInput {
  org: string;
  user: string;
  /** Who ran the command, for the audit trail (e.g. `os:alice`); default `operator`. */
  operator?: string;
}

/** A new session; `token` is shown once and stored only as its SHA-256. */
export interface SessionGrant {
  token: string;
  sessionId: string;
  expiresAt: string;
  actor: Actor;
}

export interface ApiTokenInfo {
  id: string;
  userId: string;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** A new personal API token; `token` is shown once and stored only as its SHA-256. */
export interface NewApiToken {
  token: string;
  info: ApiTokenInfo;
}

// ─── Contract versions ──────────────────────────────────────────────────────────────────────

export interface SubmitVersionInput {
  /** The contract YAML text. */
  yaml: string;
  /** Crosswalk files the contract names, by the path it uses (e.g. `crosswalks/sex.csv`) → CSV text. */
  crosswalks: Record<string, string>;
  /** Why this version exists (shown in the history). */
  message: string;
}

export interface VersionApproval {
  approverId: string;
  approvedAt: string;
  comment: string;
}

/** A stored contract version without its texts (for lists). */
export interface ContractVersionSummary {
  id: string;
  projectId: string;
  /** 1, 2, 3, … per project in submission order. */
  number: number;
  digest: string;
  /** `name` and `version` from the contract YAML. */
  contractName: string;
  contractVersion: string;
  authorId: string;
  createdAt: string;
  message: string;
  approval: VersionApproval | null;
}

/** A stored contract version with the exact texts submitted. Immutable once stored. */
export interface ContractVersion extends ContractVersionSummary {
  yaml: string;
  crosswalks: Record<string, string>;
}

export interface SubmitVersionResult {
  version: ContractVersion;
  /** False when an identical digest already existed in the project (that version is returned). */
  created: boolean;
}

// ─── Release gates ──────────────────────────────────────────────────────────────────────────

/** How many and which approvals a tier needs before a digest may run in it. */
export interface ApprovalPolicy {
  /** Each listed role must be covered by a different approver. */
  requiredRoles: Role[];
  /** Distinct people who must approve (at least requiredRoles.length). */
  minApprovers: number;
  /** When true (the default), the contract version's author may not approve. */
  excludeAuthor: boolean;
  /**
   * When true, a run in this tier needs a completed clinician sampling review of a run of the
   * digest (any tier) with no open discrepancy. Default false; turn it on for production.
   */
  requireReview: boolean;
}

export interface TierConfig {
  tier: Tier;
  /**
   * The name of the connection the tier writes to: one the operator registered for this org
   * (`ferry admin connection add`), never a URL, path or secret reference. Null until chosen.
   */
  connection: string | null;
  policy: ApprovalPolicy;
  /** Who last changed the approval policy, and when (null while it is the default). */
  policyChangedBy: string | null;
  policyChangedAt: string | null;
}

export interface TierConfigInput {
  connection?: string | null;
  policy?: Partial<ApprovalPolicy>;
}

export type GateDecisionValue = 'pass' | 'warn' | 'fail' | 'not_applicable';

export interface RecordRunInput {
  digest: string;
  tier: Tier;
  runId: string;
  status: RunStatus;
  /** The run report's `quality.decision`, or null when the run never reached the gate. */
  gateDecision: GateDecisionValue | null;
  /** Dry runs are recorded but never satisfy a gate. */
  dryRun?: boolean;
}

export interface RunRecord extends Required<RecordRunInput> {
  projectId: string;
  actorId: string;
  recordedAt: string;
}

export interface ReleaseApproval {
  digest: string;
  tier: Tier;
  approverId: string;
  /** The policy role this approval covers. */
  role: Role;
  comment: string;
  approvedAt: string;
}

export interface Promotion {
  digest: string;
  tier: Tier;
  promotedBy: string;
  promotedAt: string;
}

/**
 * Why a digest may not run in a tier, as stable codes:
 * `version_submitted`, `version_approved`, `passed:<tier below>`, `approval:<role>`,
 * `approvers:<n>` (n more distinct approvers needed). `describeMissing` words them.
 */
export type MissingCondition = string;

export interface CanRunResult {
  allowed: boolean;
  missing: MissingCondition[];
}

export interface TierStatus {
  tier: Tier;
  /** The registered connection the tier writes to (its name only). */
  connection: string | null;
  policy: ApprovalPolicy;
  policyChangedBy: string | null;
  policyChangedAt: string | null;
  /** The digest reported on: the one asked about, else the latest promoted into this tier, else the latest contract version; null when the project has none. */
  digest: string | null;
  /** The latest promotion of `digest` into this tier, or null (pre_production has no promotions). */
  promotion: Promotion | null;
  /** Approvals given for `digest` in this tier. */
  approvals: ReleaseApproval[];
  /** Conditions `digest` still lacks to run here (empty when it may run). */
  missing: MissingCondition[];
  /** The latest recorded run of `digest` in this tier, or null. */
  lastRun: RunRecord | null;
}

export interface ReleaseStatus {
  projectId: string;
  tiers: TierStatus[];
}

export interface ScopedAuditFilter {
  projectId?: string;
  type?: string;
  /** The user id that caused the events. */
  actor?: string;
  runId?: string;
  from?: string;
  to?: string;
  order?: 'asc' | 'desc';
  limit?: number;
}

// ─── Configuration ──────────────────────────────────────────────────────────────────────────

export interface ControlPlaneConfig {
  /** Absolute session lifetime (default 12 h). */
  sessionTtlMs: number;
  /** A session unused for this long expires (default 30 min). */
  idleTimeoutMs: number;
  /** Failed logins from one client address after which that address backs off from the account (default 5). */
  maxFailedLogins: number;
  /** The first back-off (default 1 min); each further one from the same address doubles it. */
  loginBackoffMs: number;
  /** The longest back-off (default 15 min). */
  loginBackoffMaxMs: number;
  /** scrypt cost parameters for new password hashes (stored per user, so they can be raised later). */
  scrypt: { N: number; r: number; p: number; keyLength: number };
  /** Shortest password accepted (default 12; the longest is 256). */
  minPasswordLength: number;
}

export interface ControlPlaneOptions {
  store: Store;
  /** Defaults to a new AuditLog over `store` using `clock`. */
  audit?: AuditLog;
  /** Injectable clock for expiry and idle timeout tests (default: the system clock). */
  clock?: () => Date;
  config?: Partial<ControlPlaneConfig>;
}

// ─── The plane ──────────────────────────────────────────────────────────────────────────────

export interface ControlPlane {
  readonly store: Store;
  readonly audit: AuditLog;
  readonly config: ControlPlaneConfig;

  // Authentication (no actor: these are how an actor is obtained)
  /** Creates an org with its first org_admin; for operators with direct store access (`ferry admin init`), never exposed over HTTP. */
  initOrg(input: InitOrgInput): Promise<{ org: Org; admin: User }>;
  /**
   * Checks a password (constant time) for `username` in the org with slug `org`; returns a new
   * session. Failures are counted per (account, client `address`): after `maxFailedLogins` that
   * pair backs off for `loginBackoffMs`, doubling per repeat up to `loginBackoffMaxMs`, while the
   * owner elsewhere is unaffected. Unknown org, unknown user, wrong password, a locked account
   * and a backing-off pair all fail identically (`auth.invalid_credentials`); the audit trail
   * records the true reason. `address` defaults to one shared "local" address (CLI use).
   */
  login(org: string, username: string, password: string, address?: string): Promise<SessionGrant>;
  /** Resolves a session token or personal API token to its actor, refreshing the session's idle timer. */
  authenticate(token: string): Promise<Actor>;
  /** Revokes the session behind `token` (no error if it is already gone). */
  logout(token: string): Promise<void>;
  /** The actor for a user id, bypassing credentials: for trusted local tooling and tests only. */
  actorFor(userId: string): Promise<Actor>;

  // Authorization
  /** True when the actor's grants allow `permission` in `scope` (pure check, no audit). */
  can(actor: Actor, permission: Permission, scope?: Scope): boolean;
  /** Throws 'forbidden' (and audit-logs it) unless `can`; a project outside the actor's org is 'not_found'. */
  authorize(actor: Actor, permission: Permission, scope?: Scope): Promise<void>;

  // Tenancy
  getOrg(actor: Actor): Promise<Org>;
  createWorkspace(actor: Actor, input: { name: string }): Promise<Workspace>;
  listWorkspaces(actor: Actor): Promise<Workspace[]>;
  getWorkspace(actor: Actor, workspaceId: string): Promise<Workspace>;
  createProject(actor: Actor, workspaceId: string, input: { name: string }): Promise<Project>;
  /** Projects in the actor's org (optionally one workspace's) the actor may read. */
  listProjects(actor: Actor, workspaceId?: string): Promise<Project[]>;
  getProject(actor: Actor, projectId: string): Promise<Project>;

  // Users and roles
  createUser(actor: Actor, input: NewUser): Promise<User>;
  listUsers(actor: Actor): Promise<User[]>;
  getUser(actor: Actor, userId: string): Promise<User>;
  /** Locks an account (reason 'admin') until unlocked; ends its sessions and revokes its API tokens. */
  lockUser(actor: Actor, userId: string): Promise<User>;
  /** Unlocks an account and clears its failed logins and back-offs; ended sessions and tokens stay ended. */
  unlockUser(actor: Actor, userId: string): Promise<User>;
  /** Revokes every live session of a user, and with `tokens` their API tokens too; returns how many of each. */
  resetSessions(actor: Actor, userId: string, options?: { tokens?: boolean }): Promise<RevokedCounts>;
  /** Changes the actor's own password (the current one is required); ends their other sessions (all but `keepSessionToken`). */
  changePassword(actor: Actor, input: { currentPassword: string; newPassword: string }, keepSessionToken?: string): Promise<RevokedCounts>;
  /** Sets another user's password (user.manage); ends all their sessions and revokes their API tokens. */
  resetPassword(actor: Actor, userId: string, newPassword: string): Promise<User>;
  /** Break-glass for operators with direct store access (`ferry admin user unlock`), never over HTTP: unlocks `user` (id or login name) in org `org`. */
  operatorUnlock(input: OperatorUserInput): Promise<User>;
  /** Break-glass for operators with direct store access (`ferry admin user reset-password`), never over HTTP. */
  operatorResetPassword(input: OperatorUserInput & { newPassword: string }): Promise<User>;
  /** Grants a role for the org (`projectId` null) or one project; idempotent. Nobody grants a role to themselves (`user.self_grant`). */
  grantRole(actor: Actor, userId: string, role: Role, projectId: string | null): Promise<User>;
  revokeRole(actor: Actor, userId: string, role: Role, projectId: string | null): Promise<User>;

  // Personal API tokens (own tokens need no permission; other users' need user.manage)
  createToken(actor: Actor, input: { name: string; expiresAt?: string | null }): Promise<NewApiToken>;
  listTokens(actor: Actor, userId?: string): Promise<ApiTokenInfo[]>;
  revokeToken(actor: Actor, tokenId: string): Promise<ApiTokenInfo>;

  // Contract versions
  submitVersion(actor: Actor, projectId: string, input: SubmitVersionInput): Promise<SubmitVersionResult>;
  listVersions(actor: Actor, projectId: string): Promise<ContractVersionSummary[]>;
  getVersion(actor: Actor, versionId: string): Promise<ContractVersion>;
  /** Field-by-field diff from `fromVersionId` to `toVersionId` (both in the same project). */
  diffVersions(actor: Actor, fromVersionId: string, toVersionId: string): Promise<ContractDiff>;
  /** Signs a version off: integration_lead, not its author, once. */
  approveVersion(actor: Actor, versionId: string, comment: string): Promise<ContractVersion>;

  // Release gates
  getTierConfigs(actor: Actor, projectId: string): Promise<TierConfig[]>;
  configureTier(actor: Actor, projectId: string, tier: Tier, input: TierConfigInput): Promise<TierConfig>;
  recordRun(actor: Actor, projectId: string, input: RecordRunInput): Promise<RunRecord>;
  listRuns(actor: Actor, projectId: string, filter?: { digest?: string; tier?: Tier }): Promise<RunRecord[]>;
  getRun(actor: Actor, projectId: string, runId: string): Promise<RunRecord>;
  /**
   * Per tier: which digest is there, approvals given, conditions still missing. With `digest`,
   * every tier reports on that digest (a candidate); without, each tier reports its latest
   * promoted digest, else the project's latest contract version.
   */
  releaseStatus(actor: Actor, projectId: string, digest?: string): Promise<ReleaseStatus>;
  approveRelease(actor: Actor, projectId: string, digest: string, tier: Tier, comment: string): Promise<ReleaseApproval>;
  /** Marks `digest` as released into `tier` (staging or production); 'conflict' listing the missing conditions otherwise. */
  promote(actor: Actor, projectId: string, digest: string, tier: Tier): Promise<Promotion>;
  /** Whether `digest` may run in `tier` now; a refusal is audit-logged as `release:refused`. */
  canRun(actor: Actor, projectId: string, digest: string, tier: Tier): Promise<CanRunResult>;

  // Named connections
  /** Registers a connection for an org after confining it; for operators with direct store access (`ferry admin connection add`), never exposed over HTTP. */
  registerConnection(input: RegisterConnectionInput, host: ConnectionHost): Promise<OperatorConnection>;
  /** Every registered connection with its reference, or one org's; operators only. */
  listOperatorConnections(orgSlug?: string): Promise<OperatorConnection[]>;
  /** Removes a connection; tiers that named it lose their target. Operators only. */
  removeConnection(orgSlug: string, name: string, operator?: string): Promise<void>;
  /** Connections usable in a project (contract.read): names and kinds, never URLs. */
  listConnections(actor: Actor, projectId: string): Promise<ConnectionInfo[]>;
  /** The confined URL behind a connection the actor may use: for the server's own use, never for a response. */
  connectionUrl(actor: Actor, o: { projectId: string; name: string; use: ConnectionUse; tier?: Tier | null }, host: ConnectionHost): Promise<string>;

  // Audit, scoped to the actor's org
  listAuditEvents(actor: Actor, filter?: ScopedAuditFilter): Promise<AuditRecord[]>;

  // Project settings (project.settings): notification subscriptions, their delivery log, the backup policy
  listSubscriptions(actor: Actor, projectId: string): Promise<Subscription[]>;
  /** Adds a subscription whose target passes the operator's policy; a webhook's signing secret is returned here once. */
  createSubscription(actor: Actor, projectId: string, input: SubscriptionInput, host: NotifyHost): Promise<NewSubscription>;
  removeSubscription(actor: Actor, projectId: string, subscriptionId: string): Promise<void>;
  /** The project's notifications and their attempts, newest first. */
  listDeliveries(actor: Actor, projectId: string, filter?: { subscriptionId?: string; limit?: number }): Promise<Delivery[]>;
  getBackupPolicy(actor: Actor, projectId: string): Promise<BackupPolicy>;
  setBackupPolicy(actor: Actor, projectId: string, input: BackupPolicyInput): Promise<BackupPolicy>;

  // ─── Clinical safety: hazard log (safety.read, safety.manage) ───
  /** The current hazard log (or `version`) with risk ratings and open issue counts; `version: null` when none was submitted. */
  getHazardLog(actor: Actor, projectId: string, version?: number): Promise<HazardLogView>;
  listHazardLogVersions(actor: Actor, projectId: string): Promise<HazardLogVersion[]>;
  /** Validates the YAML text (errors carry line and column) and stores it as a new version; audited. */
  submitHazardLog(actor: Actor, projectId: string, input: { text: string; comment?: string }): Promise<{ version: HazardLogVersion; created: boolean }>;
  listHazardIssues(actor: Actor, projectId: string, filter?: { status?: HazardIssueStatus; hazardId?: string }): Promise<HazardIssue[]>;
  resolveHazardIssue(actor: Actor, projectId: string, issueId: string, input: { status: 'resolved' | 'accepted'; comment: string }): Promise<HazardIssue>;
  /** Records evidence against the current log (a run permission or safety.manage); audited per opened or re-opened issue. */
  raiseHazardIssues(actor: Actor, projectId: string, input: { runId?: string | null; signals: Signal[] }): Promise<RaiseResult>;
  // Clinician sampling review (docs/clinical-safety.md): keys, strata and verdicts; patient values are read live, never stored
  /** Stores a drawn sample (review/sample.ts drawSample) of a run recorded in the project as an open review (review.manage). */
  createReview(actor: Actor, projectId: string, input: CreateReviewInput): Promise<Review>;
  /** The project's reviews, newest first, with progress (review.read). */
  listReviews(actor: Actor, projectId: string): Promise<ReviewSummary[]>;
  /** One review: sampled patient keys, strata, verdicts, discrepancies (review.read). */
  getReview(actor: Actor, projectId: string, reviewId: string): Promise<Review>;
  /** A reviewer's verdict on one sampled patient, by position (review.patient_data); a discrepancy needs a comment and opens. */
  recordVerdict(actor: Actor, projectId: string, reviewId: string, position: number, input: { verdict: Verdict; comment?: string }): Promise<Review>;
  /** Resolves an open discrepancy (review.manage). */
  resolveDiscrepancy(actor: Actor, projectId: string, reviewId: string, position: number, comment: string): Promise<Review>;
  /** Authorizes (review.patient_data) and audits one view of a sampled patient's values, before they are read. */
  recordPatientView(actor: Actor, projectId: string, reviewId: string, position: number): Promise<PatientAccess>;
  /** Whether a digest has a completed review and how many discrepancies are open (review.read). */
  reviewStatus(actor: Actor, projectId: string, digest: string): Promise<ReviewStatus>;
}
