/**
 * The audit event map: one `noun:verb` key per kind of event, one zod payload schema per key.
 * Payloads are strict objects of identifiers, counts, codes and digests, so nothing else (in
 * particular no patient value) can be smuggled into the trail: an unknown key is refused at
 * append time. Add an event by adding a key here and documenting it in docs/audit.md.
 */
import { z } from 'zod';
import { TIERS } from '../contract/model.js';
import { FerryError, issue } from '../errors.js';

/** Identifiers: run ids, table names, user ids, codes. Short, single-line, no free text. */
const id = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\r\n]*$/, 'must be a single line');
const digest = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase SHA-256 hex digest');
const count = z.number().int().nonnegative();
const iso = z.iso.datetime({ offset: true });
const tier = z.enum(TIERS);

const tableCounts = z.strictObject({ read: count, loaded: count, quarantined: count, excluded: count });
const kpiResult = z.strictObject({
  kpi: id,
  table: id.nullable(),
  measured: z.number().nullable(),
  threshold: z.number(),
});

/** A tier's settings as the trail records them: the connection's name, never its URL. */
const tierSetting = z.strictObject({ connection: id.nullable(), requiredRoles: z.array(id), minApprovers: count, excludeAuthor: z.boolean(), requireReview: z.boolean().optional() });

export const auditPayloadSchemas = {
  'contract:versioned': z.strictObject({ contract: id, version: count, contractDigest: digest, parentDigest: digest.nullable() }),
  'contract:approved': z.strictObject({ contract: id, version: count, contractDigest: digest }),
  'run:started': z.strictObject({ runId: id, contractDigest: digest, tier: tier.nullable(), tables: z.array(id), resumed: z.boolean(), dryRun: z.boolean() }),
  'batch:loaded': z.strictObject({ runId: id, table: id, batchRows: count, counts: tableCounts }),
  'table:finished': z.strictObject({ runId: id, table: id, counts: tableCounts, elapsedMs: count }),
  'run:finished': z.strictObject({ runId: id, status: id, elapsedMs: count, totals: tableCounts }),
  'run:rolled_back': z.strictObject({ runId: id, tables: z.array(z.strictObject({ table: id, deleted: count, restored: count })) }),
  'sync:started': z.strictObject({ syncId: id, contractDigest: digest, method: id, tables: z.array(id), snapshotRunId: id.nullable(), resumed: z.boolean() }),
  'sync:stopped': z.strictObject({ syncId: id, reason: id, position: id.nullable() }),
  'sync:failed': z.strictObject({ syncId: id, code: id, position: id.nullable() }),
  'sync:cutover': z.strictObject({
    syncId: id,
    matched: z.boolean(),
    windowMs: count,
    position: id.nullable(),
    reconciliation: id,
    verdict: id,
    pendingRows: count,
    tables: z.array(z.strictObject({ table: id, upserted: count, deleted: count, quarantined: count })),
  }),
  'gate:passed': z.strictObject({ runId: id, tier: tier.nullable(), kpis: z.array(kpiResult) }),
  'gate:failed': z.strictObject({ runId: id, tier: tier.nullable(), kpis: z.array(kpiResult) }),
  'release:approved': z.strictObject({ contractDigest: digest, tier, role: id }),
  'release:promoted': z.strictObject({ contractDigest: digest, fromTier: tier, toTier: tier }),
  'release:refused': z.strictObject({ contractDigest: digest, tier, missing: z.array(id) }),
  'user:created': z.strictObject({ userId: id }),
  'user:locked': z.strictObject({ userId: id, reason: z.enum(['failed_logins', 'admin']), failedAttempts: count }),
  'user:unlocked': z.strictObject({ userId: id }),
  'user:login': z.strictObject({ userId: id, method: z.enum(['password', 'token']) }),
  'user:login_failed': z.strictObject({ userId: id.nullable(), reason: z.enum(['unknown_user', 'bad_password', 'locked', 'expired', 'backoff']) }),
  'user:login_backoff': z.strictObject({ userId: id, failedAttempts: count, lockouts: count, seconds: count }),
  'user:sessions_revoked': z.strictObject({ userId: id, sessions: count, tokens: count.optional() }),
  'user:password_changed': z.strictObject({ userId: id, sessions: count }),
  'user:password_reset': z.strictObject({ userId: id, sessions: count, tokens: count }),
  'role:granted': z.strictObject({ userId: id, role: id, scope: id }),
  'role:revoked': z.strictObject({ userId: id, role: id, scope: id }),
  'token:created': z.strictObject({ userId: id, tokenId: id }),
  'token:revoked': z.strictObject({ userId: id, tokenId: id }),
  'org:created': z.strictObject({ orgId: id, slug: id }),
  'workspace:created': z.strictObject({ workspaceId: id }),
  'project:created': z.strictObject({ projectId: id, workspaceId: id }),
  'upload:created': z.strictObject({ uploadId: id, tables: z.array(id), files: count }),
  'release:configured': z.strictObject({ tier, before: tierSetting, after: tierSetting, policyChanged: z.boolean() }),
  'connection:registered': z.strictObject({ connectionId: id, name: id, direction: z.enum(['source', 'target', 'both']), kind: id, projects: z.array(id).nullable(), tiers: z.array(tier).nullable() }),
  'connection:removed': z.strictObject({ connectionId: id, name: id }),
  'upload:deleted': z.strictObject({ uploadId: id }),
  'upload:expired': z.strictObject({ uploadId: id, retentionDays: z.number().positive() }),
  'run:recorded': z.strictObject({ runId: id, contractDigest: digest, tier, status: id, gateDecision: id.nullable(), dryRun: z.boolean() }),
  'access:denied': z.strictObject({ action: id, resource: id, resourceId: id.nullable(), reason: z.enum(['not_found', 'forbidden']) }),
  'audit:exported': z.strictObject({
    from: iso,
    to: iso,
    project: id.nullable(),
    events: count,
    firstSeq: count.nullable(),
    lastSeq: count.nullable(),
    encrypted: z.boolean(),
  }),
  'notify:subscribed': z.strictObject({ subscriptionId: id, channel: z.enum(['webhook', 'email']), events: z.array(id), lagSeconds: count.nullable() }),
  'notify:unsubscribed': z.strictObject({ subscriptionId: id }),
  'notify:gave_up': z.strictObject({ subscriptionId: id, deliveryId: id, eventType: id, attempts: count, code: id }),
  'review:created': z.strictObject({
    reviewId: id,
    runId: id,
    contractDigest: digest,
    tier,
    seed: count,
    stratify: id.nullable(),
    patients: count,
    strata: z.strictObject({ quarantined: count, cascaded: count, crosswalked: count, clean: count }),
  }),
  'review:verdict': z.strictObject({ reviewId: id, runId: id, position: count, verdict: z.enum(['matches', 'discrepancy']) }),
  'review:completed': z.strictObject({ reviewId: id, runId: id, contractDigest: digest, patients: count, discrepancies: count }),
  'review:discrepancy_resolved': z.strictObject({ reviewId: id, runId: id, position: count }),
  'review:patient_viewed': z.strictObject({ reviewId: id, runId: id, position: count, patientKeyDigest: digest }),
  'settings:backup_policy': z.strictObject({ required: z.boolean(), keepLast: count.nullable(), keepDays: count.nullable() }),
  'backup:taken': z.strictObject({
    backupId: id,
    runId: id.nullable(),
    syncId: id.nullable(),
    contractDigest: digest.nullable(),
    kind: id,
    tables: z.array(z.strictObject({ table: id, absent: z.boolean(), rows: count, sha256: digest })),
    bytes: count,
    dataDigest: digest,
  }),
  'backup:skipped': z.strictObject({ reason: z.enum(['no_backup_flag', 'not_configured', 'resumed']), runId: id.nullable(), syncId: id.nullable(), contractDigest: digest.nullable() }),
  'backup:restored': z.strictObject({ backupId: id, kind: id, tables: z.array(z.strictObject({ table: id, rows: count })), created: z.array(id), droppedCreated: z.boolean() }),
  'safety:hazard_log_submitted': z.strictObject({ version: count, digest, hazards: count }),
  'safety:issue_opened': z.strictObject({ issueId: id, hazardId: id.nullable(), signal: id, sourceKind: id, runId: id.nullable() }),
  'safety:issue_reopened': z.strictObject({ issueId: id, hazardId: id.nullable(), signal: id, sourceKind: id, runId: id.nullable() }),
  'safety:issue_resolved': z.strictObject({ issueId: id, hazardId: id.nullable(), status: z.enum(['resolved', 'accepted']) }),
  'backup:pruned': z.strictObject({ backupIds: z.array(id), keep: count.nullable(), keepDays: z.number().positive().nullable() }),
} as const;

export type AuditEventType = keyof typeof auditPayloadSchemas;
export type AuditEventMap = { [K in AuditEventType]: z.infer<(typeof auditPayloadSchemas)[K]> };

/** Every event type, in declaration order. */
export const AUDIT_EVENT_TYPES = Object.keys(auditPayloadSchemas) as AuditEventType[];

/** True when `type` is a known audit event type. */
export function isAuditEventType(type: string): type is AuditEventType {
  return Object.hasOwn(auditPayloadSchemas, type);
}

/** Validates a payload against its type's schema; throws a usage error listing every problem. */
export function parsePayload<K extends AuditEventType>(type: K, payload: unknown): AuditEventMap[K] {
  if (!isAuditEventType(type)) {
    throw new FerryError('usage', 'audit.unknown_type', `"${String(type)}" is not an audit event type; known types: ${AUDIT_EVENT_TYPES.join(', ')}`);
  }
  const parsed = auditPayloadSchemas[type].safeParse(payload);
  if (!parsed.success) {
    // Report where and what, never the offending value: it may be the very thing we keep out.
    const issues = parsed.error.issues.map((i) =>
      issue('audit.bad_payload', `${type}.${i.path.join('.')}`, i.code === 'unrecognized_keys' ? `key(s) ${i.keys.join(', ')} are not allowed in ${type} payloads` : i.message),
    );
    throw new FerryError('usage', 'audit.bad_payload', `the ${type} audit payload is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  return parsed.data as AuditEventMap[K];
}
