/**
 * Response schemas of the clinical safety routes (routes/safety.ts): the hazard log with its
 * DCB0129 ratings, its versions and the hazard issues. The OpenAPI document and the web UI's
 * types derive from them; kept apart from the routes so the UI's type imports reach no server code.
 */
import { z } from 'zod';

const riskSchema = z
  .object({
    severity: z.number().describe('1 minor … 5 catastrophic'),
    likelihood: z.number().describe('1 very low … 5 very high'),
    rating: z.number().describe('the DCB0129 risk rating, 1..5'),
    name: z.string().describe('the rating in words: very low, low, medium, high, very high'),
  })
  .meta({ id: 'Risk' });

export const hazardSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    cause: z.string(),
    effect: z.string(),
    severity: z.number(),
    likelihood: z.number(),
    controls: z.array(z.string()),
    owner: z.string(),
    status: z.enum(['open', 'mitigated', 'closed', 'transferred']),
    evidence: z.array(z.string()).describe('signal patterns kind:name[@table] that raise issues against this hazard'),
    initialRisk: riskSchema,
    residualRisk: riskSchema,
    openIssues: z.number(),
  })
  .meta({ id: 'Hazard' });

export const hazardLogVersionSchema = z
  .object({
    id: z.string(),
    projectId: z.string(),
    version: z.number(),
    digest: z.string().describe('SHA-256 of the log’s canonical JSON'),
    hazards: z.number(),
    authorId: z.string(),
    comment: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'HazardLogVersion' });

export const hazardLogSchema = z
  .object({
    version: hazardLogVersionSchema.nullable().describe('null while the project has no hazard log'),
    hazards: z.array(hazardSchema),
    unassignedOpenIssues: z.number().describe('open issues no hazard’s evidence names'),
  })
  .meta({ id: 'HazardLog' });

export const submittedHazardLogSchema = z
  .object({ version: hazardLogVersionSchema, created: z.boolean().describe('false when the text means the same as the current version') })
  .meta({ id: 'SubmittedHazardLog' });

export const hazardIssueSchema = z
  .object({
    id: z.string(),
    projectId: z.string(),
    hazardId: z.string().nullable().describe('null: no hazard names the signal (unassigned)'),
    signal: z.string().describe('kind:name[@table], e.g. quarantine:rule.nhs_number@patient'),
    sourceKind: z.string(),
    runId: z.string().nullable().describe('the run that first raised it'),
    ref: z.string().nullable(),
    detail: z.string().describe('counts, codes and table names; never patient values'),
    status: z.enum(['open', 'resolved', 'accepted']),
    occurrences: z.number(),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
    lastRunId: z.string().nullable(),
    resolvedBy: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    resolutionComment: z.string().nullable(),
  })
  .meta({ id: 'HazardIssue' });
