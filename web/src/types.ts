/** The API's shapes as the UI reads them (docs/api.md; the OpenAPI document is the reference). */

export type Role = 'org_admin' | 'integration_lead' | 'migration_analyst' | 'clinical_safety_officer' | 'auditor' | 'viewer';
export type Tier = 'pre_production' | 'staging' | 'production';

export const ROLES: Role[] = ['org_admin', 'integration_lead', 'migration_analyst', 'clinical_safety_officer', 'auditor', 'viewer'];
export const TIERS: Tier[] = ['pre_production', 'staging', 'production'];

export interface Grant {
  role: Role;
  projectId: string | null;
}

export interface Actor {
  userId: string;
  orgId: string;
  grants: Grant[];
}

export interface Org {
  id: string;
  slug: string;
  name: string;
}

export interface Workspace {
  id: string;
  name: string;
}

export interface Project {
  id: string;
  workspaceId: string;
  name: string;
}

export interface User {
  id: string;
  username: string;
  displayName: string;
  lockedAt: string | null;
  lockedReason: 'failed_logins' | 'admin' | null;
  failedLogins: number;
  grants: Grant[];
}

export interface TokenInfo {
  id: string;
  userId: string;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface VersionSummary {
  id: string;
  number: number;
  digest: string;
  contractName: string;
  contractVersion: string;
  authorId: string;
  createdAt: string;
  message: string;
  approval: { approverId: string; approvedAt: string; comment: string } | null;
}

export interface Diff {
  old: { name: string; version: string; digest: string };
  new: { name: string; version: string; digest: string };
  identical: boolean;
  changes: Array<{ op: 'added' | 'removed' | 'changed'; subject: string; path: string; property?: string; before?: unknown; after?: unknown }>;
}

export interface FieldRow {
  table: string;
  field: string;
  type: string;
  nullable: boolean;
  sourceTable: string | null;
  source: string[];
  steps: string[];
  crosswalk: string | null;
  rules: string[];
  rationale: string | null;
  status: string;
}

export interface Counts {
  read: number;
  loaded: number;
  quarantined: number;
  excluded: number;
}

export interface TableProgress extends Counts {
  table: string;
  state: 'pending' | 'running' | 'finished';
  total: number | null;
  rowsPerSecond: number | null;
  etaSeconds: number | null;
}

export interface Progress {
  tables: TableProgress[];
  totals: Counts & { total: number | null };
  rowsPerSecond: number | null;
  etaSeconds: number | null;
  engineRunId: string | null;
}

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'failed_gate' | 'cancelled';

export interface RunView {
  runId: string;
  projectId: string;
  tier: Tier;
  versionId: string;
  digest: string;
  dryRun: boolean;
  startedBy: string;
  status: RunStatus;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  progress: Progress;
  error: { code: string; message: string } | null;
}

export interface RunSummary {
  runId: string;
  tier: Tier;
  digest: string;
  dryRun: boolean;
  status: string;
  startedBy: string;
  finishedAt: string | null;
  gateDecision: string | null;
  live: boolean;
}

export interface Reason {
  reasonCode: string;
  rule: string;
  count: number;
}

export interface Kpi {
  value: number | null;
  status: string;
  numerator: number;
  denominator: number;
}

export interface Gate {
  kpi: string;
  table: string | null;
  value: number | null;
  threshold: { failBelow: number | null; warnBelow: number | null; tiers?: Tier[] | null; table?: string | null };
  decision: string;
}

export interface RunReport {
  runId: string;
  status: string;
  dryRun: boolean;
  contract: { name: string; version: string; digest: string };
  source: string;
  target: string | null;
  elapsedMs: number;
  totals: Counts;
  rowsPerSecond: number | null;
  tables: Array<Counts & { table: string; source: string; balanced: boolean; quarantineReasons: Reason[]; warnings: Reason[] }>;
  quarantineReasons: Reason[];
  quality?: { tier?: string; decision?: string; overall?: Record<string, Kpi>; gates?: Gate[]; crosswalks?: Array<{ crosswalk: string; table: string; unmapped: Array<{ code: string; rows: number }> }> };
  reconciliation?: {
    status: string;
    tables: Array<{ table: string; status: string; expected: number; matched: number; missing: number; extra: number; different: number }>;
    business?: Array<{ name: string; pass: boolean; source?: unknown; target?: unknown }>;
  };
  error?: { code: string; message: string };
}

export interface ReleaseTier {
  tier: Tier;
  /** The name of the registered connection the tier writes to. */
  connection: string | null;
  policy: { requiredRoles: Role[]; minApprovers: number; excludeAuthor: boolean };
  policyChangedBy: string | null;
  policyChangedAt: string | null;
  digest: string | null;
  approvals: Array<{ digest: string; tier: Tier; approverId: string; role: Role; comment: string; approvedAt: string }>;
  missing: string[];
  lastRun: { runId: string; status: string; digest: string; dryRun: boolean; recordedAt: string } | null;
}

export interface AuditEvent {
  seq: number;
  time: string;
  actor: string;
  projectId: string | null;
  type: string;
  payload: unknown;
  hash: string;
}

/** The chain as the caller's org may see it: nothing about other orgs' events. */
export interface VerifyResult {
  ok: boolean;
  scope: 'org';
  orgEvents: number;
  problems: Array<{ seq: number; code: string; message: string }>;
  brokenElsewhere: boolean;
  elapsedMs: number;
}

export interface SourceRef {
  ref: string;
  label: string;
  kind: 'probe' | 'connection' | 'upload' | 'synth';
}

/** One of the project's uploads (GET …/uploads). */
export interface UploadEntry {
  id: string;
  source: string;
  tables: string[];
  bytes: number;
  createdAt: string;
  createdBy: string;
  expiresAt: string;
}

export interface Uploads {
  uploads: UploadEntry[];
  usage: { uploads: number; bytes: number };
  quota: { uploads: number; bytes: number };
  retentionDays: number;
}

export interface ProfileColumn {
  name: string;
  inferred_type: string;
  null_rate: number;
  empty_rate: number;
  distinct: { count: number; estimated: boolean };
  top_values?: Array<{ value: string; count: number }>;
  patterns?: Array<{ class: string; fraction: number }>;
  dominant_pattern?: string | null;
  date_format?: { format: string } | null;
}

export interface ProfileTable {
  name: string;
  rows: number;
  candidate_keys: Array<{ columns: string[] }>;
  foreign_keys?: Array<{ columns: string[]; references: { table: string; columns: string[] }; strength?: string }>;
  columns: ProfileColumn[];
}

export interface Profile {
  tables: ProfileTable[];
}

export interface Suggestion {
  target: string;
  source: string | null;
  confidence: number;
  reason: string;
  transforms: unknown[];
}

export interface Lineage {
  target: string;
  entries: Array<{
    runId: string;
    runStatus: string;
    contractDigest: string;
    sourceTable: string;
    sourceKey: string;
    targetTable: string;
    outcome: 'loaded' | 'quarantined' | 'excluded';
    targetKey: string | null;
    reasonCode: string | null;
    fields?: Array<{ field: string; from: string[]; constant: boolean; steps: string[]; crosswalk: string | null; rules: string[] }>;
    contractMatches?: boolean;
  }>;
}
