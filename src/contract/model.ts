/**
 * The migration contract, v1, as a zod model. This file is the single source of the contract's
 * types (everything downstream uses `z.infer`) and of its JSON Schema. Contract text is data:
 * nothing here is ever evaluated as code.
 */
import { z } from 'zod';
import { LOGICAL_TYPES } from '../connectors/connector.js';

const identifier = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z_][A-Za-z0-9_$#]*$/, 'an identifier: letters, digits and underscores, not starting with a digit');

const logicalType = z.enum(LOGICAL_TYPES);
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

// ---------------------------------------------------------------------------------------------
// Schemas (pinned source, target)

export const foreignKeySchema = z.strictObject({
  columns: z.array(identifier).min(1),
  references: z.strictObject({ table: identifier, columns: z.array(identifier).min(1) }),
});

/**
 * A target foreign key. `on_parent_quarantined` says what happens to a row whose parent row was
 * not loaded in the run (quarantined, filtered out or absent): `quarantine` (the default) keeps it
 * out of the target with reason `parent.quarantined`, so the target never holds an orphan and the
 * database may enforce the constraint; `load` loads it anyway and the referential KPI counts it.
 */
export const targetForeignKeySchema = foreignKeySchema.extend({
  on_parent_quarantined: z.enum(['quarantine', 'load']).default('quarantine'),
});

export const sourceColumnSchema = z.strictObject({
  type: logicalType,
  nullable: z.boolean().default(true),
  description: z.string().optional(),
});

export const sourceTableSchema = z.strictObject({
  description: z.string().optional(),
  primary_key: z.array(identifier).min(1),
  columns: z.record(identifier, sourceColumnSchema),
  foreign_keys: z.array(foreignKeySchema).default([]),
});

export const targetColumnSchema = z.strictObject({
  type: logicalType,
  nullable: z.boolean().default(true),
  length: z.number().int().positive().optional(),
  precision: z.number().int().positive().optional(),
  scale: z.number().int().min(0).optional(),
  description: z.string().optional(),
});

export const targetTableSchema = z.strictObject({
  description: z.string().optional(),
  primary_key: z.array(identifier).min(1),
  columns: z.record(identifier, targetColumnSchema),
  foreign_keys: z.array(targetForeignKeySchema).default([]),
});

// ---------------------------------------------------------------------------------------------
// Transform steps. Each step is either a bare name (no arguments) or a one-key object
// `{ name: args }`. STEP_ARGS is the registry: the loader uses it for precise error messages
// and the transform compiler for dispatch.

const columnRef = z.string().min(1).max(200);

export const STEP_ARGS = {
  trim: z.strictObject({ side: z.enum(['both', 'left', 'right']).default('both') }),
  upper: z.strictObject({}),
  lower: z.strictObject({}),
  title: z.strictObject({}),
  null_if: z.array(scalar).min(1),
  default: scalar,
  parse_date: z.strictObject({
    formats: z.array(z.string().min(2)).min(1),
    /** Two-digit years at or below the pivot are 20xx, above it 19xx. */
    pivot: z.number().int().min(0).max(99).default(30),
  }),
  format_date: z.strictObject({ format: z.string().min(2) }),
  to_integer: z.strictObject({}),
  to_decimal: z.strictObject({ scale: z.number().int().min(0).max(20) }),
  substring: z.strictObject({ start: z.number().int().min(0), length: z.number().int().positive().optional() }),
  pad: z.strictObject({
    length: z.number().int().positive(),
    char: z.string().length(1).default(' '),
    side: z.enum(['left', 'right']).default('left'),
  }),
  concat: z.strictObject({ columns: z.array(columnRef).min(1), separator: z.string().default(' ') }),
  split: z.strictObject({ separator: z.string().min(1), index: z.number().int().min(0) }),
  regex_replace: z.strictObject({
    pattern: z.string().min(1),
    replacement: z.string(),
    flags: z
      .string()
      .regex(/^[gimsu]*$/, 'regular expression flags from g, i, m, s, u')
      .default('g'),
  }),
  map: z.strictObject({
    values: z.record(z.string(), scalar),
    /** Value for codes not in the map; when absent an unmapped code quarantines the row. */
    default: scalar.optional(),
  }),
  crosswalk: identifier,
  coalesce: z.strictObject({ columns: z.array(columnRef).min(1) }),
  lookup: z.strictObject({
    table: identifier,
    key: identifier,
    value: identifier,
    /** When true a key with no match quarantines the row; otherwise it yields null. */
    required: z.boolean().default(false),
  }),
} as const;

export type StepName = keyof typeof STEP_ARGS;
export const STEP_NAMES = Object.keys(STEP_ARGS) as StepName[];
/** Steps that may be written as a bare name because every argument has a default. */
export const BARE_STEPS = ['trim', 'upper', 'lower', 'title', 'to_integer'] as const satisfies readonly StepName[];

const stepObjects = STEP_NAMES.map((name) => z.strictObject({ [name]: STEP_ARGS[name] }));
export const stepSchema = z.union([z.enum(BARE_STEPS), ...stepObjects]);

// ---------------------------------------------------------------------------------------------
// Field rules (validators). Same shape as steps: a bare name or `{ name: args }`, with an
// optional `severity` (errors quarantine the row, warnings are reported only).

export const RULE_ARGS = {
  required: z.strictObject({}),
  nhs_number: z.strictObject({}),
  postcode: z.strictObject({}),
  ods_code: z.strictObject({ kind: z.enum(['any', 'gp_practice', 'trust', 'site']).default('any') }),
  snomed_ct: z.strictObject({}),
  dmd: z.strictObject({}),
  icd10: z.strictObject({}),
  opcs4: z.strictObject({}),
  loinc: z.strictObject({}),
  date: z.strictObject({
    not_future: z.boolean().default(true),
    min: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'an ISO date YYYY-MM-DD')
      .default('1880-01-01'),
  }),
  type: z.strictObject({ type: logicalType }),
  length: z.strictObject({ min: z.number().int().min(0).optional(), max: z.number().int().positive().optional() }),
  enum: z.strictObject({ values: z.array(scalar).min(1) }),
  range: z.strictObject({ min: z.number().optional(), max: z.number().optional() }),
  regex: z.strictObject({
    pattern: z.string().min(1),
    flags: z
      .string()
      .regex(/^[imsu]*$/)
      .default(''),
  }),
} as const;

export type RuleName = keyof typeof RULE_ARGS;
export const RULE_NAMES = Object.keys(RULE_ARGS) as RuleName[];
export const BARE_RULES = ['required', 'nhs_number', 'postcode', 'ods_code', 'snomed_ct', 'dmd', 'icd10', 'opcs4', 'loinc', 'date'] as const satisfies readonly RuleName[];

const severity = z.enum(['error', 'warning']);
const ruleObjects = RULE_NAMES.map((name) => z.strictObject({ [name]: RULE_ARGS[name], severity: severity.optional() }));
export const ruleSchema = z.union([z.enum(BARE_RULES), ...ruleObjects]);

/** Cross-field rules evaluated on a row's target values after its fields are transformed. */
export const rowRuleSchema = z.union([
  z.strictObject({
    name: identifier,
    compare: z.strictObject({
      left: identifier,
      op: z.enum(['<', '<=', '>', '>=', '=', '!=']),
      right: identifier,
    }),
    severity: severity.default('error'),
    description: z.string().optional(),
  }),
  z.strictObject({
    name: identifier,
    age: z.strictObject({
      birth: identifier,
      /** Field holding the event date; omitted means today. */
      at: identifier.optional(),
      min: z.number().min(0).default(0),
      max: z.number().positive().default(125),
    }),
    severity: severity.default('error'),
    description: z.string().optional(),
  }),
  z.strictObject({
    name: identifier,
    /** Clinical plausibility: a numeric result must lie in the physiological range configured for its code. */
    lab_range: z.strictObject({
      /** Field holding the test code (e.g. LOINC). */
      code: identifier,
      /** Field holding the numeric result. */
      value: identifier,
      /** Field holding the unit; when given, a range with a unit only applies to results in that unit. */
      unit: identifier.optional(),
      ranges: z.record(z.string().min(1), z.strictObject({ min: z.number(), max: z.number(), unit: z.string().optional() })),
    }),
    severity: severity.default('error'),
    description: z.string().optional(),
  }),
]);

/**
 * Rules over a whole target table, measured during the run and reported through the quality
 * gates (uniqueness KPI) with example source keys.
 */
export const tableRuleSchema = z.union([
  z.strictObject({
    name: identifier,
    /** These target fields together identify a row: a repeated combination is a uniqueness failure. */
    unique: z.array(identifier).min(1),
    severity: severity.default('error'),
    description: z.string().optional(),
  }),
  z.strictObject({
    name: identifier,
    /** The same person twice: same NHS number, or same name + date of birth + postcode with different NHS numbers. */
    duplicate_patient: z.strictObject({
      nhs_number: identifier,
      family_name: identifier,
      given_name: identifier.optional(),
      date_of_birth: identifier,
      postcode: identifier.optional(),
    }),
    severity: severity.default('error'),
    description: z.string().optional(),
  }),
]);

// ---------------------------------------------------------------------------------------------
// Mappings

export const fieldMappingSchema = z
  .strictObject({
    /** A source column (`COL`), a joined column (`ALIAS.COL`), or a list of them meaning the first that is not blank. */
    from: z.union([columnRef, z.array(columnRef).min(1)]).optional(),
    /** A constant value instead of a source column. */
    value: scalar.optional(),
    steps: z.array(stepSchema).default([]),
    crosswalk: identifier.optional(),
    rules: z.array(ruleSchema).default([]),
    default: scalar.optional(),
    rationale: z.string().trim().min(1, 'a rationale: the clinical or operational reason for this mapping'),
    status: z.enum(['accepted', 'suggested', 'rejected']).default('accepted'),
  })
  .refine((f) => f.from !== undefined || f.value !== undefined || f.default !== undefined, {
    message: 'one of `from`, `value` or `default`',
  });

export const joinSchema = z.strictObject({
  table: identifier,
  /** Name used to refer to the joined table's columns (`ALIAS.COL`); defaults to the table name. */
  alias: identifier.optional(),
  /** Columns of the mapping's source table mapped to columns of the joined table. */
  on: z.record(identifier, identifier),
});

export const filterSchema = z.strictObject({
  column: columnRef,
  op: z.enum(['eq', 'ne', 'in', 'not_in', 'is_null', 'not_null']),
  value: z.union([scalar, z.array(scalar)]).optional(),
});

/**
 * How a watermark sync (issue #18, docs/sync.md) finds a mapping's changed rows when the source
 * has no change log Ferry streams: rows whose `change_column` (last-updated time or row version)
 * rose since the last poll, and rows the `delete_marker` flags as deleted. Without a marker, hard
 * deletes are found by comparing key lists.
 */
export const mappingSyncSchema = z.strictObject({
  /** A column of the mapping's source table (integer, timestamp, date or text) every writer raises on insert and update. */
  change_column: identifier,
  delete_marker: z
    .strictObject({
      /** A column of the mapping's source table that flags a row as deleted. */
      column: identifier,
      /** The row is deleted when the column equals this; absent: when the column is not null (e.g. DELETED_AT). */
      deleted: z.union([z.string(), z.number(), z.boolean()]).optional(),
    })
    .optional(),
});

export const mappingSchema = z.strictObject({
  description: z.string().optional(),
  source: identifier,
  joins: z.array(joinSchema).default([]),
  /** Rows failing any filter are excluded on purpose and counted as `excluded`, never silently. */
  filter: z.array(filterSchema).default([]),
  /** Target key; defaults to the target table's primary key. */
  key: z.array(identifier).min(1).optional(),
  load: z.enum(['upsert', 'append', 'truncate']).default('upsert'),
  fields: z.record(identifier, fieldMappingSchema),
  row_rules: z.array(rowRuleSchema).default([]),
  table_rules: z.array(tableRuleSchema).default([]),
  /** Watermark sync settings; absent (and absent from the canonical form) for contracts that never sync this way. */
  sync: mappingSyncSchema.optional(),
});

// ---------------------------------------------------------------------------------------------
// Crosswalks, quality thresholds, reconciliation

export const crosswalkRefSchema = z.strictObject({
  /** CSV file relative to the contract: source_code,target_code,target_display[,equivalence,note]. */
  file: z.string().min(1),
  version: z.string().optional(),
  description: z.string().optional(),
  /** Compare source codes ignoring case and surrounding spaces. */
  case_insensitive: z.boolean().default(true),
});

export const KPI_NAMES = ['completeness', 'validity', 'referential_integrity', 'code_coverage', 'uniqueness', 'reconciliation'] as const;
export const TIERS = ['pre_production', 'staging', 'production'] as const;

export const thresholdSchema = z.strictObject({
  kpi: z.enum(KPI_NAMES),
  /** Target table; omitted means the overall figure. */
  table: identifier.optional(),
  /** Tiers this threshold applies to; omitted means all. */
  tiers: z.array(z.enum(TIERS)).min(1).optional(),
  fail_below: z.number().min(0).max(1),
  warn_below: z.number().min(0).max(1).optional(),
});

/** Checks across target tables, evaluated over the migrated data at the end of a run. */
export const crossCheckSchema = z.strictObject({
  name: identifier,
  /** A medication recorded for a patient who has an allergy to the same substance (or, with `classes`, to its drug class). */
  allergy_conflict: z.strictObject({
    medication: z.strictObject({ table: identifier, patient: identifier, substance: identifier }),
    allergy: z.strictObject({ table: identifier, patient: identifier, substance: identifier }),
    /**
     * Match by drug class (docs/drug-classes.md): `builtin` is the table Ferry ships; `{ extend: CROSSWALK }` adds a
     * declared crosswalk's rows (term → class) to it. Absent: the substance texts must be equal.
     */
    classes: z.union([z.literal('builtin'), z.strictObject({ extend: identifier })]).optional(),
    /** `warn` (the default) reports the rows; `quarantine` keeps them out of the target with reason `check.allergy_conflict`. */
    action: z.enum(['warn', 'quarantine']).optional(),
  }),
  severity: severity.default('warning'),
  description: z.string().optional(),
});

export const qualitySchema = z.strictObject({
  thresholds: z.array(thresholdSchema).default([]),
  checks: z.array(crossCheckSchema).default([]),
  /** How many example failing source keys a gate failure lists. */
  example_keys: z.number().int().min(0).max(100).default(10),
});

/** One side of a business reconciliation check: an aggregate over a table, optionally filtered and grouped. */
export const aggregateSpecSchema = z.strictObject({
  table: identifier,
  aggregate: z.enum(['count', 'count_distinct', 'sum']),
  /** Column aggregated (required for count_distinct and sum). */
  column: identifier.optional(),
  filter: z.array(filterSchema).default([]),
  /** Compare per group (e.g. waiting-list size per specialty); group values are compared as text. */
  group_by: identifier.optional(),
});

/**
 * Business reconciliation: a figure computed on the source and on the target that must agree,
 * e.g. patients with an open referral, waiting-list size per specialty, active allergies.
 */
export const reconciliationCheckSchema = z.strictObject({
  name: identifier,
  description: z.string().optional(),
  source: aggregateSpecSchema,
  target: aggregateSpecSchema,
  /** Allowed absolute difference (default: exact match). */
  tolerance: z.number().min(0).default(0),
});

export const contractSchema = z.strictObject({
  ferry: z.literal(1),
  metadata: z.strictObject({
    name: identifier,
    version: z.string().regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, 'a semantic version such as 1.2.0'),
    owner: z.string().min(1),
    description: z.string().optional(),
  }),
  source: z.strictObject({ tables: z.record(identifier, sourceTableSchema) }),
  target: z.strictObject({ tables: z.record(identifier, targetTableSchema) }),
  crosswalks: z.record(identifier, crosswalkRefSchema).default({}),
  mappings: z.record(identifier, mappingSchema),
  quality: qualitySchema.default({ thresholds: [], checks: [], example_keys: 10 }),
  reconciliation: z.array(reconciliationCheckSchema).default([]),
});

export type Contract = z.infer<typeof contractSchema>;
export type ContractInput = z.input<typeof contractSchema>;
export type SourceTable = z.infer<typeof sourceTableSchema>;
export type TargetTable = z.infer<typeof targetTableSchema>;
export type Mapping = z.infer<typeof mappingSchema>;
export type FieldMapping = z.infer<typeof fieldMappingSchema>;
export type MappingSync = z.infer<typeof mappingSyncSchema>;
export type Step = z.infer<typeof stepSchema>;
export type Rule = z.infer<typeof ruleSchema>;
export type RowRule = z.infer<typeof rowRuleSchema>;
export type TableRule = z.infer<typeof tableRuleSchema>;
export type CrossCheck = z.infer<typeof crossCheckSchema>;
export type ReconciliationCheck = z.infer<typeof reconciliationCheckSchema>;
export type AggregateSpec = z.infer<typeof aggregateSpecSchema>;
export type Filter = z.infer<typeof filterSchema>;
export type CrosswalkRef = z.infer<typeof crosswalkRefSchema>;
export type Threshold = z.infer<typeof thresholdSchema>;
export type KpiName = (typeof KPI_NAMES)[number];
export type Tier = (typeof TIERS)[number];

/** A crosswalk entry as loaded from its CSV file. */
export interface CrosswalkEntry {
  source_code: string;
  target_code: string;
  target_display: string;
  equivalence: string;
  note: string;
}

/** A contract loaded from disk with its crosswalk contents, ready to digest or run. */
export interface LoadedContract {
  file: string;
  contract: Contract;
  crosswalks: Record<string, CrosswalkEntry[]>;
}

/** Splits a step or rule written as a bare name or `{ name: args }` into name and arguments. */
export function stepParts(step: Step): { name: StepName; args: unknown } {
  if (typeof step === 'string') return { name: step, args: (STEP_ARGS[step] as z.ZodType).parse({}) };
  const name = Object.keys(step)[0] as StepName;
  return { name, args: (step as Record<string, unknown>)[name] };
}

/** Splits a rule into name, arguments and severity. */
export function ruleParts(rule: Rule): { name: RuleName; args: unknown; severity: 'error' | 'warning' } {
  if (typeof rule === 'string') return { name: rule, args: RULE_ARGS[rule].parse({}), severity: 'error' };
  const { severity: sev, ...rest } = rule as Record<string, unknown> & { severity?: 'error' | 'warning' };
  const name = Object.keys(rest)[0] as RuleName;
  return { name, args: rest[name], severity: sev ?? 'error' };
}
