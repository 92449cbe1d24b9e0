/**
 * Response schemas of the sampling review routes (routes/reviews.ts), apart so the web UI can
 * take their types without loading the server.
 */
import { z } from 'zod';

const stratum = z.enum(['quarantined', 'cascaded', 'crosswalked', 'clean']);
const population = z.object({ quarantined: z.number(), cascaded: z.number(), crosswalked: z.number(), clean: z.number() });

export const reviewSummarySchema = z
  .object({
    id: z.string(),
    projectId: z.string(),
    runId: z.string(),
    targetRunId: z.string(),
    digest: z.string(),
    tier: z.string(),
    root: z.string(),
    seed: z.number(),
    patientsRequested: z.number(),
    stratify: z.string().nullable(),
    population,
    sourceRef: z.string(),
    targetRef: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
    status: z.enum(['open', 'complete']),
    completedAt: z.string().nullable(),
    patients: z.number(),
    reviewed: z.number(),
    openDiscrepancies: z.number(),
  })
  .meta({ id: 'ReviewSummary' });

const reviewPatientSchema = z
  .object({
    position: z.number(),
    patientKey: z.string(),
    stratum,
    verdict: z.enum(['matches', 'discrepancy']).nullable(),
    comment: z.string().nullable(),
    reviewerId: z.string().nullable(),
    reviewedAt: z.string().nullable(),
    discrepancyStatus: z.enum(['open', 'resolved']).nullable(),
    resolvedBy: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    resolutionComment: z.string().nullable(),
  })
  .meta({ id: 'ReviewPatient' });

export const reviewSchema = reviewSummarySchema.extend({ sampled: z.array(reviewPatientSchema) }).meta({ id: 'Review' });

const shownValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const patientViewSchema = z
  .object({
    review: reviewSummarySchema,
    patient: reviewPatientSchema,
    view: z.object({
      runId: z.string(),
      root: z.string(),
      patientKey: z.string(),
      rows: z.array(
        z.object({
          table: z.string(),
          key: z.string(),
          values: z.array(z.object({ column: z.string(), value: shownValue })),
          outcomes: z.array(
            z.object({
              targetTable: z.string(),
              outcome: z.enum(['loaded', 'quarantined', 'excluded']),
              targetKey: z.string().nullable(),
              reasons: z.array(z.object({ code: z.string(), rule: z.string().nullable() })),
              fields: z
                .array(
                  z.object({
                    field: z.string(),
                    from: z.array(z.string()),
                    sourceValues: z.array(shownValue),
                    targetValue: shownValue,
                    steps: z.array(z.string()),
                    crosswalk: z.object({ name: z.string(), version: z.string().nullable() }).nullable(),
                    rules: z.array(z.string()),
                  }),
                )
                .nullable(),
            }),
          ),
        }),
      ),
    }),
  })
  .meta({ id: 'ReviewPatientView' });
