// Conventions a schema uses throughout, learned from its keys: when most tables' keys end in the
// same word the dictionary does not know (an invented `_RRN`, "relative record number"), that
// word is an identifier in every column, and such an identifier that is neither a key nor a
// reference and holds a few repeated numbers identifies reference values (a code a crosswalk
// translates). The schema below is an invented convention, not any product's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuggestResult } from '../../src/profile/suggest.js';
import { analyseName, resolveConcepts } from '../../src/profile/names.js';
import { nameSimilarity } from '../../src/profile/name-score.js';
import { schemaWords } from '../../src/profile/match-model.js';
import type { SourceProfile } from '../../src/profile/types.js';
import { suggestForCsvExport } from './csv-export.js';

const DDL = `
CREATE TABLE patient (patient_id integer PRIMARY KEY, date_of_birth date NOT NULL);
CREATE TABLE admission (spell_id integer PRIMARY KEY, patient_id integer NOT NULL REFERENCES patient(patient_id), admitted_on date NOT NULL, treatment_function varchar(3));
CREATE TABLE allergy (allergy_id integer PRIMARY KEY, patient_id integer NOT NULL REFERENCES patient(patient_id), reaction_severity varchar(1));`;

let result: SuggestResult;
let cleanup: () => Promise<void>;
const source = (target: string) => result.suggestions.find((s) => s.target === target)?.source;

beforeAll(async () => {
  const day = (i: number) => `20${10 + (i % 12)}-0${1 + (i % 9)}-1${i % 9}`;
  const files: Record<string, string[]> = {
    PATIENT: ['PATIENT_RRN,BIRTH_DATE', ...Array.from({ length: 80 }, (_, i) => `${5000 + i},19${50 + (i % 49)}-0${1 + (i % 9)}-2${i % 8}`)],
    // The admissions' key shares no word with spell_id; SPCLT_RRN holds a handful of specialty reference values.
    HOSP_SPELL: ['HSPL_RRN,PATIENT_RRN,ADMIT_DATE,SPCLT_RRN', ...Array.from({ length: 120 }, (_, i) => `${70000 + i * 3},${5000 + (i % 80)},${day(i)},${200 + (i % 6)}`)],
    ALLERGY: ['ALGY_RRN,PATIENT_RRN,SEVRT_RRN', ...Array.from({ length: 90 }, (_, i) => `${90000 + i * 7},${5000 + (i % 80)},${300 + (i % 3)}`)],
  };
  ({ result, cleanup } = await suggestForCsvExport(files, DDL));
});
afterAll(() => cleanup());

describe('a key suffix the schema uses throughout', () => {
  it('reads as an identifier in keys whose other word says nothing', () => {
    expect(source('admission.spell_id')).toBe('HOSP_SPELL.HSPL_RRN');
    expect(source('allergy.allergy_id')).toBe('ALLERGY.ALGY_RRN');
  });

  it('makes a non-key identifier with a few repeated numbers a coded value', () => {
    expect(source('admission.treatment_function')).toBe('HOSP_SPELL.SPCLT_RRN');
    expect(source('allergy.reaction_severity')).toBe('ALLERGY.SEVRT_RRN');
  });
});

describe('abbreviations of two words', () => {
  const none = new Set<string>();
  const sim = (a: string, b: string) => nameSimilarity(analyseName(a), none, analyseName(b), none);

  it('reads a word abbreviating two adjacent words in either order (SORRF: source of referral)', () => {
    expect(sim('SORRF_CD', 'referral_source')).toBeGreaterThan(0.5);
  });

  it('reads a word whole when dictionary pieces would leave letters over (ADMET: not ADM + ET, but admission method)', () => {
    expect(sim('ADMET_CD', 'admission_method')).toBeGreaterThan(0.6);
  });

  it('does not read a word as the two concepts one word expands to (SPECT is no spell encounter)', () => {
    expect(sim('SPECT_CD', 'spell_id')).toBeLessThan(0.3);
  });
});

describe('ordinal given names', () => {
  it('reads a second or third given name as a middle name, however the given name is spelt', () => {
    expect(resolveConcepts(analyseName('SECOND_FORENAME'))).toEqual(['middle', 'name']);
    expect(resolveConcepts(analyseName('thirdGivenName'))).toEqual(['middle', 'name']);
    expect(resolveConcepts(analyseName('SECOND_DIAG'))).not.toContain('middle');
  });
});

describe('words a schema teaches', () => {
  // Only the fields schemaWords reads; invented names.
  const table = (name: string, key: string, columns: Array<[string, string]>) => ({ name, candidate_keys: [{ columns: [key] }], columns: columns.map(([n, t]) => ({ name: n, inferred_type: t })) });
  const profile = {
    tables: [
      table('PERSON', 'PERSN_RRN', [
        ['PERSN_RRN', 'integer'],
        ['BIRTH_DTS', 'date'],
        ['DEATH_DTS', 'date'],
      ]),
      table('STAY', 'HSTAY_RRN', [
        ['HSTAY_RRN', 'integer'],
        ['ADMIT_DTS', 'timestamp'],
        ['CREATED_DATE', 'timestamp'],
      ]),
      table('SLOT', 'CSLOT_RRN', [
        ['CSLOT_RRN', 'integer'],
        ['SLOT_DTS', 'date'],
      ]),
    ],
  } as unknown as SourceProfile;

  it('reads the word most keys end with as an identifier and the word most dates end with as a date', () => {
    expect(schemaWords(profile)).toEqual(
      new Map([
        ['rrn', ['id']],
        ['dts', ['date']],
      ]),
    );
  });

  it('learns nothing from a suffix fewer than three columns share', () => {
    const two = { tables: profile.tables.slice(0, 2).map((t) => ({ ...t, columns: t.columns.slice(0, 1) })) } as unknown as SourceProfile;
    expect(schemaWords(two).size).toBe(0);
  });
});
