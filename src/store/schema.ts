/**
 * Row types of the control store's tables, as kysely sees them. Each migration that adds a
 * table adds its interface here; column types are what both SQLite and PostgreSQL return
 * (PostgreSQL returns BIGINT as a string, hence `number | string` for sequence columns).
 */
import type { ColumnType } from 'kysely';

export interface MigrationRow {
  id: number;
  name: string;
  /** SHA-256 of the migration's SQL for the dialect it ran on. */
  checksum: string;
  applied_at: string;
}

export interface AuditEventRow {
  seq: number | string;
  time: string;
  actor: string;
  org_id: string | null;
  project_id: string | null;
  type: string;
  /** Copied from `payload.runId` so `--run` filters use an index; not hashed separately. */
  run_id: string | null;
  /** Canonical JSON of the payload. */
  payload: string;
  prev_hash: string;
  hash: string;
}

/** One row (id 1): the last appended event, so a deleted tail is detectable. */
export interface AuditHeadRow {
  id: number;
  seq: number | string;
  hash: string;
}

/** The store's own identity (migration 005): one row, a random id fixed when the store was created. */
export interface StoreIdentityRow {
  id: number;
  store_id: string;
}

export interface OrgRow {
  id: string;
  slug: string;
  name: string;
  created_at: string;
}

export interface WorkspaceRow {
  id: string;
  org_id: string;
  name: string;
  created_at: string;
}

export interface ProjectRow {
  id: string;
  org_id: string;
  workspace_id: string;
  name: string;
  created_at: string;
}

export interface AppUserRow {
  id: string;
  org_id: string;
  username: string;
  display_name: string;
  /** `scrypt$N$r$p$keylen$salt$hash` (base64url salt and hash). */
  password_hash: string;
  failed_logins: number;
  locked_at: string | null;
  locked_reason: string | null;
  created_at: string;
}

/** Failed logins of one account from one client address (migration 004). */
export interface LoginThrottleRow {
  user_id: string;
  /** SHA-256 hex of the client address; the address itself is never stored. */
  address_hash: string;
  org_id: string;
  /** Failures since the last back-off began (or since the last success). */
  failures: number;
  /** Back-off periods imposed so far; each doubles the next. Cleared by a successful login. */
  lockouts: number;
  /** Until when this pair's logins are refused, or null. */
  locked_until: string | null;
  last_failure_at: string;
}

export interface RoleGrantRow {
  user_id: string;
  role: string;
  /** '*' for an org-wide grant, else the project id. */
  scope: string;
  org_id: string;
  project_id: string | null;
  granted_by: string;
  granted_at: string;
}

export interface UserSessionRow {
  id: string;
  org_id: string;
  user_id: string;
  token_hash: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export interface ApiTokenRow {
  id: string;
  org_id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface ContractVersionRow {
  id: string;
  org_id: string;
  project_id: string;
  number: number;
  digest: string;
  contract_name: string;
  contract_version: string;
  author_id: string;
  created_at: string;
  message: string;
  yaml: string;
  /** JSON object: crosswalk path → CSV text. */
  crosswalks: string;
}

export interface VersionApprovalRow {
  version_id: string;
  org_id: string;
  project_id: string;
  approver_id: string;
  approved_at: string;
  comment: string;
}

export interface ReleaseTierRow {
  project_id: string;
  tier: string;
  org_id: string;
  /** The name of the org's registered connection the tier writes to, or null. */
  target_connection: string | null;
  /** JSON array of role names. */
  required_roles: string;
  min_approvers: number;
  /** 1 or 0. */
  exclude_author: number;
  updated_by: string;
  updated_at: string;
  /** Who last changed the approval policy (not the target), and when: separation of duties discounts them. */
  policy_updated_by: string | null;
  policy_updated_at: string | null;
  /** 1 when a run in this tier needs a completed sampling review of its digest with no open discrepancy (migration 008). */
  require_review: ColumnType<number, number | undefined, number>;
}

/** An operator-registered connection (migration 003). */
export interface ConnectionRow {
  id: string;
  org_id: string;
  name: string;
  direction: 'source' | 'target' | 'both';
  /** Connector kind (csv, ndjson, sqlite, postgres, mysql), for listings. */
  kind: string;
  /** A connector URL without a password, or `env:NAME` / `file:PATH` holding one. Operator-only. */
  url_ref: string;
  /** JSON array of project ids allowed to use it, or null for every project of the org. */
  projects: string | null;
  /** JSON array of tiers allowed to use it, or null for every tier. */
  tiers: string | null;
  /** JSON of its canonical identity at registration (see connection-guard.ts). */
  canonical: string;
  created_by: string;
  created_at: string;
}

export interface ReleaseApprovalRow {
  id: string;
  org_id: string;
  project_id: string;
  digest: string;
  tier: string;
  approver_id: string;
  role: string;
  comment: string;
  approved_at: string;
}

export interface RunRecordRow {
  project_id: string;
  run_id: string;
  org_id: string;
  digest: string;
  tier: string;
  status: string;
  gate_decision: string | null;
  /** 1 or 0. */
  dry_run: number;
  actor_id: string;
  recorded_at: string;
}

export interface PromotionRow {
  id: string;
  org_id: string;
  project_id: string;
  digest: string;
  tier: string;
  promoted_by: string;
  promoted_at: string;
}

/** A project's subscription to notified events (migration 006). */
export interface NotifySubscriptionRow {
  id: string;
  org_id: string;
  project_id: string;
  name: string;
  channel: 'webhook' | 'email';
  /** The webhook URL or the email address. */
  target: string;
  /** JSON array of event kinds (src/notify/kinds.ts). */
  events: string;
  /** The webhook signing secret (never returned after creation, never logged or audited); null for email. */
  secret: string | null;
  /** Sync lag threshold in seconds for `sync.lag`, else null. */
  lag_seconds: number | null;
  /** The seq of its `notify:subscribed` event: only later audit events are notified. */
  since_seq: number | string;
  created_by: string;
  created_at: string;
  removed_by: string | null;
  removed_at: string | null;
}

/** One notification of one subscription: the outbox row and its delivery log (migration 006). */
export interface NotifyDeliveryRow {
  id: string;
  org_id: string;
  project_id: string;
  subscription_id: string;
  /** What makes the notification unique for its subscription, e.g. `run.failed:<runId>`. */
  event_key: string;
  event_type: string;
  audit_seq: number | string | null;
  /** The JSON body sent (ids, digests, counts and codes only). */
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  /** HTTP status of the last webhook attempt, or the SMTP reply code. */
  last_status: number | null;
  /** Stable error code of the last failed attempt. */
  last_error: string | null;
  delivered_at: string | null;
  created_at: string;
}

/** One row (id 1): the last audit seq the notifier has matched to subscriptions. */
export interface NotifyCursorRow {
  id: number;
  seq: number | string;
}

/** Whether a sync was last seen above its subscription's lag threshold (migration 006). */
export interface NotifySyncStateRow {
  subscription_id: string;
  sync_id: string;
  org_id: string;
  /** 1 or 0. */
  lagging: number;
  crossings: number;
  updated_at: string;
}

/** A project's backup policy (migration 006); no row means the default (not required, keep everything). */
export interface BackupPolicyRow {
  project_id: string;
  org_id: string;
  /** 1 or 0. */
  required: number;
  keep_last: number | null;
  keep_days: number | null;
  updated_by: string;
  updated_at: string;
}

/** One version of a project's hazard log (migration 007); immutable once written. */
export interface HazardLogVersionRow {
  id: string;
  org_id: string;
  project_id: string;
  version: number;
  /** SHA-256 of the log's canonical JSON. */
  digest: string;
  /** The parsed log (format ferry.hazards/v1) as JSON. */
  body: string;
  author_id: string;
  comment: string;
  created_at: string;
}

/** Evidence raised against a project's hazard log (migration 007): counts, codes and table names only. */
export interface HazardIssueRow {
  id: string;
  org_id: string;
  project_id: string;
  /** The hazard whose evidence pattern names the signal; null when none does ("unassigned"). */
  hazard_id: string | null;
  /** `kind:name[@table]`, e.g. `quarantine:rule.nhs_number@patient`. */
  signal: string;
  source_kind: string;
  run_id: string | null;
  /** What distinguishes repeated signals (e.g. a review and a source key); '' for none. */
  ref: string;
  detail: string;
  status: 'open' | 'resolved' | 'accepted';
  occurrences: number;
  first_seen_at: string;
  last_seen_at: string;
  last_run_id: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
  resolution_comment: string | null;
}

/** A clinician sampling review of one run (migration 008): keys and strata only, never patient values. */
export interface ReviewRow {
  id: string;
  org_id: string;
  project_id: string;
  run_id: string;
  /** The run's id in the target's ledger (the server hands out its own run ids; the CLI's are the ledger's). */
  target_run_id: string;
  digest: string;
  tier: string;
  root_table: string;
  seed: number | string;
  patients_requested: number;
  stratify: string | null;
  /** JSON object: stratum → patients of the run in it. */
  population: string;
  /** The named connection, or a display URL without credentials. */
  source_ref: string;
  target_ref: string;
  created_by: string;
  created_at: string;
  status: 'open' | 'complete';
  completed_at: string | null;
}

/** One sampled patient of a review and its verdict (migration 008). */
export interface ReviewPatientRow {
  review_id: string;
  org_id: string;
  position: number;
  patient_key: string;
  stratum: 'quarantined' | 'cascaded' | 'crosswalked' | 'clean';
  verdict: 'matches' | 'discrepancy' | null;
  comment: string | null;
  reviewer_id: string | null;
  reviewed_at: string | null;
  discrepancy_status: 'open' | 'resolved' | null;
  resolved_by: string | null;
  resolved_at: string | null;
  resolution_comment: string | null;
}

export interface ControlDatabase {
  ferry_migrations: MigrationRow;
  audit_event: AuditEventRow;
  audit_head: AuditHeadRow;
  store_identity: StoreIdentityRow;
  org: OrgRow;
  workspace: WorkspaceRow;
  project: ProjectRow;
  app_user: AppUserRow;
  login_throttle: LoginThrottleRow;
  role_grant: RoleGrantRow;
  user_session: UserSessionRow;
  api_token: ApiTokenRow;
  contract_version: ContractVersionRow;
  version_approval: VersionApprovalRow;
  release_tier: ReleaseTierRow;
  release_approval: ReleaseApprovalRow;
  run_record: RunRecordRow;
  promotion: PromotionRow;
  connection: ConnectionRow;
  notify_subscription: NotifySubscriptionRow;
  notify_delivery: NotifyDeliveryRow;
  notify_cursor: NotifyCursorRow;
  notify_sync_state: NotifySyncStateRow;
  backup_policy: BackupPolicyRow;
  hazard_log_version: HazardLogVersionRow;
  hazard_issue: HazardIssueRow;
  review: ReviewRow;
  review_patient: ReviewPatientRow;
}
