/**
 * Value pattern classes: what a column's values look like (an NHS number, a postcode, an ODS
 * code, ICD-10, OPCS-4, a SNOMED CT id, LOINC, a date and its layout, a number, a short code or
 * free text). The healthcare classes reuse the validators in src/rules, so "looks like an NHS
 * number" means exactly what the nhs_number rule accepts, check digit included.
 */
import { isIsoDateTime } from '../rules/dates.js';
import { isValidIcd10 } from '../rules/icd10.js';
import { isValidLoinc } from '../rules/loinc.js';
import { isValidNhsNumber } from '../rules/nhs-number.js';
import { isValidOdsCode } from '../rules/ods.js';
import { isValidOpcs4 } from '../rules/opcs4.js';
import { isValidPostcode } from '../rules/postcode.js';
import { isValidSnomedConceptId } from '../rules/snomed.js';
import { compileDateFormat, type DateFormat } from '../contract/date-format.js';

export const PATTERN_CLASSES = [
  'nhs_number',
  'snomed_ct',
  'loinc',
  'postcode',
  'ods_code',
  'icd10',
  'opcs4',
  'timestamp',
  'date',
  'time',
  'boolean',
  'integer',
  'decimal',
  'numeric_code',
  'code',
  'uuid',
  'email',
  'free_text',
] as const;
export type PatternClass = (typeof PATTERN_CLASSES)[number];

/** Day, month and year layouts, day-first (UK) before month-first. */
const DATE_LAYOUTS = ['yyyy-mm-dd', 'dd/mm/yyyy', 'mm/dd/yyyy', 'dd-mm-yyyy', 'mm-dd-yyyy', 'dd.mm.yyyy', 'yyyy/mm/dd'] as const;

/**
 * Date layouts tried on every date-looking column: each four-digit-year layout on its own,
 * then with a time of day (`HH:MI:SS` or `HH:MI`, as legacy systems write instants), plus the
 * compact and two-digit-year layouts. Dates alone come first, so a tie goes to the date.
 */
export const DATE_FORMATS: readonly string[] = [...DATE_LAYOUTS, 'yyyymmdd', 'dd/mm/yy', 'mm/dd/yy', 'dd-mm-yy', ...DATE_LAYOUTS.flatMap((d) => [`${d} HH:MI:SS`, `${d} HH:MI`]), 'yyyymmddHHMISS'];

const COMPILED: Array<{ pattern: string; format: DateFormat }> = DATE_FORMATS.map((pattern) => ({ pattern, format: compileDateFormat(pattern) }));

/** The ISO 8601 date-time layout with a `T`, which date patterns cannot spell (letters are tokens). */
export const ISO_TIMESTAMP = 'iso8601';

const INTEGER = /^[-+]?(?:0|[1-9]\d*)$/;
const DIGITS = /^\d+$/;
const DECIMAL = /^[-+]?\d*\.\d+$/;
const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?$/;
const BOOLEAN = /^(?:y|n|yes|no|true|false|t|f)$/i;
const CODE = /^(?=[A-Z0-9_\-.]*[A-Z])[A-Z0-9][A-Z0-9_\-.]{0,9}$/;
// A row identifier written as a letter prefix and a long run of digits (V0001200001, PT000000012345): longer than a code, but no free text either.
const PREFIXED_NUMBER = /^[A-Z]{1,3}\d{6,17}$/;
// Exports of modern systems (FHIR, Synthea, GUID-keyed databases) identify rows by UUIDs.
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Classes that make a short upper-case value more than just a local code.
const NOT_A_CODE: ReadonlySet<PatternClass> = new Set(['nhs_number', 'snomed_ct', 'loinc', 'postcode', 'timestamp', 'time']);

/** The classes one (trimmed, non-empty) value belongs to, apart from dates, which are judged per column. */
export function valueClasses(v: string): PatternClass[] {
  const out: PatternClass[] = [];
  if (DIGITS.test(v)) {
    if (v.length === 10 && isValidNhsNumber(v)) out.push('nhs_number');
    if (v.length >= 6 && isValidSnomedConceptId(v)) out.push('snomed_ct');
    if (INTEGER.test(v)) out.push('integer');
    else out.push('numeric_code');
    return out;
  }
  if (v.length === 36 && UUID.test(v)) return ['uuid'];
  if (EMAIL.test(v)) return ['email'];
  if (v.length === 12 && isValidNhsNumber(v)) out.push('nhs_number');
  if (isValidLoinc(v)) out.push('loinc');
  if (isValidPostcode(v)) out.push('postcode');
  if (isValidOdsCode(v)) out.push('ods_code');
  if (isValidIcd10(v)) out.push('icd10');
  if (isValidOpcs4(v)) out.push('opcs4');
  if (v.length >= 19 && v.charCodeAt(10) === 84 && isIsoDateTime(v)) out.push('timestamp');
  if (TIME.test(v)) out.push('time');
  if (BOOLEAN.test(v)) out.push('boolean');
  if (INTEGER.test(v)) out.push('integer');
  else if (DECIMAL.test(v)) out.push('decimal');
  if (!out.some((c) => NOT_A_CODE.has(c)) && (CODE.test(v) || PREFIXED_NUMBER.test(v))) out.push('code');
  if (out.length === 0) out.push('free_text');
  return out;
}

export interface DateDetection {
  /** The layout most values parse with. */
  format: string;
  /** Fraction of the non-empty values that parse with it. */
  fraction: number;
  /** Other layouts that parse every value the chosen one does (e.g. day ≤ 12 everywhere: dd/mm and mm/dd both fit). */
  ambiguousWith: string[];
  hasTime: boolean;
}

/**
 * Detects the date layout of a column from its values: the layout that parses most of them.
 * Day-first and month-first are told apart by the values themselves (a 13th day or month
 * settles it); when nothing does, the UK day-first layout is chosen and the other is reported
 * as ambiguous.
 */
export function detectDateFormat(values: readonly string[]): DateDetection | null {
  if (values.length === 0) return null;
  const counts = COMPILED.map(() => 0);
  let iso = 0;
  for (const v of values) {
    for (let i = 0; i < COMPILED.length; i++) if (COMPILED[i].format.parse(v, 30) !== null) counts[i]++;
    // A space for the T too (SQL Server's `2023-01-27 16:17:47.123`): where a layout also fits, the layout wins the tie.
    if (v.length >= 19 && isIsoDateTime(v)) iso++;
  }
  let best = -1;
  for (let i = 0; i < counts.length; i++) if (counts[i] > 0 && (best < 0 || counts[i] > counts[best])) best = i;
  if (iso > 0 && (best < 0 || iso > counts[best])) return { format: ISO_TIMESTAMP, fraction: iso / values.length, ambiguousWith: [], hasTime: true };
  if (best < 0) return null;
  const ambiguousWith = COMPILED.filter((c, i) => i !== best && counts[i] === counts[best] && sameShape(c.pattern, COMPILED[best].pattern)).map((c) => c.pattern);
  return { format: COMPILED[best].pattern, fraction: counts[best] / values.length, ambiguousWith, hasTime: COMPILED[best].format.hasTime };
}

// Layouts that accept the same strings (dd/mm/yyyy and mm/dd/yyyy) compete; others just happen to tie at zero.
function sameShape(a: string, b: string): boolean {
  return a.replace(/dd|mm/g, 'xx') === b.replace(/dd|mm/g, 'xx');
}
