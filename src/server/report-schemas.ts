/**
 * Response schemas for the evidence the library produces and the API passes on: the source
 * profile (src/profile/types.ts), and the run report's quality section (src/quality/report-types.ts),
 * reconciliation summary (src/run/reconcile-step.ts) and quality verdict (src/run/quality-verdict.ts).
 * They declare every field of those
 * shapes, because the transport drops what a schema leaves out; test/server/report-schemas.test.ts holds
 * them equal to the library's types, so a new field there fails the typecheck instead of
 * vanishing from the API.
 */
import { z } from 'zod';
import { LOGICAL_TYPES } from '../connectors/connector.js';
import { KPI_NAMES, TIERS } from '../contract/model.js';
import { PATTERN_CLASSES } from '../profile/patterns.js';

const logicalTypeSchema = z.enum(LOGICAL_TYPES);
const patternClassSchema = z.enum(PATTERN_CLASSES);

export const profileColumnSchema = z.object({
  name: z.string(),
  declared_type: logicalTypeSchema,
  native_type: z.string(),
  declared_nullable: z.boolean(),
  inferred_type: logicalTypeSchema,
  nulls: z.number(),
  empties: z.number(),
  null_rate: z.number(),
  empty_rate: z.number(),
  padded: z.number(),
  distinct: z.object({ count: z.number(), estimated: z.boolean() }),
  length: z.object({ min: z.number(), max: z.number(), min_is_bound: z.boolean(), max_is_bound: z.boolean() }).nullable(),
  range: z
    .object({ min: z.union([z.string(), z.number()]), max: z.union([z.string(), z.number()]), estimated: z.boolean(), min_is_bound: z.boolean(), max_is_bound: z.boolean() })
    .nullable()
    .describe('numeric and date columns only; an end held by fewer than min_frequency rows is replaced by a bound'),
  top_values: z.array(z.object({ value: z.string(), count: z.number() })).describe('values seen at least min_frequency times'),
  top_values_exact: z.boolean(),
  hidden_values: z.number(),
  patterns: z.array(z.object({ class: patternClassSchema, fraction: z.number() })),
  dominant_pattern: patternClassSchema.nullable(),
  date_format: z.object({ format: z.string(), fraction: z.number(), ambiguous_with: z.array(z.string()) }).nullable(),
});

export const profileTableSchema = z.object({
  name: z.string(),
  rows: z.number(),
  sampled: z.number(),
  sample_estimated: z.boolean(),
  declared_primary_key: z.array(z.string()),
  columns: z.array(profileColumnSchema),
  candidate_keys: z.array(z.object({ columns: z.array(z.string()), declared: z.boolean(), estimated: z.boolean() })),
  foreign_keys: z.array(
    z.object({
      columns: z.array(z.string()),
      references: z.object({ table: z.string(), columns: z.array(z.string()) }),
      declared: z.boolean(),
      containment: z.number().nullable(),
      estimated: z.boolean(),
      strength: z.enum(['declared', 'strong', 'weak']),
    }),
  ),
  source_problems: z
    .array(z.object({ column: z.string().nullable(), reason_code: z.string(), rows: z.number(), likely_encoding: z.string().nullable(), note: z.string() }))
    .optional()
    .describe('rows the source could not read faithfully (bytes not in the declared encoding, malformed records); absent when none'),
});

export const profileSchema = z
  .object({
    profile_version: z.literal(1),
    source: z.string(),
    options: z.object({ sample: z.number(), min_frequency: z.number(), exact_limit: z.number(), seed: z.number() }),
    tables: z.array(profileTableSchema),
  })
  .meta({ id: 'SourceProfile', description: 'as `ferry profile --json` prints it (docs/profiling.md), with `source` set to the source reference' });

export const kpiValueSchema = z
  .object({ value: z.number().nullable(), status: z.enum(['measured', 'not_applicable']), numerator: z.number(), denominator: z.number() })
  .meta({ id: 'KpiValue', description: '`not_applicable` means an empty denominator (value null, never 100%)' });

const kpisSchema = z.record(z.enum(KPI_NAMES), kpiValueSchema);
const exampleKeySchema = z.object({ table: z.string(), sourceTable: z.string(), sourceKey: z.string() });
const decisionSchema = z.enum(['pass', 'warn', 'fail']);
const severitySchema = z.enum(['error', 'warning']);

export const gateSchema = z
  .object({
    kpi: z.enum(KPI_NAMES),
    table: z.string().nullable().describe('target table, or null for the overall figure'),
    value: z.number().nullable(),
    numerator: z.number(),
    denominator: z.number(),
    threshold: z.object({ failBelow: z.number(), warnBelow: z.number().nullable(), tiers: z.array(z.enum(TIERS)).nullable(), table: z.string().nullable() }),
    decision: z.enum(['pass', 'warn', 'fail', 'not_applicable']),
    exampleKeys: z.array(exampleKeySchema),
  })
  .meta({ id: 'QualityGate' });

export const crosswalkCoverageSchema = z.object({
  crosswalk: z.string(),
  table: z.string().nullable(),
  seen: z.number(),
  mapped: z.number(),
  coverage: kpiValueSchema,
  unmapped: z.array(z.object({ code: z.string(), rows: z.number() })),
  unmappedOther: z.number(),
});

export const qualitySchema = z
  .object({
    tier: z.enum(TIERS),
    decision: decisionSchema,
    exampleKeyLimit: z.number(),
    overall: kpisSchema,
    tables: z.array(z.object({ table: z.string(), source: z.string(), kpis: kpisSchema, missingByField: z.array(z.object({ field: z.string(), rows: z.number() })), warnedRows: z.number() })),
    gates: z.array(gateSchema),
    crosswalks: z.array(crosswalkCoverageSchema),
    references: z.array(
      z.object({
        table: z.string(),
        columns: z.array(z.string()),
        references: z.object({ table: z.string(), columns: z.array(z.string()) }),
        status: z.enum(['checked', 'not_checked']),
        reason: z.string().nullable(),
        rows: z.number(),
        resolved: z.number(),
      }),
    ),
    tableRules: z.array(
      z.object({
        table: z.string(),
        rule: z.string(),
        kind: z.enum(['key', 'unique', 'duplicate_patient']),
        fields: z.array(z.string()),
        severity: severitySchema,
        failures: z.number(),
        exampleKeys: z.array(exampleKeySchema),
      }),
    ),
    checks: z.array(
      z.object({
        name: z.string(),
        kind: z.literal('allergy_conflict'),
        severity: severitySchema,
        count: z.number(),
        decision: decisionSchema,
        exampleKeys: z.array(exampleKeySchema),
        match: z.enum(['substance', 'class']).optional().describe('class: matched through the drug-class table (docs/drug-classes.md); absent for the substance-only check'),
        action: z.enum(['warn', 'quarantine']).optional().describe('quarantine: the counted medication rows were kept out of the target (reason check.allergy_conflict)'),
        quarantined: z.number().optional().describe('of count, the rows quarantined'),
        crossReactive: z.number().optional().describe('medication rows covered only by a lower-risk cross-reactive class pair (not in count, never quarantined)'),
      }),
    ),
  })
  .meta({ id: 'QualityReport', description: 'docs/quality.md: counts, codes and row keys only' });

export const verdictSchema = z
  .enum(['pass', 'warn', 'fail', 'none_declared', 'not_decided', 'not_measured'])
  .describe(
    "what the run's quality section may claim: the gates' decision (pass, warn, fail), or none_declared (the contract declares no gate or check for the tier), not_decided (the run failed or was cancelled, so the figures cover a partial run) or not_measured (no quality section); quality.decision alone says pass when nothing was gated (docs/run-report.md)",
  );

export const reconciliationSummarySchema = z
  .object({
    status: z.enum(['match', 'mismatch']),
    elapsedMs: z.number(),
    tables: z.array(z.object({ table: z.string(), status: z.string(), expected: z.number(), matched: z.number(), missing: z.number(), extra: z.number(), different: z.number() })),
    business: z.array(z.object({ name: z.string(), pass: z.boolean() })),
    report: z.unknown().describe('the full reconciliation report, as `ferry reconcile RUN --json` prints it (docs/reconciliation.md)'),
  })
  .meta({ id: 'RunReconciliation', description: 'docs/reconciliation.md: counts, checksums and row keys only' });
