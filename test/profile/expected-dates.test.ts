// An expected or planned date is not the recorded one: a target qualified so takes only a source
// column whose name says so, written out or abbreviated. Invented names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuggestResult } from '../../src/profile/suggest.js';
import { suggestForCsvExport } from './csv-export.js';

const DDL = `CREATE TABLE admission (spell_id integer PRIMARY KEY, admitted_on date NOT NULL, discharged_on date, expected_discharge_on date);`;

let actualOnly: SuggestResult;
let withExpected: SuggestResult;
const cleanups: Array<() => Promise<void>> = [];
const source = (r: SuggestResult, target: string) => r.suggestions.find((s) => s.target === target)?.source;

beforeAll(async () => {
  const day = (i: number, d = 0) => `20${10 + (i % 12)}-0${1 + (i % 9)}-1${(i + d) % 10}`;
  // Each date twice, as a date and as a date-time: the spare date-time is no expected date.
  const a = await suggestForCsvExport(
    {
      admissions: [
        'admission_id,admit_date,discharge_date,admit_datetime,discharge_datetime',
        ...Array.from({ length: 80 }, (_, i) => `${1 + i},${day(i)},${day(i, 2)},${day(i)} 10:00:00,${day(i, 2)} 12:00:00`),
      ],
    },
    DDL,
  );
  actualOnly = a.result;
  cleanups.push(a.cleanup);
  const b = await suggestForCsvExport(
    { admissions: ['admission_id,admit_date,discharge_date,exp_discharge_date', ...Array.from({ length: 80 }, (_, i) => `${1 + i},${day(i)},${day(i, 2)},${day(i, 3)}`)] },
    DDL,
  );
  withExpected = b.result;
  cleanups.push(b.cleanup);
});
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe('expected dates', () => {
  it('are left empty when the source records only the event', () => {
    expect(source(actualOnly, 'admission.discharged_on')).toBe('admissions.discharge_date');
    expect(source(actualOnly, 'admission.expected_discharge_on')).toBeNull();
  });
  it('take a column saying so, however abbreviated', () => {
    expect(source(withExpected, 'admission.discharged_on')).toBe('admissions.discharge_date');
    expect(source(withExpected, 'admission.expected_discharge_on')).toBe('admissions.exp_discharge_date');
  });
});
