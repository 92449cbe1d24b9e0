// A patient table's own identifier besides its key — unique, text, neither an NHS number nor a
// UUID, named only as an identifier — is the hospital number, whatever the product calls it.
// Invented names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuggestResult } from '../../src/profile/suggest.js';
import { suggestForCsvExport } from './csv-export.js';

const DDL = `CREATE TABLE patient (patient_id integer PRIMARY KEY, hospital_number varchar(12), nhs_number varchar(10), date_of_birth date NOT NULL);`;

let result: SuggestResult;
let sourceValue: SuggestResult;
let cleanup: () => Promise<void>;
let cleanupSourceValue: () => Promise<void>;
const source = (target: string, r = result) => r.suggestions.find((s) => s.target === target)?.source;

beforeAll(async () => {
  const uuid = (i: number) => `${(0x1a2b3c4d + i * 7919).toString(16).padStart(8, '0')}-b43e-4fc1-a64a-${(0x13224ea0c9a3 + i * 104729).toString(16).padStart(12, '0')}`;
  const files: Record<string, string[]> = {
    CLIENT: [
      'CLIENT_ID,QRS_IDENT,GLOBAL_UUID,BIRTH_DATE',
      ...Array.from({ length: 80 }, (_, i) => `${3000 + i},K${String(700000 + i * 13).padStart(7, '0')},${uuid(i)},19${50 + (i % 49)}-0${1 + (i % 9)}-2${i % 8}`),
    ],
  };
  ({ result, cleanup } = await suggestForCsvExport(files, DDL));
  // A research extract's convention: the source system's identifier kept as the subject's source value.
  const extract: Record<string, string[]> = {
    subject: [
      'subject_id,subject_source_value,birth_date',
      ...Array.from({ length: 80 }, (_, i) => `${3000 + i},K${String(700000 + i * 13).padStart(7, '0')},19${50 + (i % 49)}-0${1 + (i % 9)}-2${i % 8}`),
    ],
  };
  ({ result: sourceValue, cleanup: cleanupSourceValue } = await suggestForCsvExport(extract, DDL));
});
afterAll(async () => {
  await cleanup();
  await cleanupSourceValue();
});

describe('the hospital number', () => {
  it("is the patient table's own text identifier besides its key, not its UUID", () => {
    expect(source('patient.hospital_number')).toBe('CLIENT.QRS_IDENT');
  });
  it('is the identifier the source system gave the patient, kept as its source value', () => {
    expect(source('patient.hospital_number', sourceValue)).toBe('subject.subject_source_value');
  });
});
