/**
 * How well a source column's values fit a target column: its logical type, the value pattern
 * the target's name implies (an `nhs_number` column wants NHS numbers), and its length.
 */
import type { LogicalType } from '../connectors/connector.js';
import { trueLength } from './extremes.js';
import type { PatternClass } from './patterns.js';
import type { ColumnProfile } from './types.js';

/** A target column as the matcher sees it. */
export interface TargetColumnShape {
  type: LogicalType;
  length?: number;
  /** Concepts of the column's name. */
  concepts: readonly string[];
  /** The column is the table's key or refers to another table's: a surrogate whose form (integer, UUID, text) is the loader's choice. */
  identifier?: boolean;
}

// Rows a single repeated value must fill before the column counts as constant.
const CONSTANT_EVIDENCE = 20;

const UNMISTAKABLE: ReadonlySet<PatternClass> = new Set(['email', 'uuid']);

// Surrogate keys are re-keyed or carried as text by the load; a UUID or short text key identifies a row as well as an integer does.
const TEXT_KEYS: ReadonlySet<PatternClass> = new Set(['uuid', 'code', 'numeric_code']);

// Classes specific enough that a target not asking for them is probably the wrong place for them.
const SPECIFIC: ReadonlySet<PatternClass> = new Set(['nhs_number', 'postcode', 'loinc', 'snomed_ct', 'ods_code']);

/** The pattern class a target column's name asks for, if any. */
export function expectedPattern(concepts: readonly string[]): PatternClass | null {
  const has = (c: string) => concepts.includes(c);
  if (has('nhs')) return 'nhs_number';
  if (has('postcode')) return 'postcode';
  if (has('loinc')) return 'loinc';
  if (has('snomed') || has('dmd')) return 'snomed_ct';
  if (has('icd')) return 'icd10';
  if (has('opcs')) return 'opcs4';
  if (has('practice') && (has('code') || has('gp'))) return 'ods_code';
  if (has('time') && !has('date')) return 'time';
  if (has('email')) return 'email';
  return null;
}

/** Fraction of a column's sampled values in a class (0 when not reported). */
export function classFraction(p: ColumnProfile, c: PatternClass): number {
  return p.patterns.find((x) => x.class === c)?.fraction ?? 0;
}

/**
 * Fit of a source column's values to a target column, in [0, 1]. `coded`: the source is named a
 * code and holds numbers (Millennium's `SEX_CD` code values, Epic's `APPT_STATUS_C` categories),
 * which a crosswalk turns into the target's codes just as it would local text codes.
 */
export function valueFit(t: TargetColumnShape, p: ColumnProfile, coded = false): number {
  if (p.nulls + p.empties > 0 && p.distinct.count === 0) return 0.2;
  let fit = typeFit(t.type, p);
  const numericCode = coded && t.type === 'text' && !t.identifier;
  if (numericCode) fit = Math.max(fit, 0.85);
  // The numbers of a code (RESULT_STATUS_C = 3) are not a quantity.
  if (coded && (t.type === 'decimal' || t.type === 'integer') && !t.identifier) fit *= 0.5;
  if (t.identifier && t.type === 'integer' && p.dominant_pattern && TEXT_KEYS.has(p.dominant_pattern)) fit = Math.max(fit, 0.85);
  const expected = expectedPattern(t.concepts);
  if (expected) {
    const f = classFraction(p, expected);
    // Not one value of a kind that looks the same everywhere: it is some other column (an address is
    // no email address). Postcodes and national numbers differ by country, so those keep a floor.
    fit = f === 0 && UNMISTAKABLE.has(expected) ? 0 : Math.min(fit, 0.2 + 0.8 * f);
  } else if (p.dominant_pattern && SPECIFIC.has(p.dominant_pattern) && t.type === 'text') fit *= 0.6;
  else if (p.dominant_pattern === 'uuid' && !t.identifier) fit *= 0.3;
  // One value in every row (ENCNTR_TYPE_CD, a constant class code) says nothing about any row:
  // a column whose values vary is the likelier source of a per-row fact.
  if (p.distinct.count === 1 && (p.top_values[0]?.count ?? 0) >= CONSTANT_EVIDENCE) fit *= 0.8;
  // Local codes are translated through a crosswalk, so their own length says nothing about the target's.
  const translated = (p.dominant_pattern === 'code' && p.distinct.count <= 60) || numericCode;
  const length = trueLength(p);
  if (t.length !== undefined && length && length.max > t.length && !translated) fit *= length.max > 2 * t.length ? 0.6 : 0.85;
  return fit;
}

function typeFit(type: LogicalType, p: ColumnProfile): number {
  const s = p.inferred_type;
  switch (type) {
    case 'date':
      return s === 'date' ? 1 : s === 'timestamp' ? 0.85 : 0;
    case 'timestamp':
      return s === 'timestamp' ? 1 : s === 'date' ? 0.8 : p.dominant_pattern === 'time' ? 0.3 : 0;
    case 'integer':
      return s === 'integer' ? 1 : s === 'decimal' ? 0.5 : p.dominant_pattern === 'numeric_code' ? 0.6 : 0.05;
    case 'decimal': {
      if (s === 'decimal' || s === 'integer') return 1;
      const numeric = classFraction(p, 'integer') + classFraction(p, 'decimal');
      return numeric >= 0.5 ? numeric : 0.05;
    }
    case 'boolean':
      return s === 'boolean' ? 1 : p.dominant_pattern === 'code' && p.distinct.count <= 3 ? 0.7 : 0.1;
    case 'binary':
      return s === 'binary' ? 1 : 0.1;
    default:
      return s === 'text' ? 0.9 : s === 'integer' ? 0.6 : s === 'boolean' ? 0.5 : s === 'decimal' ? 0.4 : 0.3;
  }
}
