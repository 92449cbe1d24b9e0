// A target table whose best source table fits it hardly better than the export's typical table
// (agreeing only on a patient id, a start and an end date, a key) has no source: GP registrations
// stay empty in an export of stays and events. Invented convention (`subject`, `*_event`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuggestResult } from '../../src/profile/suggest.js';
import { suggestForCsvExport } from './csv-export.js';

const DDL = `
CREATE TABLE patient (patient_id integer PRIMARY KEY, date_of_birth date);
CREATE TABLE gp_registration (registration_id integer PRIMARY KEY, patient_id integer REFERENCES patient (patient_id), practice_code varchar(8), registered_from date, registered_to date);
CREATE TABLE admission (spell_id integer PRIMARY KEY, patient_id integer REFERENCES patient (patient_id), admitted_on date, discharged_on date);`;

let result: SuggestResult;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const day = (i: number) => `20${10 + (i % 12)}-0${1 + (i % 9)}-1${i % 10}`;
  const events = (name: string, n: number) => [
    `${name}_id,subject_id,${name}_start_date,${name}_end_date,${name}_concept_id,${name}_source_value`,
    ...Array.from({ length: n }, (_, i) => `${1000 + i},${1 + (i % 60)},${day(i)},${day(i + 3)},${4000 + (i % 7)},${['AB', 'CD', 'EF'][i % 3]}`),
  ];
  const files: Record<string, string[]> = {
    subject: ['subject_id,birth_date', ...Array.from({ length: 60 }, (_, i) => `${1 + i},19${50 + (i % 40)}-0${1 + (i % 9)}-2${i % 8}`)],
    admission_stay: events('admission_stay', 90),
    dx_event: events('dx_event', 120),
    rx_event: events('rx_event', 110),
    lab_event: events('lab_event', 130),
    device_event: events('device_event', 70),
  };
  ({ result, cleanup } = await suggestForCsvExport(files, DDL));
});
afterAll(() => cleanup());

describe('a target table no source table fits', () => {
  it('stays empty rather than take the best of the weakly related tables', () => {
    expect(result.tables.find((t) => t.target === 'admission')?.source).toBe('admission_stay');
    expect(result.tables.find((t) => t.target === 'gp_registration')?.source).toBeNull();
    expect(result.suggestions.filter((s) => s.target.startsWith('gp_registration.')).every((s) => s.source === null)).toBe(true);
    expect(result.suggestions.find((s) => s.target === 'gp_registration.practice_code')?.reason).toMatch(/fits it hardly better than the source's other tables/);
  });
});
