// A flag of the parent row (the patient's deceased flag) is another fact about the parent, not a
// flag of the row: a parent's column sharing only a word for the kind of value is not joined in.
// Invented names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuggestResult } from '../../src/profile/suggest.js';
import { suggestForCsvExport } from './csv-export.js';

const DDL = `
CREATE TABLE patient (patient_id integer PRIMARY KEY, date_of_birth date NOT NULL);
CREATE TABLE lab_result (result_id integer PRIMARY KEY, patient_id integer NOT NULL REFERENCES patient (patient_id), result_value decimal(10,2), abnormal_flag boolean);`;

let result: SuggestResult;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const files: Record<string, string[]> = {
    PATIENTS: ['PATIENT_ID,BIRTH_DATE,DECEASED_FLAG', ...Array.from({ length: 80 }, (_, i) => `${1 + i},19${50 + (i % 49)}-0${1 + (i % 9)}-2${i % 8},${i % 7 === 0 ? 'Y' : 'N'}`)],
    RESULTS: ['RESULT_ID,PATIENT_ID,RESULT_VALUE', ...Array.from({ length: 150 }, (_, i) => `${900 + i},${1 + (i % 80)},${(i % 31) + 0.25}`)],
  };
  ({ result, cleanup } = await suggestForCsvExport(files, DDL));
});
afterAll(() => cleanup());

describe('flags of the parent row', () => {
  it('are not a flag of the row', () => {
    expect(result.tables.find((t) => t.target === 'lab_result')?.source).toBe('RESULTS');
    expect(result.suggestions.find((s) => s.target === 'lab_result.abnormal_flag')?.source).toBeNull();
  });
});
