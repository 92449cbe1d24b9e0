// Keys are no codes: text patient ids like Epic's (Z1001) look like ICD-10 codes, and must make
// neither every table referring to the patient look like a table of diagnoses, nor the patient
// reference of a chosen table its diagnosis code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuggestResult } from '../../src/profile/suggest.js';
import { suggestForCsvExport } from './csv-export.js';

const DDL = `
CREATE TABLE patient (patient_id integer PRIMARY KEY, date_of_birth date NOT NULL);
CREATE TABLE diagnosis (diagnosis_id integer PRIMARY KEY, icd10_code varchar(6) NOT NULL);
CREATE TABLE clinical_note (note_id integer PRIMARY KEY, note_text varchar(200), icd10_code varchar(6));`;

let result: SuggestResult;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const files: Record<string, string[]> = {
    PATIENT: ['PAT_ID,BIRTH_DATE', ...Array.from({ length: 60 }, (_, i) => `Z${1001 + i},19${50 + (i % 49)}-0${1 + (i % 9)}-2${i % 8}`)],
    // No diagnoses in this extract: only notes referring to the patient.
    PAT_NOTE: ['NOTE_ID,PAT_ID,NOTE_TEXT', ...Array.from({ length: 90 }, (_, i) => `${300 + i},Z${1001 + (i % 60)},Seen in clinic ${i}`)],
  };
  ({ result, cleanup } = await suggestForCsvExport(files, DDL));
});
afterAll(() => cleanup());

describe('keys are no codes', () => {
  it('does not take a table of notes for the diagnoses because its patient ids look like ICD-10', () => {
    expect(result.tables.find((t) => t.target === 'diagnosis')?.source).toBeNull();
  });

  it('does not take a patient reference for a code of the row', () => {
    expect(result.tables.find((t) => t.target === 'clinical_note')?.source).toBe('PAT_NOTE');
    expect(result.suggestions.find((s) => s.target === 'clinical_note.icd10_code')?.source).toBeNull();
  });
});
