/**
 * Defect kinds the generator can inject, how their rates are chosen (`--defects RATE`,
 * `--profile FILE`, `--clean`) and the manifest entry that records each one. Kind names are a
 * stable interface: quality-gate tests match them against quarantine reasons.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FerryError, issue } from '../errors.js';

export const DEFECT_KINDS = [
  'nhs_number_invalid',
  'nhs_number_missing',
  'duplicate_patient',
  'postcode_invalid',
  'impossible_date',
  'mixed_date_format',
  'sentinel_value',
  'unmapped_code',
  'orphan_foreign_key',
  'overlong_text',
  'stray_whitespace',
  'wrong_case',
  'windows_1252_text',
  'lab_value_out_of_range',
  'allergy_class_conflict',
] as const;
export type DefectKind = (typeof DEFECT_KINDS)[number];

/** Probability, per eligible record, that each kind is injected. */
export type DefectRates = Record<DefectKind, number>;

/** One injected defect: where it is, never what the value was. */
export interface DefectEntry {
  kind: DefectKind;
  table: string;
  /** The primary key of the affected source row, as text. */
  key: string;
  column: string;
  /** Which variant of the kind, e.g. `future_birth` for an impossible date. */
  variant?: string;
  /** For duplicates and orphans: the key the row duplicates or fails to reference; for an allergy class conflict, the allergy's key. */
  related?: string;
}

/** Rates with every kind at zero: `--clean`. */
export function cleanRates(): DefectRates {
  return Object.fromEntries(DEFECT_KINDS.map((k) => [k, 0])) as DefectRates;
}

/** The same rate for every kind: `--defects RATE`. */
export function uniformRates(rate: number): DefectRates {
  checkRate(rate, 'defects');
  return Object.fromEntries(DEFECT_KINDS.map((k) => [k, rate])) as DefectRates;
}

function checkRate(rate: number, path: string): void {
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new FerryError('usage', 'synth.bad_rate', `defect rate ${path} must be a number from 0 to 1, got ${rate}`);
  }
}

const rate = z.number().min(0).max(1);
export const defectProfileSchema = z.strictObject({
  /** Rate for kinds not listed under `rates`. */
  default: rate.default(0),
  rates: z.partialRecord(z.enum(DEFECT_KINDS), rate).default({}),
  description: z.string().optional(),
});
export type DefectProfile = z.infer<typeof defectProfileSchema>;

/** Resolves a profile to a rate for every kind. */
export function profileRates(profile: DefectProfile): DefectRates {
  const rates = uniformRates(profile.default);
  for (const [kind, r] of Object.entries(profile.rates)) rates[kind as DefectKind] = r as number;
  return rates;
}

/** Reads a YAML defect profile such as examples/legacy-pas/defects.yaml. */
export async function loadDefectProfile(file: string): Promise<DefectRates> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new FerryError('usage', 'synth.profile_unreadable', `cannot read defect profile ${file}: ${(err as Error).message}`);
  }
  const parsed = defectProfileSchema.safeParse(parseYaml(text));
  if (!parsed.success) {
    throw new FerryError(
      'contract',
      'synth.profile_invalid',
      `defect profile ${file} is not valid; expected keys default (0–1) and rates: {kind: 0–1} with kinds ${DEFECT_KINDS.join(', ')}`,
      parsed.error.issues.map((i) => issue('synth.profile_invalid', i.path.join('.'), i.message, { file })),
    );
  }
  return profileRates(parsed.data);
}

/** True when every rate is zero. */
export function isClean(rates: DefectRates): boolean {
  return DEFECT_KINDS.every((k) => rates[k] === 0);
}
