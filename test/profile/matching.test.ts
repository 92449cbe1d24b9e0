import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../src/connectors/registry.js';
import { parseDdl } from '../../src/profile/ddl.js';
import { analyseName, isAbbreviation, known, resolveConcepts } from '../../src/profile/names.js';
import { nameSimilarity } from '../../src/profile/name-score.js';
import { valueClasses } from '../../src/profile/patterns.js';
import { profileSource } from '../../src/profile/profile.js';
import { suggestMappings, type SuggestResult } from '../../src/profile/suggest.js';
import { tempDir } from '../helpers/tmp.js';

const concepts = (name: string) => resolveConcepts(analyseName(name));
const none = new Set<string>();
const sim = (a: string, b: string) => nameSimilarity(analyseName(a), none, analyseName(b), none);

describe('plurals', () => {
  it('reads -ies plurals as the -y word the dictionary knows', () => {
    expect(known('allergies')).toBe('allergy');
    expect(concepts('allergies')).toEqual(['allergy']);
    expect(concepts('PATIENTS')).toEqual(['patient']);
  });

  it('leaves unknown words that merely end in -ies alone', () => {
    expect(known('zombies')).toBeUndefined();
  });
});

describe('short abbreviation guard', () => {
  it('rejects a three-letter word whose letters only happen to occur in order', () => {
    expect(isAbbreviation('ssn', 'substance')).toBe(false);
    expect(isAbbreviation('pth', 'patient')).toBe(false);
  });

  it('keeps real short abbreviations: second letter is the next consonant or the second letter', () => {
    expect(isAbbreviation('rcv', 'received')).toBe(true);
    expect(isAbbreviation('rfl', 'referral')).toBe(true);
    expect(isAbbreviation('dgn', 'diagnosis')).toBe(true);
    expect(isAbbreviation('sev', 'severity')).toBe(true);
  });

  it('does not guard longer abbreviations, which carry enough letters', () => {
    expect(isAbbreviation('snam', 'surname')).toBe(true);
  });
});

describe('healthcare synonyms', () => {
  it('relates admissions, appointments and spells to encounters', () => {
    for (const name of ['admission', 'outpatient_appointment', 'IP_SPELL', 'encounters']) expect(concepts(name)).toContain('encounter');
    expect(sim('admission', 'encounters')).toBeGreaterThan(0.5);
  });

  it('reads observations as results', () => {
    expect(sim('lab_result', 'observations')).toBeGreaterThan(0.4);
    expect(sim('lab_result', 'allergies')).toBe(0);
  });

  it('lets the name of a coded thing match its description', () => {
    expect(sim('product_name', 'DESCRIPTION')).toBeGreaterThan(0.4);
    expect(sim('product_name', 'PRODUCT_DESCRIPTION')).toBe(1);
  });
});

describe('value classes for modern exports', () => {
  it('classes UUIDs and email addresses', () => {
    expect(valueClasses('8f3fc3a9-eee8-4134-8fea-e3f9a3e9f58b')).toEqual(['uuid']);
    expect(valueClasses('j.bloggs@example.nhs.uk')).toEqual(['email']);
    expect(valueClasses('784 Stamm Lock Unit 46')).toEqual(['free_text']);
  });
});

// A Synthea-like export: UUID keys, the address on the patient row, bare START/STOP/CODE columns.
const DDL = `
CREATE TABLE patient (patient_id integer PRIMARY KEY, date_of_birth date NOT NULL, email_address varchar(100));
CREATE TABLE patient_address (address_id integer PRIMARY KEY, patient_id integer NOT NULL REFERENCES patient (patient_id), town varchar(35));
CREATE TABLE admission (spell_id integer PRIMARY KEY, patient_id integer NOT NULL REFERENCES patient (patient_id), admitted_on date NOT NULL, discharged_on date);
CREATE TABLE lab_result (result_id integer PRIMARY KEY, patient_id integer NOT NULL REFERENCES patient (patient_id), loinc_code varchar(10) NOT NULL, result_value numeric(12,2));`;

const uuid = (kind: number, i: number) => `${String(kind).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`;
const LOINC = ['718-7', '2160-0', '3016-3', '14749-6'];

let result: SuggestResult;
let cleanup: () => Promise<void>;
const find = (target: string) => result.suggestions.find((s) => s.target === target)!;

beforeAll(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  const dir = path.join(t.dir, 'export');
  await mkdir(dir);
  const day = (i: number) => `20${String(10 + (i % 14))}-0${1 + (i % 9)}-1${i % 10}`;
  const patients = [
    'Id,BIRTHDATE,ADDRESS,CITY',
    ...Array.from({ length: 60 }, (_, i) => `${uuid(1, i)},19${50 + (i % 49)}-0${1 + (i % 9)}-2${i % 8},${i + 1} High Street,${['Leeds', 'York', 'Hull', 'Bradford'][i % 4]}`),
  ];
  const encounters = ['Id,START,STOP,PATIENT', ...Array.from({ length: 150 }, (_, i) => `${uuid(2, i)},${day(i)},${day(i).slice(0, 8)}2${i % 8},${uuid(1, i % 60)}`)];
  const observations = ['DATE,PATIENT,CODE,VALUE', ...Array.from({ length: 200 }, (_, i) => `${day(i)},${uuid(1, i % 60)},${LOINC[i % 4]},${(i % 37) + 0.5}`)];
  await writeFile(path.join(dir, 'patients.csv'), patients.join('\n') + '\n');
  await writeFile(path.join(dir, 'encounters.csv'), encounters.join('\n') + '\n');
  await writeFile(path.join(dir, 'observations.csv'), observations.join('\n') + '\n');
  const source = await openSource(`csv:${dir}`);
  try {
    result = suggestMappings(await profileSource(source, { sample: 500 }), parseDdl(DDL));
  } finally {
    await source.close();
  }
});
afterAll(() => cleanup());

describe('suggestions on a UUID-keyed export', () => {
  it('takes UUID keys and references for integer surrogate keys', () => {
    expect(find('patient.patient_id').source).toBe('patients.Id');
    expect(find('admission.spell_id').source).toBe('encounters.Id');
    expect(find('admission.patient_id').source).toBe('encounters.PATIENT');
  });

  it('gives the patient row key to the reference, not to an address table loaded from that row', () => {
    expect(find('patient_address.patient_id').source).toBe('patients.Id');
    expect(find('patient_address.address_id').source).toBeNull();
  });

  it('finds an encounter table for admissions and an observation table for lab results', () => {
    expect(result.tables.find((t) => t.target === 'admission')?.source).toBe('encounters');
    expect(result.tables.find((t) => t.target === 'lab_result')?.source).toBe('observations');
  });

  it('reads bare START and STOP as the start and end events of the row', () => {
    expect(find('admission.admitted_on').source).toBe('encounters.START');
    expect(find('admission.discharged_on').source).toBe('encounters.STOP');
  });

  it('takes a bare CODE column whose values are the code the target asks for', () => {
    expect(find('lab_result.loinc_code').source).toBe('observations.CODE');
  });

  it('does not fill an email column from an address', () => {
    expect(find('patient.email_address').source).toBeNull();
  });
});
