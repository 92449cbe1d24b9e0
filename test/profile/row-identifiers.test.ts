// A column identifying its own table's rows (unique, referring to no table: a row UUID) is no
// reference to another table, however it is named. Invented names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuggestResult } from '../../src/profile/suggest.js';
import { suggestForCsvExport } from './csv-export.js';

const DDL = `
CREATE TABLE referral (referral_id integer PRIMARY KEY, received_on date NOT NULL);
CREATE TABLE outpatient_appointment (appointment_id integer PRIMARY KEY, referral_id integer REFERENCES referral (referral_id), appointment_date date NOT NULL);`;

let result: SuggestResult;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const day = (i: number) => `20${10 + (i % 12)}-0${1 + (i % 9)}-1${i % 10}`;
  const uuid = (i: number) => `${(0x1a2b3c4d + i * 7919).toString(16).padStart(8, '0')}-b43e-4fc1-a64a-${(0x13224ea0c9a3 + i * 104729).toString(16).padStart(12, '0')}`;
  const files: Record<string, string[]> = {
    REFERRAL: ['REFERRAL_ID,RECEIVED_DATE', ...Array.from({ length: 60 }, (_, i) => `${500 + i},${day(i)}`)],
    // Appointments without their referral: the row's own UUID is all there is.
    APPOINTMENT: ['APPOINTMENT_ID,UUID,APPOINTMENT_DATE', ...Array.from({ length: 90 }, (_, i) => `${9000 + i},${uuid(i)},${day(i)}`)],
  };
  ({ result, cleanup } = await suggestForCsvExport(files, DDL));
});
afterAll(() => cleanup());

describe('row identifiers', () => {
  it('are not taken for a reference to another table', () => {
    expect(result.tables.find((t) => t.target === 'outpatient_appointment')?.source).toBe('APPOINTMENT');
    expect(result.suggestions.find((s) => s.target === 'outpatient_appointment.referral_id')?.source).toBeNull();
  });
});
