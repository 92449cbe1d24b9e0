/**
 * The readiness assessment as a documented, stable JSON shape (`ferry assess --json`,
 * docs/assessment.md). Described with zod so a consumer (the server, a saved file read back)
 * can check what it reads. Keys are snake_case like the profile's. Only counts, shares, names
 * of tables and columns and reference codes appear here: never a patient value.
 */
import { z } from 'zod';

export const RATING_LEVELS = ['low', 'medium', 'high', 'very_high'] as const;

const share = z.number().min(0).max(1);
const count = z.number().int().min(0);

/** A term of a table's effort estimate: what was counted, how many, and the days each adds. */
export const effortTermSchema = z.strictObject({ item: z.string(), count: z.number().min(0), days_each: z.number().min(0), days: z.number().min(0) });

export const identifierColumnSchema = z.strictObject({
  column: z.string(),
  filled: count,
  distinct: count,
  /** Rows whose value another row already holds: filled − distinct. */
  duplicates: count,
  estimated: z.boolean(),
});

export const codeFieldSchema = z.strictObject({
  column: z.string(),
  filled: count,
  distinct_codes: count,
  /** What already translates the codes: the contract's crosswalk, a shipped NHS Data Dictionary list, the contract carrying them as they are, or nothing yet. */
  covered_by: z.strictObject({ kind: z.enum(['crosswalk', 'reference_list', 'carried_as_is']), name: z.string() }).nullable(),
  codes_covered: count,
  /** Distinct local codes nothing translates yet: the crosswalk rows an analyst still has to write. */
  codes_needing_crosswalk: count,
  rows_needing_crosswalk: count,
  /** The codes still to crosswalk, most rows first (at most 20; they are reference codes of a low-cardinality field). */
  uncovered: z.array(z.strictObject({ code: z.string(), rows: count })),
});

export const dateColumnSchema = z.strictObject({
  column: z.string(),
  /** The layout most values use. */
  main_format: z.string(),
  /** Every layout found, with its share of the non-empty sampled values, most common first. */
  formats: z.array(z.strictObject({ format: z.string(), share })),
  unparseable_share: share,
  /** Sampled values in another layout than the main one or in none. */
  off_format_values: count,
  sampled_values: count,
  /** More than one layout, or values in none. */
  chaotic: z.boolean(),
  estimated: z.boolean(),
});

export const orphanSchema = z.strictObject({
  columns: z.array(z.string()),
  references: z.strictObject({ table: z.string(), columns: z.array(z.string()) }),
  declared: z.boolean(),
  /** declared by the source; strong: values and names agree; weak: thinner evidence (or many orphans). */
  strength: z.enum(['declared', 'strong', 'weak']),
  /** Child rows with a value in the foreign key. */
  child_rows: count,
  /** Child rows whose value has no parent row; null when the sketches held too little evidence to say. */
  orphan_rows: count.nullable(),
  orphan_rate: share.nullable(),
  estimated: z.boolean(),
});

export const tableAssessmentSchema = z.strictObject({
  name: z.string(),
  rows: count,
  columns: count,
  /** Characters of text plus bytes of binary values: a volume indication, not the on-disk size. */
  approx_bytes: count,
  sample_estimated: z.boolean(),
  keys: z.strictObject({
    declared_primary_key: z.array(z.string()),
    candidate_keys: z.array(z.array(z.string())),
    /** Rows repeating a value of a single-column primary key (declared, else the chosen candidate); null when the table has no single-column key. */
    primary_key_duplicates: z.strictObject({ column: z.string(), duplicates: count, estimated: z.boolean() }).nullable(),
    /** Columns meant to identify a record (NHS numbers, hospital numbers, …ID/…NO columns that are nearly unique) and how many values repeat. */
    identifiers: z.array(identifierColumnSchema),
  }),
  free_text: z.strictObject({ text_columns: count, free_text_columns: z.array(z.string()), share: share.nullable() }),
  code_fields: z.array(codeFieldSchema),
  /** Columns already holding national codes (ICD-10, OPCS-4, SNOMED CT, LOINC, ODS, postcodes): validated, not crosswalked. */
  national_code_fields: z.array(z.strictObject({ column: z.string(), pattern: z.string() })),
  dates: z.array(dateColumnSchema),
  orphans: z.array(orphanSchema),
  binary: z.strictObject({ columns: z.array(z.string()), values: count, bytes: count }),
  encoding: z.strictObject({
    problem_rows: count,
    problems: z.array(z.strictObject({ column: z.string().nullable(), reason_code: z.string(), rows: count, likely_encoding: z.string().nullable() })),
  }),
  effort: z.strictObject({ analyst_days: z.number().min(0), basis: z.array(effortTermSchema) }),
});

export const ratingReasonSchema = z.strictObject({ code: z.string(), points: z.number().int().min(0), detail: z.string() });

export const targetCoverageSchema = z.strictObject({
  table: z.string(),
  /** The source table its mapping reads; null when the contract has no mapping for it. */
  source: z.string().nullable(),
  fields: count,
  mapped: count,
  suggested: count,
  unmapped: count,
  suggested_fields: z.array(z.string()),
  unmapped_fields: z.array(z.string()),
});

export const assessmentSchema = z.strictObject({
  assessment_version: z.literal(1),
  source: z.string(),
  generated_at: z.string(),
  elapsed_ms: count,
  options: z.strictObject({ sample: count, min_frequency: count, exact_limit: count, seed: z.number().int() }),
  contract: z.strictObject({ name: z.string(), version: z.string(), digest: z.string() }).nullable(),
  totals: z.strictObject({ tables: count, rows: count, columns: count, approx_bytes: count, binary_bytes: count, analyst_days: z.number().min(0) }),
  rating: z.strictObject({ level: z.enum(RATING_LEVELS), points: z.number().int().min(0), reasons: z.array(ratingReasonSchema) }),
  tables: z.array(tableAssessmentSchema),
  coverage: z
    .strictObject({
      targets: z.array(targetCoverageSchema),
      totals: z.strictObject({ fields: count, mapped: count, suggested: count, unmapped: count }),
      /** Columns of the assessed source tables that no mapping reads (fields, joins or filters). */
      unread_source_columns: z.array(z.strictObject({ table: z.string(), columns: z.array(z.string()) })),
    })
    .nullable(),
});

export type Assessment = z.infer<typeof assessmentSchema>;
export type TableAssessment = z.infer<typeof tableAssessmentSchema>;
export type CodeField = z.infer<typeof codeFieldSchema>;
export type DateColumn = z.infer<typeof dateColumnSchema>;
export type Orphan = z.infer<typeof orphanSchema>;
export type EffortTerm = z.infer<typeof effortTermSchema>;
export type RatingReason = z.infer<typeof ratingReasonSchema>;
export type RatingLevel = (typeof RATING_LEVELS)[number];
export type ContractCoverage = NonNullable<Assessment['coverage']>;
