// Round-4 value and context mechanisms: code columns holding numbers (Millennium code values,
// Epic categories), constant columns, related words, and table words on either side as context.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patternSimilarity, ROLE_SIMILARITY } from '../../src/profile/evidence.js';
import { valueFit } from '../../src/profile/fit.js';
import { analyseName, resolveConcepts } from '../../src/profile/names.js';
import { nameSimilarity } from '../../src/profile/name-score.js';
import type { SuggestResult } from '../../src/profile/suggest.js';
import type { ColumnProfile } from '../../src/profile/types.js';
import { suggestForCsvExport } from './csv-export.js';

const concepts = (name: string) => resolveConcepts(analyseName(name));
const none = new Set<string>();
const sim = (a: string, b: string) => nameSimilarity(analyseName(a), none, analyseName(b), none);

function numbers(distinct: number, maxLength: number, rows = 100): ColumnProfile {
  return {
    inferred_type: 'integer',
    dominant_pattern: 'integer',
    patterns: [{ class: 'integer', fraction: 1 }],
    nulls: 0,
    empties: 0,
    distinct: { count: distinct, estimated: false },
    length: { min: 1, max: maxLength },
    top_values: [{ value: '1', count: Math.ceil(rows / distinct) }],
  } as unknown as ColumnProfile;
}

describe('code columns holding numbers', () => {
  it('reads a trailing C as a code', () => {
    expect(concepts('APPT_STATUS_C').at(-1)).toBe('code');
    expect(concepts('C')).toEqual(['c']);
  });

  it('fits a coded text target as local codes would, whatever the length of the numbers', () => {
    const target = { type: 'text' as const, length: 1, concepts: ['attendance', 'status'] };
    expect(valueFit(target, numbers(5, 7), true)).toBeGreaterThanOrEqual(0.85);
    expect(valueFit(target, numbers(5, 7), false)).toBeLessThan(0.5);
  });
});

describe('code numbers are not quantities', () => {
  it('fits a numeric target less from a code column than from plain numbers', () => {
    const target = { type: 'decimal' as const, concepts: ['result', 'value'] };
    expect(valueFit(target, numbers(3, 1), true)).toBeLessThan(valueFit(target, numbers(3, 1), false));
  });
});

describe('identifiers named alias', () => {
  it('credits an alias holding the only ODS codes of its table as the practice code', () => {
    const ods = { inferred_type: 'text', dominant_pattern: 'ods_code', patterns: [{ class: 'ods_code', fraction: 1 }] } as unknown as ColumnProfile;
    expect(patternSimilarity({ concepts: ['practice', 'code'] }, { concepts: ['organisation', 'alias'], unknownWords: false }, ods, 1)).toBe(ROLE_SIMILARITY);
  });
});

describe('NHS numbers identify themselves', () => {
  it('credits the only NHS-number column of a table even when its name has a word the dictionary lacks', () => {
    const nhs = { inferred_type: 'text', dominant_pattern: 'nhs_number', patterns: [{ class: 'nhs_number', fraction: 1 }] } as unknown as ColumnProfile;
    expect(patternSimilarity({ concepts: ['nhs', 'number'] }, { concepts: ['federal', 'id'], unknownWords: true }, nhs, 1)).toBe(ROLE_SIMILARITY);
    expect(patternSimilarity({ concepts: ['nhs', 'number'] }, { concepts: ['govern', 'card', 'number'], unknownWords: true }, nhs, 1)).toBe(ROLE_SIMILARITY);
    const snomed = { inferred_type: 'text', dominant_pattern: 'snomed_ct', patterns: [{ class: 'snomed_ct', fraction: 1 }] } as unknown as ColumnProfile;
    expect(patternSimilarity({ concepts: ['snomed', 'id'] }, { concepts: ['reason', 'code'], unknownWords: true }, snomed, 1)).toBe(0);
  });
});

describe('constant columns', () => {
  it('fits a column holding one value in every row less well than one whose values vary', () => {
    const target = { type: 'text' as const, length: 8, concepts: ['admission', 'method'] };
    expect(valueFit(target, numbers(1, 6), true)).toBeLessThan(valueFit(target, numbers(8, 6), true));
  });
});

describe('related words', () => {
  it('reads an admission type as its method, a priority as the sequence, a created date as the recorded one', () => {
    expect(sim('admission_method', 'ADMIT_TYPE_CD')).toBeGreaterThan(sim('admission_method', 'ADMIT_SRC_CD'));
    expect(sim('sequence', 'DIAG_PRIORITY')).toBeGreaterThan(0.3);
    expect(sim('recorded_on', 'CREATED_DT_TM')).toBeGreaterThan(sim('recorded_on', 'UPDT_DT_TM'));
  });
});

// A Millennium-like encounter table: the admission's own words (ADMIT_) beside the table's (ENCNTR_).
const DDL = `
CREATE TABLE patient (patient_id integer PRIMARY KEY, date_of_birth date NOT NULL, marital_status varchar(1));
CREATE TABLE admission (spell_id integer PRIMARY KEY, patient_id integer NOT NULL REFERENCES patient (patient_id), admission_method varchar(2) NOT NULL);
CREATE TABLE outpatient_appointment (appointment_id integer PRIMARY KEY, patient_id integer NOT NULL REFERENCES patient (patient_id), attendance_status varchar(1) NOT NULL);
CREATE TABLE procedure (procedure_id integer PRIMARY KEY, opcs4_code varchar(5) NOT NULL);`;

let result: SuggestResult;
let cleanup: () => Promise<void>;
const find = (target: string) => result.suggestions.find((s) => s.target === target)!;

beforeAll(async () => {
  const person = [
    'PERSON_ID,BIRTH_DT_TM,ACTIVE_STATUS_CD',
    ...Array.from({ length: 60 }, (_, i) => `${20000000 + i},19${50 + (i % 49)}-0${1 + (i % 9)}-2${i % 8} 00:00:00,${i % 9 === 0 ? 189 : 188}`),
  ];
  const appointments = [
    'SCH_APPT_ID,PERSON_ID,BEG_DT_TM,SCH_STATE_CD',
    ...Array.from({ length: 120 }, (_, i) => `${80000000 + i},${20000000 + (i % 60)},2024-0${1 + (i % 9)}-1${i % 10} 09:30:00,${[4536, 4537, 4540][i % 3]}`),
  ];
  const procedures = ['PX_REC_ID,REF_BILL_CODE', ...Array.from({ length: 80 }, (_, i) => `${500 + i},${['W40.1', 'H01.1', 'K40.1', 'Q07.4'][i % 4]}`)];
  const encounter = [
    'ENCNTR_ID,PERSON_ID,ENCNTR_TYPE_CD,ADMIT_TYPE_CD',
    ...Array.from({ length: 150 }, (_, i) => `${60000000 + i},${20000000 + (i % 60)},309308,${[3101, 3102, 3107, 3110, 3115][i % 5]}`),
  ];
  ({ result, cleanup } = await suggestForCsvExport({ PERSON: person, ENCOUNTER: encounter, SCH_APPT: appointments, HSP_PX_LIST: procedures }, DDL));
});
afterAll(() => cleanup());

describe("the status or code of the table's subject", () => {
  it("takes the appointment table's only status column for the attendance status, whatever it calls the status", () => {
    expect(find('outpatient_appointment.attendance_status').source).toBe('SCH_APPT.SCH_STATE_CD');
  });

  it("takes the procedure table's only code column for the procedure code, whatever else its name says", () => {
    expect(find('procedure.opcs4_code').source).toBe('HSP_PX_LIST.REF_BILL_CODE');
  });

  it("does not take a patient's record status for the status of something else", () => {
    expect(find('patient.marital_status').source).toBeNull();
  });
});

describe('table words on either side are context', () => {
  it('takes the admission type code for the admission method over the encounter type code', () => {
    expect(find('admission.admission_method').source).toBe('ENCOUNTER.ADMIT_TYPE_CD');
  });
});
