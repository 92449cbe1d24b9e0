// Generic attribute-value columns (`attr_value`, `attr_qualifier`) are told apart by their values:
// local codes abbreviating a coded field's words (R, U, 2WW: routine, urgent, two week wait) say
// which field they hold; a line number 1, 2, 3 is the sequence. Invented convention.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuggestResult } from '../../src/profile/suggest.js';
import { abbreviates } from '../../src/profile/value-vocabulary.js';
import { suggestForCsvExport } from './csv-export.js';

const DDL = `
CREATE TABLE referral (referral_id integer PRIMARY KEY, received_on date NOT NULL, treatment_function varchar(8), referral_source varchar(24), priority varchar(16));
CREATE TABLE diagnosis (diagnosis_id integer PRIMARY KEY, sequence integer NOT NULL, icd10_code varchar(6));
CREATE TABLE admission (spell_id integer PRIMARY KEY, admitted_on date NOT NULL, admission_method varchar(8));`;

let result: SuggestResult;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const day = (i: number) => `20${10 + (i % 12)}-0${1 + (i % 9)}-1${i % 10}`;
  const specialties = ['CARDIO', 'GSURG', 'OPHTH', 'DERM', 'ENT', 'URO', 'NEURO'];
  const sources = ['GP', 'GP', 'GP', 'CONS', 'SELF', 'AE'];
  const priorities = ['R', 'R', 'U', '2WW'];
  const files: Record<string, string[]> = {
    referral_fact: [
      'fact_id,fact_date,attr_source_value,attr_value,attr_qualifier',
      ...Array.from({ length: 120 }, (_, i) => `${1 + i},${day(i)},${specialties[i % 7]},${priorities[i % 4]},${sources[i % 6]}`),
    ],
    // How each stay began, category and kind in one code (elective from the waiting list, emergency via A&E), in a column named for something else.
    admission_fact: ['fact_id,fact_date,fact_class', ...Array.from({ length: 90 }, (_, i) => `${900 + i},${day(i)},${['ELWL', 'ELBK', 'EMAE', 'EMGP', 'EMOTH'][i % 5]}`)],
    // The position of each code is kept in a column named for something else.
    diagnosis_fact: ['fact_id,fact_code,fact_status', ...Array.from({ length: 150 }, (_, i) => `${500 + i},${['I48.9', 'E11.9', 'J18.9'][i % 3]},${i % 2 === 0 ? 1 : i % 3 === 0 ? 3 : 2}`)],
  };
  ({ result, cleanup } = await suggestForCsvExport(files, DDL));
});
afterAll(() => cleanup());

const source = (target: string) => result.suggestions.find((s) => s.target === target)?.source;

describe('evidence from values', () => {
  it("reads local codes as abbreviations of a field's words", () => {
    expect(abbreviates('GSURG', 'general surgery')).toBe(true);
    expect(abbreviates('2WW', '2 week wait')).toBe(true);
    expect(abbreviates('SEV', 'severe')).toBe(true);
    expect(abbreviates('WL', 'waiting list')).toBe(true);
    expect(abbreviates('X', 'routine')).toBe(false);
  });
  it('gives generic attribute columns to the field their values belong to', () => {
    expect(result.tables.find((t) => t.target === 'referral')?.source).toBe('referral_fact');
    expect(source('referral.treatment_function')).toBe('referral_fact.attr_source_value');
    expect(source('referral.priority')).toBe('referral_fact.attr_value');
    expect(source('referral.referral_source')).toBe('referral_fact.attr_qualifier');
  });
  it('reads a category and its kind written together', () => {
    expect(source('admission.admission_method')).toBe('admission_fact.fact_class');
  });
  it('takes a line number for the sequence, whatever it is called', () => {
    expect(source('diagnosis.sequence')).toBe('diagnosis_fact.fact_status');
  });
});
