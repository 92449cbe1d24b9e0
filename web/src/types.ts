/**
 * The API's shapes as the UI reads them. Each is the output type of the server's zod response
 * schema (src/server/schemas.ts, src/server/report-schemas.ts), the same schemas the transport
 * validates with and the OpenAPI document is built from. The imports are type-only, so no zod
 * and no server code reach the bundle, and a field the server renames or drops fails
 * `tsc -p web` where a screen reads it.
 */
import type { z } from 'zod';
import type { TIERS as SERVER_TIERS } from '../../src/contract/model.js';
import type { PERMISSIONS as SERVER_PERMISSIONS, ROLES as SERVER_ROLES } from '../../src/control/roles.js';
import type * as R from '../../src/server/report-schemas.js';
import type * as S from '../../src/server/schemas.js';
import type * as N from '../../src/server/settings-schemas.js';
import type * as H from '../../src/server/safety-schemas.js';
import type * as V from '../../src/server/review-schemas.js';

type Out<T extends z.ZodType> = z.output<T>;

export type Role = Out<typeof S.roleSchema>;
export type Tier = Out<typeof S.tierSchema>;

// Restated rather than imported: the modules that hold them build zod schemas when loaded,
// which would put zod into the bundle. The assertions below hold them equal, order included.
export const ROLES = ['org_admin', 'integration_lead', 'migration_analyst', 'clinical_safety_officer', 'clinical_reviewer', 'auditor', 'viewer'] as const;
export const TIERS = ['pre_production', 'staging', 'production'] as const;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
export type ConstantsMatchServer = Holds<Same<typeof ROLES, typeof SERVER_ROLES>> & Holds<Same<typeof TIERS, typeof SERVER_TIERS>>;

/** The roles that may approve each tier (release.approve_<tier>), restated like ROLES and held equal to the permission table. */
export const APPROVER_ROLES = { staging: ['integration_lead'], production: ['integration_lead', 'clinical_safety_officer'] } as const;
export type ApproversMatchServer = Holds<Same<typeof APPROVER_ROLES.staging, (typeof SERVER_PERMISSIONS)['release.approve_staging']['roles']>> &
  Holds<Same<typeof APPROVER_ROLES.production, (typeof SERVER_PERMISSIONS)['release.approve_production']['roles']>>;

export type Actor = Out<typeof S.actorSchema>;
export type SignedIn = Out<typeof S.loginSchema>;
export type Me = Out<typeof S.meSchema>;
export type ProjectPermissions = Out<typeof S.projectPermissionsSchema>;
export type Org = Out<typeof S.orgSchema>;
export type Workspace = Out<typeof S.workspaceSchema>;
export type Project = Out<typeof S.projectSchema>;
export type User = Out<typeof S.userSchema>;
export type TokenInfo = Out<typeof S.tokenInfoSchema>;
export type TokenCreated = Out<typeof S.tokenCreatedSchema>;
export type VersionSummary = Out<typeof S.versionSummarySchema>;
export type VersionCreated = Out<typeof S.versionCreatedSchema>;
export type Diff = Out<typeof S.diffSchema>;
export type FieldRow = Out<typeof S.fieldRowSchema>;
export type TargetFields = Out<typeof S.targetFieldsSchema>;

export type Progress = Out<typeof S.progressSchema>;
export type RunView = Out<typeof S.runViewSchema>;
/** A live run event's data (the `snapshot` and `end` events carry a RunView instead). */
export type RunEventData = Out<typeof S.runEventDataSchema>;
export type RunSummary = Out<typeof S.runSummarySchema>;
export type RunReport = Out<typeof S.runReportSchema>;
export type RollbackReport = Out<typeof S.rollbackReportSchema>;
export type ReleaseStatus = Out<typeof S.releaseStatusSchema>;
export type ReleaseTier = ReleaseStatus['tiers'][number];

export type AuditEvent = Out<typeof S.auditEventSchema>;
/** The chain as the caller's org may see it: nothing about other orgs' events. */
export type VerifyResult = Out<typeof S.verifySchema>;
export type AuditExport = Out<typeof S.auditExportSchema>;

export type SourceRef = Out<typeof S.sourceEntrySchema>;
export type Sources = Out<typeof S.sourcesSchema>;
export type SourceTable = Out<typeof S.sourceTableSchema>;
export type SourceTest = Out<typeof S.sourceTestSchema>;
export type UploadedSource = Out<typeof S.uploadedSourceSchema>;
/** The project's uploads (GET …/uploads). */
export type Uploads = Out<typeof S.uploadsSchema>;
export type UploadDeleted = Out<typeof S.uploadDeletedSchema>;
export type Profile = Out<typeof R.profileSchema>;
export type Suggestion = Out<typeof S.suggestionSchema>;
export type Suggestions = Out<typeof S.suggestionsSchema>;
export type Lineage = Out<typeof S.lineageSchema>;
export type SyncStatus = Out<typeof S.syncStatusSchema>;

export type ProjectSettings = Out<typeof N.projectSettingsSchema>;
export type Subscription = Out<typeof N.subscriptionSchema>;
export type NewSubscription = Out<typeof N.newSubscriptionSchema>;
export type Delivery = Out<typeof N.deliverySchema>;
export type BackupPolicy = Out<typeof N.backupPolicySchema>;

export type HazardLog = Out<typeof H.hazardLogSchema>;
export type HazardView = Out<typeof H.hazardSchema>;
export type HazardIssue = Out<typeof H.hazardIssueSchema>;
export type SubmittedHazardLog = Out<typeof H.submittedHazardLogSchema>;
export type ReviewSummary = Out<typeof V.reviewSummarySchema>;
export type Review = Out<typeof V.reviewSchema>;
export type ReviewPatientView = Out<typeof V.patientViewSchema>;
