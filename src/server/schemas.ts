/**
 * Response schemas of the API, as it shows its objects. They list exactly the fields a client
 * may see: the transport parses every JSON response through its route's schema, which drops
 * anything undeclared (password hashes, token hashes, secret values). Named ones carry an
 * OpenAPI component id via `.meta({ id })`. The web UI's API types are their output types
 * (web/src/types.ts), so this module and what it imports must type-check without Node's types.
 */
import { z } from 'zod';
import { ROLES } from '../control/roles.js';
import { TIERS } from '../contract/model.js';
import { qualitySchema, reconciliationSummarySchema, verdictSchema } from './report-schemas.js';
import { syncCountsSchema } from '../sync/sync-counts.js';
import { progressSchema as syncProgressSchema } from '../sync/sync-progress.js';

export const roleSchema = z.enum(ROLES);
export const tierSchema = z.enum(TIERS);
export const idParam = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.-]+$/, 'must be an id such as prj_…');
export const digestSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase SHA-256 hex digest');

export const okSchema = z.object({ ok: z.literal(true) }).meta({ id: 'Ok' });

export const grantSchema = z.object({ role: roleSchema, projectId: z.string().nullable() }).meta({ id: 'Grant' });

export const actorSchema = z.object({ userId: z.string(), orgId: z.string(), grants: z.array(grantSchema) }).meta({ id: 'Actor' });

export const orgSchema = z.object({ id: z.string(), slug: z.string(), name: z.string(), createdAt: z.string() }).meta({ id: 'Org' });

export const workspaceSchema = z.object({ id: z.string(), orgId: z.string(), name: z.string(), createdAt: z.string() }).meta({ id: 'Workspace' });

export const projectSchema = z.object({ id: z.string(), orgId: z.string(), workspaceId: z.string(), name: z.string(), createdAt: z.string() }).meta({ id: 'Project' });

export const userSchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    username: z.string(),
    displayName: z.string(),
    lockedAt: z.string().nullable(),
    lockedReason: z.enum(['failed_logins', 'admin']).nullable(),
    failedLogins: z.number(),
    createdAt: z.string(),
    grants: z.array(grantSchema),
  })
  .meta({ id: 'User' });

const permissionsSchema = z.array(z.string()).describe('permissions the caller holds in this scope');

export const loginSchema = z.object({ token: z.string(), sessionId: z.string(), expiresAt: z.string(), actor: actorSchema });

export const meSchema = z.object({ actor: actorSchema, permissions: permissionsSchema });

export const projectPermissionsSchema = z.object({ projectId: z.string(), permissions: permissionsSchema });

export const tokenInfoSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    name: z.string(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiToken' });

export const tokenCreatedSchema = z.object({ token: z.string(), info: tokenInfoSchema });

const approvalSchema = z.object({ approverId: z.string(), approvedAt: z.string(), comment: z.string() });

export const versionSummarySchema = z
  .object({
    id: z.string(),
    projectId: z.string(),
    number: z.number(),
    digest: z.string(),
    contractName: z.string(),
    contractVersion: z.string(),
    authorId: z.string(),
    createdAt: z.string(),
    message: z.string(),
    approval: approvalSchema.nullable(),
  })
  .meta({ id: 'ContractVersionSummary' });

export const versionCreatedSchema = z.object({ created: z.boolean(), version: versionSummarySchema });

export const versionSchema = versionSummarySchema.extend({ yaml: z.string(), crosswalks: z.record(z.string(), z.string()).describe('crosswalk file path → CSV text') }).meta({ id: 'ContractVersion' });

const json: z.ZodType<unknown> = z.unknown();

export const diffSchema = z
  .object({
    old: z.object({ name: z.string(), version: z.string(), digest: z.string() }),
    new: z.object({ name: z.string(), version: z.string(), digest: z.string() }),
    identical: z.boolean(),
    changes: z.array(
      z.object({
        op: z.enum(['added', 'removed', 'changed']),
        subject: z.string(),
        path: z.string(),
        property: z.string().optional(),
        before: json.optional(),
        after: json.optional(),
      }),
    ),
  })
  .meta({ id: 'ContractDiff' });

export const policySchema = z.object({ requiredRoles: z.array(roleSchema), minApprovers: z.number(), excludeAuthor: z.boolean(), requireReview: z.boolean() }).meta({ id: 'ApprovalPolicy' });

export const tierConfigSchema = z
  .object({
    tier: tierSchema,
    connection: z.string().nullable().describe('the name of the registered connection the tier writes to (never a URL, path or secret reference)'),
    policy: policySchema,
    policyChangedBy: z.string().nullable().describe('who last changed the approval policy (their own approvals never satisfy production’s independent-approval floor)'),
    policyChangedAt: z.string().nullable(),
  })
  .meta({ id: 'TierConfig' });

export const runRecordSchema = z
  .object({
    projectId: z.string(),
    digest: z.string(),
    tier: tierSchema,
    runId: z.string(),
    status: z.string(),
    gateDecision: z.enum(['pass', 'warn', 'fail', 'not_applicable']).nullable(),
    dryRun: z.boolean(),
    actorId: z.string(),
    recordedAt: z.string(),
  })
  .meta({ id: 'RunRecord' });

export const releaseApprovalSchema = z
  .object({ digest: z.string(), tier: tierSchema, approverId: z.string(), role: roleSchema, comment: z.string(), approvedAt: z.string() })
  .meta({ id: 'ReleaseApproval' });

export const promotionSchema = z.object({ digest: z.string(), tier: tierSchema, promotedBy: z.string(), promotedAt: z.string() }).meta({ id: 'Promotion' });

export const releaseStatusSchema = z
  .object({
    projectId: z.string(),
    tiers: z.array(
      z.object({
        tier: tierSchema,
        connection: z.string().nullable(),
        policy: policySchema,
        policyChangedBy: z.string().nullable(),
        policyChangedAt: z.string().nullable(),
        digest: z.string().nullable(),
        promotion: z
          .object({ digest: z.string(), tier: tierSchema, promotedBy: z.string(), promotedAt: z.string() })
          .nullable()
          .describe('the latest promotion of this digest into the tier (who, when); null when it was not promoted (pre_production never is)'),
        approvals: z.array(releaseApprovalSchema),
        missing: z
          .array(z.string())
          .describe('stable condition codes: version_submitted, version_approved, passed:<tier>, approval:<role>, approvers:<n>, approval:independent, review:complete, review:discrepancies:<n>'),
        lastRun: runRecordSchema.nullable(),
      }),
    ),
  })
  .meta({ id: 'ReleaseStatus' });

const countsSchema = z.object({ read: z.number(), loaded: z.number(), quarantined: z.number(), excluded: z.number() });

const tableProgressSchema = countsSchema.extend({
  table: z.string(),
  state: z.enum(['pending', 'running', 'finished']),
  total: z.number().nullable(),
  rowsPerSecond: z.number().nullable(),
  etaSeconds: z.number().nullable(),
});

const progressTotalsSchema = countsSchema.extend({ total: z.number().nullable() });

export const progressSchema = z
  .object({
    tables: z.array(tableProgressSchema),
    totals: progressTotalsSchema,
    rowsPerSecond: z.number().nullable(),
    etaSeconds: z.number().nullable(),
    engineRunId: z.string().nullable().describe("the engine's run id in the target's bookkeeping (resume, rollback)"),
  })
  .meta({ id: 'RunProgress' });

/** The data of each live event on `GET …/runs/{runId}/events` between `snapshot` and `end` (which carry the run). */
export const runEventDataSchema = z.object({
  event: z.looseObject({ type: z.string().describe('the engine event type, also the SSE event name'), runId: z.string() }).describe("the engine's run event, with the API's run id"),
  table: tableProgressSchema.nullable().describe("the event's table after it, or null for run-wide events"),
  totals: progressTotalsSchema,
  rowsPerSecond: z.number().nullable(),
  etaSeconds: z.number().nullable(),
});

export const runViewSchema = z
  .object({
    runId: z.string(),
    projectId: z.string(),
    tier: tierSchema,
    versionId: z.string(),
    digest: z.string(),
    dryRun: z.boolean(),
    startedBy: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed', 'failed_gate', 'cancelled']),
    queuedAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    progress: progressSchema,
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
  })
  .meta({ id: 'Run' });

const reasonSchema = z.object({ reasonCode: z.string(), rule: z.string(), count: z.number() });

export const runReportSchema = z
  .object({
    format: z.literal('ferry.run-report/v1'),
    runId: z.string(),
    status: z.string(),
    dryRun: z.boolean(),
    resumed: z.boolean(),
    contract: z.object({ name: z.string(), version: z.string(), digest: z.string() }),
    source: z.string(),
    target: z.string().nullable(),
    pilot: z.object({ root: z.string(), patients: z.number() }).nullable(),
    startedAt: z.string(),
    finishedAt: z.string(),
    elapsedMs: z.number(),
    totals: countsSchema,
    rowsPerSecond: z.number().nullable(),
    tables: z.array(
      countsSchema.extend({
        table: z.string(),
        source: z.string(),
        balanced: z.boolean(),
        elapsedMs: z.number(),
        rowsPerSecond: z.number().nullable(),
        keyRanges: z.number().optional().describe('key ranges (partitions) the table loaded in; 1 for a whole table (docs/distributed.md)'),
        quarantineReasons: z.array(reasonSchema),
        warnings: z.array(reasonSchema),
      }),
    ),
    quarantineReasons: z.array(reasonSchema),
    quality: qualitySchema.optional().describe('present once the run got past preflight'),
    lineage: z.boolean().optional().describe('true when per-source-row lineage was written to the target (docs/lineage.md)'),
    reconciliation: reconciliationSummarySchema.optional().describe('absent for dry runs, failed runs and runs without reconciliation'),
    verdict: verdictSchema.optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .meta({ id: 'RunReport' });

export const auditEventSchema = z
  .object({
    seq: z.number(),
    time: z.string(),
    actor: z.string(),
    orgId: z.string().nullable(),
    projectId: z.string().nullable(),
    type: z.string(),
    payload: json,
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEvent' });

/** `POST /audit/verify` for an org-scoped caller: nothing about any other org (src/control/audit-scope.ts). */
export const verifySchema = z
  .object({
    ok: z.boolean().describe('the whole chain, its head and its anchor verify'),
    scope: z.literal('org'),
    orgEvents: z.number().describe("events of the caller's org, all checked"),
    problems: z.array(z.object({ seq: z.number(), code: z.string(), message: z.string() })).describe("damaged events of the caller's org only"),
    brokenElsewhere: z.boolean().describe("the chain is broken outside the caller's org's events: the operator runs ferry audit verify"),
    elapsedMs: z.number(),
  })
  .meta({ id: 'AuditVerifyResult' });

export const auditExportSchema = z.object({
  manifest: z.record(z.string(), z.unknown()),
  files: z.array(z.object({ name: z.string(), text: z.string() })),
});

export const rollbackReportSchema = z
  .object({
    format: z.literal('ferry.rollback/v1'),
    runId: z.string().describe("the API's run id"),
    engineRunId: z.string().describe("the engine's run id in the target's bookkeeping"),
    target: z.string().describe("the tier's target reference (env:NAME or file:PATH), never the URL"),
    executed: z.boolean().describe('always true: the API rolls back, it does not only check'),
    tables: z.array(z.object({ table: z.string(), deleted: z.number(), restored: z.number() })),
    totals: z.object({ deleted: z.number(), restored: z.number() }),
  })
  .meta({ id: 'RollbackReport', description: 'as `ferry rollback --json` prints it (docs/lineage.md#rollback)' });

export const runSummarySchema = z
  .object({
    runId: z.string(),
    tier: tierSchema,
    digest: z.string(),
    dryRun: z.boolean(),
    status: z.string(),
    startedBy: z.string(),
    finishedAt: z.string().nullable(),
    gateDecision: z.string().nullable(),
    live: z.boolean().describe('true while this server holds the run (queued, running or recently finished)'),
  })
  .meta({ id: 'RunSummary' });

export const sourceEntrySchema = z
  .object({
    ref: z.string().describe('the source reference to send as `source`'),
    label: z.string(),
    kind: z.enum(['probe', 'connection', 'upload', 'synth']),
  })
  .meta({ id: 'SourceEntry' });

export const sourcesSchema = z.object({ sources: z.array(sourceEntrySchema) });

export const sourceTableSchema = z.object({
  name: z.string(),
  columns: z.number().describe('column count'),
  rows: z.number().optional().describe('row count, left out when counting would take too long'),
});

export const sourceTestSchema = z
  .union([z.object({ ok: z.literal(true), tables: z.array(sourceTableSchema) }), z.object({ ok: z.literal(false), code: z.string(), message: z.string() })])
  .meta({ id: 'SourceTest' });

export const uploadedSourceSchema = z.object({ source: z.string().describe('upload:upl_…'), tables: z.array(sourceTableSchema) }).meta({ id: 'Upload' });

export const uploadEntrySchema = z
  .object({
    id: z.string().describe('upl_…'),
    source: z.string().describe('the source reference to send as `source`: upload:upl_…'),
    tables: z.array(z.string()),
    format: z.enum(['csv', 'ndjson']),
    bytes: z.number().describe('bytes the stored files take'),
    createdAt: z.string(),
    createdBy: z.string().describe('user id of the uploader'),
    expiresAt: z.string().describe('when the retention sweep removes it'),
  })
  .meta({ id: 'UploadEntry' });

const amountSchema = z.object({ uploads: z.number(), bytes: z.number() });

export const uploadsSchema = z.object({ uploads: z.array(uploadEntrySchema), usage: amountSchema, quota: amountSchema, retentionDays: z.number() }).meta({ id: 'Uploads' });

export const uploadDeletedSchema = z.object({ deleted: z.string().describe('the id of the upload removed') });

export const suggestionSchema = z.object({
  target: z.string(),
  source: z.string().nullable(),
  confidence: z.number(),
  reason: z.string(),
  transforms: z.array(z.unknown()),
});

export const fieldRowSchema = z
  .object({
    table: z.string(),
    field: z.string(),
    type: z.string(),
    nullable: z.boolean(),
    sourceTable: z.string().describe("the mapping's source table; empty when the target table has no mapping"),
    source: z.array(z.string()).describe('source columns (`COL` or `ALIAS.COL`, first non-blank when several), or `constant …`; empty when unmapped'),
    steps: z.array(z.string()).describe('transform steps in words'),
    crosswalk: z.string().nullable(),
    rules: z.array(z.string()).describe('field rules in words'),
    rationale: z.string().describe('empty for unmapped columns'),
    status: z
      .enum(['accepted', 'suggested', 'rejected', 'unmapped'])
      .describe('the field mapping’s status (a contract field without one is `accepted`, the contract default); `unmapped` for target columns no mapping fills'),
  })
  .meta({ id: 'TargetField' });

export const targetFieldsSchema = z.object({ fields: z.array(fieldRowSchema) });

export const suggestionsSchema = z.object({ suggestions: z.array(suggestionSchema), contractYaml: z.string() }).meta({ id: 'Suggestions' });

export const lineageSchema = z
  .object({
    format: z.literal('ferry.lineage/v1'),
    target: z.string().describe("the name of the tier's target connection"),
    query: z.object({ by: z.enum(['target', 'source']), table: z.string(), key: z.string() }),
    entries: z.array(
      z.object({
        runId: z.string().describe("the engine's run id (a run's progress.engineRunId)"),
        runStatus: z.string(),
        contractDigest: z.string(),
        crosswalks: z.array(z.object({ name: z.string(), version: z.string().nullable(), digest: z.string() })),
        sourceTable: z.string(),
        sourceKey: z.string(),
        targetTable: z.string(),
        outcome: z.enum(['loaded', 'quarantined', 'excluded']),
        targetKey: z.string().nullable(),
        reasonCode: z.string().nullable(),
        fields: z
          .array(z.object({ field: z.string(), from: z.array(z.string()), constant: z.boolean(), steps: z.array(z.string()), crosswalk: z.string().nullable(), rules: z.array(z.string()) }))
          .optional(),
        contractMatches: z.boolean().optional(),
      }),
    ),
  })
  .meta({ id: 'Lineage', description: 'docs/lineage.md: keys, codes and digests only' });

export const syncStatusSchema = z
  .object({
    syncId: z.string(),
    state: z.enum(['snapshot', 'streaming', 'stopping', 'stopped', 'cutting_over', 'cut_over', 'failed']),
    method: z.string().describe('postgres (logical replication), mysql (binlog) or watermark'),
    target: z.string().describe("the name of the tier's target connection"),
    contractDigest: z.string(),
    startedAt: z.string(),
    updatedAt: z.string(),
    snapshotRunId: z.string().nullable(),
    position: z.string().nullable().describe('the source position of the last applied change'),
    lastCommitAt: z.string().nullable(),
    streaming: z.boolean().describe('a process reported within the last few heartbeats'),
    lag: z.object({ bytes: z.number().nullable(), seconds: z.number().nullable(), pendingTransactions: z.number().int().nullable() }),
    progress: syncProgressSchema.nullable(),
    counts: syncCountsSchema,
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    cutover: z
      .object({
        syncId: z.string(),
        matched: z.boolean(),
        startedAt: z.string(),
        frozenAt: z.string(),
        drainedAt: z.string(),
        finishedAt: z.string(),
        windowMs: z.number(),
        quietSeconds: z.number(),
        position: z.string(),
        head: z.string(),
        counts: syncCountsSchema,
        reconciliation: z.object({
          status: z.enum(['match', 'mismatch']),
          tables: z.array(z.object({ table: z.string(), expected: z.number().int(), missing: z.number().int(), extra: z.number().int(), different: z.number().int() })),
          mismatches: z.array(z.object({ code: z.string(), table: z.string().nullable(), check: z.string().nullable() })),
        }),
        gate: z.object({ tier: z.enum(TIERS), verdict: z.string(), failing: z.array(z.object({ kpi: z.string(), table: z.string().nullable() })) }),
        pending: z.array(z.object({ sourceTable: z.string(), sourceKey: z.string(), targetTable: z.string(), rule: z.string(), reasonCode: z.string() })),
      })
      .nullable(),
  })
  .meta({ id: 'SyncStatus' });
