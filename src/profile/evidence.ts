/**
 * Name evidence that does not come from spelling: a source column named only for its role (a
 * bare `START`, `DATE` or `CODE`) is identified by where it sits and what its values are. An
 * event-dated target (`admitted_on`, `performed_on`) takes its table's bare start date, an
 * ending event (`discharged_on`, `stopped_on`) its bare end date; a target asking for a coded
 * pattern (`loinc_code`, `substance_sctid`) takes a bare code column whose values are that code.
 */
import { classFraction, expectedPattern } from './fit.js';
import type { PatternClass } from './patterns.js';
import type { ColumnProfile } from './types.js';

/** Name similarity credited to a bare role column that fits by position or by values. */
export const ROLE_SIMILARITY = 0.55;

const START_ROLE: ReadonlySet<string> = new Set(['start', 'date', 'time']);
const END_ROLE: ReadonlySet<string> = new Set(['end', 'date', 'time']);
export const CODE_ROLE: ReadonlySet<string> = new Set(['code', 'id', 'value']);
// Words that end an identifier's name: a code, id, value or number, or an alias (EPR products call
// an identifier issued by another system an alias: ORGANIZATION_ALIAS holding ODS codes).
const IDENTIFIER_ROLE: ReadonlySet<string> = new Set([...CODE_ROLE, 'number', 'alias']);
/** Concepts of events that close a record: their date is the record's end date. */
export const ENDING_EVENTS: ReadonlySet<string> = new Set(['end', 'discharge', 'removed', 'death', 'stopped']);

/**
 * Similarity an identifier column earns from its values alone: its name ends in a role word (id,
 * code, value, number, alias) and it is the only column of its table whose values are the coded pattern the
 * target asks for (`organization_identifier` holding ODS codes for `practice_code`). `holders`
 * counts the table's columns with at least 90% of that pattern. A name with a word the
 * dictionary does not know is left alone: that word may be what makes it another code
 * (`REASONCODE` holds SNOMED CT codes, but of the reason, not the product), unless the pattern
 * is the NHS number, which only ever identifies the patient.
 */
export function patternSimilarity(target: { concepts: readonly string[] }, source: { concepts: readonly string[]; unknownWords: boolean }, profile: ColumnProfile, holders: number): number {
  const expected = expectedPattern(target.concepts);
  const sourceConcepts = source.concepts;
  if (!expected || !CODED.has(expected) || holders !== 1 || sourceConcepts.length === 0) return 0;
  // An NHS number, checksummed and the patient's alone, identifies itself whatever other word the name has (NATIONAL_ID).
  if (source.unknownWords && expected !== 'nhs_number') return 0;
  if (!IDENTIFIER_ROLE.has(sourceConcepts[sourceConcepts.length - 1])) return 0;
  return classFraction(profile, expected) >= 0.9 ? ROLE_SIMILARITY : 0;
}

// Patterns specific enough that one column holding them identifies itself.
const CODED: ReadonlySet<string> = new Set(['nhs_number', 'postcode', 'loinc', 'snomed_ct', 'icd10', 'opcs4', 'ods_code']);

/** The coded pattern (NHS numbers, ODS codes, ICD-10, …) a target's name asks for, or null when it asks for none of them. */
export function codedPattern(concepts: readonly string[]): PatternClass | null {
  const expected = expectedPattern(concepts);
  return expected && CODED.has(expected) ? expected : null;
}

const DATING: ReadonlySet<string> = new Set(['start', 'end', 'date', 'time']);

/**
 * Similarity a bare role column earns for a target column, or 0 when it is not one. `onlyDate`:
 * the column is its table's only date column, so when its name holds nothing but dating words
 * (`EVENT_END_DT_TM` in an event table) it is the row's date, whichever end it names.
 */
export function roleSimilarity(target: { type: string; concepts: readonly string[] }, sourceConcepts: readonly string[], profile: ColumnProfile, onlyDate = false): number {
  if (sourceConcepts.length === 0) return 0;
  if (target.type === 'date' || target.type === 'timestamp') {
    if (!(profile.inferred_type === 'date' || profile.inferred_type === 'timestamp')) return 0;
    if (!target.concepts.includes('date') || target.concepts.includes('start') || target.concepts.includes('end')) return 0;
    const ending = target.concepts.some((c) => ENDING_EVENTS.has(c));
    const role = ending ? END_ROLE : START_ROLE;
    // A bare date, or a bare date and time (an instant: PROC_DT_TM in the procedure table), is the row's own date.
    const bare = sourceConcepts.filter((c) => c !== 'time');
    const hasOwn = sourceConcepts.includes(ending ? 'end' : 'start') || (!ending && bare.length === 1 && bare[0] === 'date');
    if (hasOwn && sourceConcepts.every((c) => role.has(c))) return ROLE_SIMILARITY;
    return onlyDate && sourceConcepts.every((c) => DATING.has(c)) && !(ending && sourceConcepts.includes('start')) ? ROLE_SIMILARITY : 0;
  }
  const expected = expectedPattern(target.concepts);
  if (expected && expected !== 'time' && sourceConcepts.every((c) => CODE_ROLE.has(c)) && classFraction(profile, expected) >= 0.9) return ROLE_SIMILARITY;
  return 0;
}

/** Words naming the places an address ends with, after its street lines. */
export const ADDRESS_PLACES: ReadonlySet<string> = new Set(['town', 'county']);

/** The number of an address line's name (`LINE3`, `address_line_2`), or null when the name is no numbered line. */
export function addressLineNumber(concepts: readonly string[]): number | null {
  const last = concepts[concepts.length - 1];
  if (!last || !/^\d+$/.test(last) || !concepts.some((c) => c === 'line' || c === 'address')) return null;
  return concepts.every((c) => c === 'line' || c === 'address' || /^\d+$/.test(c)) ? Number(last) : null;
}

/**
 * Similarity an address column earns by its position. A generic address whose lines run past the
 * target's (LINE1–LINE4 into line1, line2, town, county) holds the target's places in order after
 * its lines: LINE3 is the town, LINE4 the county. A single unnumbered address column (Synthea's
 * `ADDRESS`) is the first line. `targetLines`: the highest line number of the target table;
 * `places`: its place columns' concepts in DDL order (town, county).
 */
export function addressPositionSimilarity(target: readonly string[], targetLines: number, places: ReadonlyArray<readonly string[]>, source: readonly string[]): number {
  if (source.length === 1 && source[0] === 'address') return addressLineNumber(target) === 1 ? ROLE_SIMILARITY : 0;
  const k = addressLineNumber(source);
  if (k === null || targetLines === 0 || k <= targetLines) return 0;
  const place = places[k - targetLines - 1];
  return place !== undefined && place.join(' ') === target.join(' ') ? ROLE_SIMILARITY : 0;
}
