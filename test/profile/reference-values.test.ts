// A table of reference values (a product's code table) referred to by many differently named
// identifiers, each holding a few repeated values: those identifiers hold code values a crosswalk
// translates, not rows of another entity, and the code table is no patient master. Invented names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuggestResult } from '../../src/profile/suggest.js';
import { suggestForCsvExport } from './csv-export.js';

const DDL = `
CREATE TABLE patient (patient_id integer PRIMARY KEY, person_stated_gender varchar(1) NOT NULL, marital_status varchar(1), date_of_birth date NOT NULL);
CREATE TABLE allergy (allergy_id integer PRIMARY KEY, patient_id integer NOT NULL REFERENCES patient (patient_id), reaction_severity varchar(1));`;

let result: SuggestResult;
let cleanup: () => Promise<void>;
const source = (target: string) => result.suggestions.find((s) => s.target === target)?.source;

beforeAll(async () => {
  const files: Record<string, string[]> = {
    // Code values 700-708: sexes, marital statuses, severities.
    // Every key ends in an invented _RRN, the reference-value ids too: their shared word is what makes them candidate foreign keys.
    CODE_VALUE: ['CVAL_RRN,CODE_SET,DISPLAY', ...Array.from({ length: 9 }, (_, i) => `${700 + i},${['SEX', 'MARITAL', 'SEVERITY'][Math.floor(i / 3)]},V${i}`)],
    PERSON: ['PERSON_RRN,GENDER_RRN,MARITAL_RRN,BIRTH_DATE', ...Array.from({ length: 80 }, (_, i) => `${1 + i},${700 + (i % 3)},${703 + (i % 3)},19${50 + (i % 49)}-0${1 + (i % 9)}-2${i % 8}`)],
    ALLERGY: ['ALLERGY_RRN,PERSON_RRN,SEVERITY_RRN', ...Array.from({ length: 120 }, (_, i) => `${300 + i},${1 + (i % 80)},${706 + (i % 3)}`)],
  };
  ({ result, cleanup } = await suggestForCsvExport(files, DDL));
});
afterAll(() => cleanup());

describe('a table of reference values', () => {
  it('is not taken for the patient master though every table refers to it', () => {
    expect(result.tables.find((t) => t.target === 'patient')?.source).toBe('PERSON');
  });

  it('leaves the identifiers referring to it coded values of their own rows', () => {
    expect(source('patient.person_stated_gender')).toBe('PERSON.GENDER_RRN');
    expect(source('patient.marital_status')).toBe('PERSON.MARITAL_RRN');
    expect(source('allergy.reaction_severity')).toBe('ALLERGY.SEVERITY_RRN');
  });
});
