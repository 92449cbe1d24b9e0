// Table choice between tables sharing the target's vocabulary: of a parent and its child that
// fit alike, the parent is the entity (a visit, not the encounters within it), and one source
// table is not the source of two unrelated target tables (a table of diagnoses is no table of
// procedures too). The schema is an invented convention, not any product's.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../src/connectors/registry.js';
import { parseDdl } from '../../src/profile/ddl.js';
import { profileSource } from '../../src/profile/profile.js';
import { suggestMappings, type SuggestResult } from '../../src/profile/suggest.js';
import { tempDir } from '../helpers/tmp.js';

const PATIENT_ADMISSION = `
CREATE TABLE patient (patient_id integer PRIMARY KEY, date_of_birth date NOT NULL);
CREATE TABLE admission (spell_id integer PRIMARY KEY, patient_id integer NOT NULL REFERENCES patient(patient_id), admitted_on date NOT NULL, discharged_on date);`;
// With the diagnoses, whose table refers to the visits, the visits would win on that alone.
const DDL = `${PATIENT_ADMISSION}
CREATE TABLE diagnosis (diagnosis_id integer PRIMARY KEY, spell_id integer NOT NULL REFERENCES admission(spell_id), icd10_code varchar(6) NOT NULL, sequence integer, diagnosed_on date);
CREATE TABLE procedure (procedure_id integer PRIMARY KEY, spell_id integer NOT NULL REFERENCES admission(spell_id), opcs4_code varchar(5) NOT NULL, sequence integer, performed_on date);`;

// Procedures referring to the admission only, their source to the patient master only.
const WITH_PROCEDURES = `${PATIENT_ADMISSION}
CREATE TABLE procedure (procedure_id integer PRIMARY KEY, spell_id integer NOT NULL REFERENCES admission(spell_id), opcs4_code varchar(5) NOT NULL, performed_on date);`;

// Diagnoses and procedures coded in one table, told apart by a type column.
const CODING = `
CREATE TABLE admission (spell_id integer PRIMARY KEY, admitted_on date NOT NULL);
CREATE TABLE diagnosis (diagnosis_id integer PRIMARY KEY, spell_id integer NOT NULL REFERENCES admission(spell_id), icd10_code varchar(6) NOT NULL, sequence integer);
CREATE TABLE procedure (procedure_id integer PRIMARY KEY, spell_id integer NOT NULL REFERENCES admission(spell_id), opcs4_code varchar(5) NOT NULL, sequence integer, performed_on date);`;

let result: SuggestResult;
let coding: SuggestResult;
let admissionsOnly: SuggestResult;
let withProcedures: SuggestResult;
let cleanup: () => Promise<void>;
const table = (target: string, r = result) => r.tables.find((t) => t.target === target)?.source;

beforeAll(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  const dir = path.join(t.dir, 'export');
  await mkdir(dir);
  const day = (i: number, d = 0) => `20${10 + (i % 12)}-0${1 + (i % 9)}-1${(i + d) % 10}`;
  const icd = ['I10', 'E119', 'J189', 'K359', 'N390'];
  const files: Record<string, string[]> = {
    PERSON: ['PERSON_ID,BIRTH_DATE', ...Array.from({ length: 80 }, (_, i) => `${i + 1},19${50 + (i % 49)}-0${1 + (i % 9)}-2${i % 8}`)],
    VISIT: ['VISIT_ID,PERSON_ID,DATE_STARTED,DATE_STOPPED', ...Array.from({ length: 100 }, (_, i) => `${1000 + i},${1 + (i % 80)},${day(i)},${day(i, 2)}`)],
    // The encounters within a visit: named like the target's admissions, but each refers to its visit.
    ENCOUNTER: [
      'ENCOUNTER_ID,VISIT_ID,PERSON_ID,ENCOUNTER_DATETIME,ENCOUNTER_END_DATETIME',
      ...Array.from({ length: 160 }, (_, i) => `${5000 + i},${1000 + (i % 100)},${1 + ((i % 100) % 80)},${day(i)} 10:00:00,${day(i, 1)} 11:00:00`),
    ],
    // Diagnoses only; this extract has no procedures.
    VISIT_DIAGNOSIS: [
      'DIAGNOSIS_ID,VISIT_ID,DIAGNOSIS_CODE,DIAGNOSIS_SEQUENCE,DIAGNOSIS_DATE',
      ...Array.from({ length: 150 }, (_, i) => `${9000 + i},${1000 + (i % 100)},${icd[i % 5]},${1 + (i % 3)},${day(i)}`),
    ],
  };
  for (const [name, lines] of Object.entries(files)) await writeFile(path.join(dir, `${name}.csv`), lines.join('\n') + '\n');
  const src = await openSource(`csv:${dir}`);
  try {
    const profile = await profileSource(src, { sample: 500 });
    result = suggestMappings(profile, parseDdl(DDL));
    admissionsOnly = suggestMappings(profile, parseDdl(PATIENT_ADMISSION));
  } finally {
    await src.close();
  }
  const opcs = ['W401', 'H011', 'K401', 'Q071'];
  files.THEATRE_PROCEDURE = ['PROCEDURE_ID,PERSON_ID,OPCS_CODE,PROCEDURE_DATE', ...Array.from({ length: 60 }, (_, i) => `${7000 + i},${1 + (i % 80)},${opcs[i % 4]},${day(i)}`)];
  await writeFile(path.join(dir, 'THEATRE_PROCEDURE.csv'), files.THEATRE_PROCEDURE.join('\n') + '\n');
  const codingDir = path.join(t.dir, 'coding');
  await mkdir(codingDir);
  const codes = ['I10', 'W401', 'E119', 'H011', 'J189', 'K401'];
  await writeFile(path.join(codingDir, 'SPELL.csv'), ['SPELL_ID,ADMIT_DATE', ...Array.from({ length: 60 }, (_, i) => `${300 + i},${day(i)}`)].join('\n') + '\n');
  await writeFile(
    path.join(codingDir, 'CLINICAL_CODING.csv'),
    [
      'CODING_ID,SPELL_ID,CODE_TYPE,CODE,CODE_SEQUENCE,CODED_DATE',
      ...Array.from({ length: 180 }, (_, i) => `${4000 + i},${300 + (i % 60)},${i % 2 === 0 ? 'D' : 'P'},${codes[i % 6]},${1 + (i % 4)},${day(i)}`),
    ].join('\n') + '\n',
  );
  const src3 = await openSource(`csv:${codingDir}`);
  try {
    coding = suggestMappings(await profileSource(src3, { sample: 500 }), parseDdl(CODING));
  } finally {
    await src3.close();
  }
  const src2 = await openSource(`csv:${dir}`);
  try {
    withProcedures = suggestMappings(await profileSource(src2, { sample: 500 }), parseDdl(WITH_PROCEDURES));
  } finally {
    await src2.close();
  }
});
afterAll(() => cleanup());

describe('table choice between a parent and its child', () => {
  it('takes the visits for the admissions, not the encounters referring to them', () => {
    expect(table('admission', admissionsOnly)).toBe('VISIT');
  });

  it("is not put off a table by its reference to the patient master, which the procedures' source also refers to", () => {
    expect(table('procedure', withProcedures)).toBe('THEATRE_PROCEDURE');
    expect(table('admission', withProcedures)).toBe('VISIT');
  });

  it('lets diagnoses and procedures share one coding table that fits both alike', () => {
    expect(table('diagnosis', coding)).toBe('CLINICAL_CODING');
    expect(table('procedure', coding)).toBe('CLINICAL_CODING');
  });

  it('leaves the procedures without a source rather than sharing the diagnoses table', () => {
    expect(table('diagnosis')).toBe('VISIT_DIAGNOSIS');
    expect(table('procedure')).not.toBe('VISIT_DIAGNOSIS');
  });
});
