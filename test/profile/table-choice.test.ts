// Round-4 table choice: evidence beyond names. The chosen sources of a target's child tables
// point at its source through their foreign keys, and a table holding the very codes a target
// column asks for (ODS codes for practice_code) is where that target's rows are.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuggestResult } from '../../src/profile/suggest.js';
import { suggestForCsvExport } from './csv-export.js';

const DDL = `
CREATE TABLE patient (patient_id integer PRIMARY KEY, date_of_birth date NOT NULL);
CREATE TABLE gp_registration (registration_id integer PRIMARY KEY, patient_id integer NOT NULL REFERENCES patient (patient_id), practice_code varchar(6) NOT NULL, registered_from date, registered_to date);
CREATE TABLE referral (referral_id integer PRIMARY KEY, patient_id integer NOT NULL REFERENCES patient (patient_id), received_on date NOT NULL);
CREATE TABLE admission (spell_id integer PRIMARY KEY, patient_id integer NOT NULL REFERENCES patient (patient_id), admitted_on date NOT NULL, discharged_on date);
CREATE TABLE diagnosis (diagnosis_id integer PRIMARY KEY, spell_id integer NOT NULL REFERENCES admission (spell_id), patient_id integer NOT NULL REFERENCES patient (patient_id), sequence integer NOT NULL, icd10_code varchar(6) NOT NULL);
CREATE TABLE procedure (procedure_id integer PRIMARY KEY, spell_id integer NOT NULL REFERENCES admission (spell_id), sequence integer NOT NULL, opcs4_code varchar(5) NOT NULL, performed_on date);`;

const ICD10 = ['I10', 'E11.9', 'J45.0', 'K21.0', 'M54.5', 'N39.0'];
const ODS = ['A81001', 'B82005', 'C84023', 'D81002', 'F85010'];
const day = (i: number, base = 10) => `20${base + (i % 9)}-0${1 + (i % 9)}-1${i % 10}`;

let result: SuggestResult;
let cleanup: () => Promise<void>;
const tableOf = (target: string) => result.tables.find((t) => t.target === target)?.source;

beforeAll(async () => {
  const files: Record<string, string[]> = {
    PATIENT: ['PAT_ID,BIRTH_DATE', ...Array.from({ length: 60 }, (_, i) => `${1000 + i},19${50 + (i % 49)}-0${1 + (i % 9)}-2${i % 8}`)],
    // GP registrations under names no dictionary knows: only the ODS codes say what the table holds.
    PAT_QQX: ['PAT_QQX_ID,PAT_ID,QQX_ORG_ID,EFF_DATE,TERM_DATE', ...Array.from({ length: 80 }, (_, i) => `${500 + i},${1000 + (i % 60)},${ODS[i % 5]},${day(i)},${i % 3 === 0 ? day(i, 19) : ''}`)],
    REFERRAL: ['REFERRAL_ID,PAT_ID,ENTRY_DATE,PRIORITY', ...Array.from({ length: 90 }, (_, i) => `${7000 + i},${1000 + (i % 60)},${day(i)},${['R', 'U', 'T'][i % 3]}`)],
    // The admissions, under an opaque name, and an ADT event table whose name and dates look like admissions.
    KRN_STX: ['KRN_STX_ID,PAT_ID,BEG_DT_TM,DISCH_DT_TM', ...Array.from({ length: 100 }, (_, i) => `${90000 + i},${1000 + (i % 60)},${day(i)} 10:00:00,${day(i, 19)} 12:00:00`)],
    ADT_EVENT: ['EVENT_ID,KRN_STX_ID,IN_DTTM,OUT_DTTM', ...Array.from({ length: 150 }, (_, i) => `${300 + i},${90000 + (i % 100)},${day(i)} 10:00:00,${day(i, 19)} 11:00:00`)],
    // LINE (1-3) also lies inside the small integer keys of an alias table: containment by chance, not a reference.
    DX_LIST: ['DX_ID,KRN_STX_ID,LINE,DX_CODE', ...Array.from({ length: 140 }, (_, i) => `${40 + i},${90000 + (i % 100)},${1 + (i % 3)},${ICD10[i % 6]}`)],
    NAME_ALIAS: ['ALIAS_LINE_ID,PATIENT_ID,OTHER_NAME', ...Array.from({ length: 50 }, (_, i) => `${1 + i},${1000 + i},Name${i}`)],
    // The procedures under opaque names and local codes, beside a medication orders table whose names fit as well.
    QX_LIST: [
      'QX_REC_ID,KRN_STX_ID,LINE,BILL_REF,QX_DATE',
      ...Array.from({ length: 90 }, (_, i) => `${600 + i},${90000 + (i % 100)},${1 + (i % 2)},${['W401', 'H011', 'K401', 'Q074'][i % 4]}X,${day(i)}`),
    ],
    ORDER_MED: ['ORDER_MED_ID,PAT_ID,ORDER_LINE,DOSE,START_DATE', ...Array.from({ length: 120 }, (_, i) => `${800 + i},${1000 + (i % 60)},${1 + (i % 4)},${5 * (1 + (i % 4))} mg,${day(i)}`)],
  };
  ({ result, cleanup } = await suggestForCsvExport(files, DDL));
});
afterAll(() => cleanup());

describe('joins', () => {
  it('joins a parent through a reference to another entity, not through a handful of small numbers', () => {
    const patient = result.suggestions.find((x) => x.target === 'diagnosis.patient_id')!;
    expect(patient.source).toBe('KRN_STX.PAT_ID');
    expect(patient.join?.on).toEqual({ KRN_STX_ID: 'KRN_STX_ID' });
  });
});

describe('table choice beyond names', () => {
  it('takes the table holding the codes a target column asks for', () => {
    expect(tableOf('gp_registration')).toBe('PAT_QQX');
  });

  it("takes the table referring to the source of the target's parent", () => {
    expect(tableOf('procedure')).toBe('QX_LIST');
  });

  it("takes the table the child table's source refers to", () => {
    expect(tableOf('diagnosis')).toBe('DX_LIST');
    expect(tableOf('admission')).toBe('KRN_STX');
  });
});
