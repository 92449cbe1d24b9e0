// Round-3 matching mechanisms: FHIR vocabulary, zero-based array flattening, unknown words,
// identifier columns told by their values, and parent-table columns that share only a generic word.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../src/connectors/registry.js';
import { parseDdl } from '../../src/profile/ddl.js';
import { patternSimilarity, ROLE_SIMILARITY } from '../../src/profile/evidence.js';
import { oneBasedNames } from '../../src/profile/match-model.js';
import { analyseName, resolveConcepts } from '../../src/profile/names.js';
import { nameSimilarity } from '../../src/profile/name-score.js';
import { profileSource } from '../../src/profile/profile.js';
import { suggestMappings, type SuggestResult } from '../../src/profile/suggest.js';
import type { ColumnProfile } from '../../src/profile/types.js';
import { tempDir } from '../helpers/tmp.js';

const concepts = (name: string) => resolveConcepts(analyseName(name));
const none = new Set<string>();
const sim = (a: string, b: string) => nameSimilarity(analyseName(a), none, analyseName(b), none);

describe('FHIR vocabulary', () => {
  it('reads a period start or end as a bare start or end', () => {
    expect(concepts('period_start')).toEqual(['start']);
    expect(concepts('period_end')).toEqual(['end']);
    expect(concepts('RTT_PERIOD')).toEqual(['rtt']);
  });

  it('reads coding and CodeableConcept as code', () => {
    expect(concepts('code_coding_code')).toEqual(['code']);
    expect(concepts('medicationCodeableConcept_code')).toEqual(['medication', 'code']);
  });

  it('reads performer and service types as the specialty, and only those', () => {
    expect(concepts('performerType_code')).toEqual(['specialty', 'code']);
    expect(concepts('serviceType_code')).toEqual(['specialty', 'code']);
    expect(concepts('service_code')).not.toContain('specialty');
    expect(concepts('performer_name')).not.toContain('specialty');
  });

  it('reads the requester type as the referral source', () => {
    expect(sim('referral_source', 'requester_type_code')).toBeGreaterThan(0.6);
    expect(sim('priority', 'requester_type_code')).toBe(0);
  });

  it('reads a general practitioner as the GP, and a practitioner as GP or consultant', () => {
    expect(concepts('Patient_generalPractitioner')).toEqual(['patient', 'gp']);
    expect(sim('gp_code', 'practitioner_identifier')).toBeGreaterThan(0.4);
    expect(sim('consultant_code', 'practitioner_identifier')).toBeGreaterThan(0.4);
    expect(concepts('general_ward')).not.toContain('gp');
  });

  it('reads dose timing as the frequency and an address district as the county', () => {
    expect(sim('frequency', 'dosageInstruction_timing_code')).toBeGreaterThan(0.4);
    expect(sim('county', 'district')).toBe(1);
    expect(sim('hospital_number', 'district_number')).toBeGreaterThan(0.9);
  });

  it('reads civ as civil status and the terse name abbreviations SNAM, FNAM, MNAM', () => {
    expect(sim('marital_status', 'pt_civ_stat_cd')).toBeGreaterThan(0.5);
    expect(concepts('snam')).toEqual(['family', 'name']);
    expect(concepts('fnam')).toEqual(['given', 'name']);
    expect(concepts('mnam')).toEqual(['middle', 'name']);
  });
});

describe('zero-based array flattening', () => {
  it('renumbers a family of names that starts at 0 one-based', () => {
    const m = oneBasedNames(['id', 'line_0', 'line_1', 'city', 'name_given_0', 'name_given_1']);
    expect(m.get('line_0')).toBe('line_1');
    expect(m.get('line_1')).toBe('line_2');
    expect(m.get('name_given_0')).toBe('name_given_1');
    expect(m.get('name_given_1')).toBe('name_given_2');
    expect(m.get('city')).toBe('city');
  });

  it('leaves one-based families and lone numbered names alone', () => {
    const m = oneBasedNames(['ADDR_LINE1', 'ADDR_LINE2', 'icd10', 'line_0x', 'phone_1']);
    expect([...m.entries()].every(([k, v]) => k === v)).toBe(true);
  });

  it('reads the second given name as the middle name', () => {
    expect(concepts('name_given_2')).toContain('middle');
    expect(concepts('name_given_1')).not.toContain('middle');
    expect(sim('middle_names', 'name_given_2')).toBeGreaterThan(0.4);
  });
});

describe('unknown words', () => {
  it('weigh less than known words that name something else', () => {
    const unknown = sim('started_on', 'zqxv_start');
    const known = sim('started_on', 'referral_start');
    expect(unknown).toBeGreaterThan(known);
    expect(unknown).toBeLessThan(1);
  });

  it('still leave a name with nothing in common at 0', () => {
    expect(sim('started_on', 'zqxv_wobble')).toBe(0);
  });
});

function profile(patterns: Array<{ class: string; fraction: number }>): ColumnProfile {
  return { patterns, inferred_type: 'text', dominant_pattern: patterns[0]?.class ?? null } as unknown as ColumnProfile;
}

describe('identifier columns told by their values', () => {
  const practice = { concepts: ['practice', 'code'] };
  const ods = profile([{ class: 'ods_code', fraction: 0.97 }]);
  const source = (c: string[], unknownWords = false) => ({ concepts: c, unknownWords });

  it('credits the only column of its table holding the coded pattern the target asks for', () => {
    expect(patternSimilarity(practice, source(['organisation', 'id']), ods, 1)).toBe(ROLE_SIMILARITY);
  });

  it('credits nothing when the pattern is not unique, the values fall short, or the name says otherwise', () => {
    expect(patternSimilarity(practice, source(['organisation', 'id']), ods, 2)).toBe(0);
    expect(patternSimilarity(practice, source(['organisation', 'id']), profile([{ class: 'ods_code', fraction: 0.6 }]), 1)).toBe(0);
    expect(patternSimilarity(practice, source(['reason', 'code'], true), ods, 1)).toBe(0);
    expect(patternSimilarity(practice, source(['organisation', 'name']), ods, 1)).toBe(0);
    expect(patternSimilarity({ concepts: ['town'] }, source(['organisation', 'id']), ods, 1)).toBe(0);
  });
});

// A FHIR-like export: UUID keys, the encounter's dates under a name the dictionary cannot read,
// and the patient's birth date one join away.
const DDL = `
CREATE TABLE patient (patient_id integer PRIMARY KEY, date_of_birth date NOT NULL);
CREATE TABLE admission (spell_id integer PRIMARY KEY, patient_id integer NOT NULL REFERENCES patient (patient_id), admitted_on date NOT NULL, discharged_on date);
CREATE TABLE patient_address (address_id integer PRIMARY KEY, patient_id integer NOT NULL REFERENCES patient (patient_id), line1 varchar(35), line2 varchar(35));`;

const uuid = (kind: number, i: number) => `${String(kind).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`;

// The same admission with a target column that does name the parent's fact.
const WITH_BIRTH = DDL.replace('discharged_on date)', 'discharged_on date, birth_date date)');

let result: SuggestResult;
let withBirth: SuggestResult;
let cleanup: () => Promise<void>;
const find = (target: string) => result.suggestions.find((s) => s.target === target)!;

beforeAll(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  const dir = path.join(t.dir, 'fhir');
  await mkdir(dir);
  const day = (i: number) => `20${String(10 + (i % 14))}-0${1 + (i % 9)}-1${i % 10}`;
  const patients = ['id,birthDate', ...Array.from({ length: 60 }, (_, i) => `${uuid(1, i)},19${50 + (i % 49)}-0${1 + (i % 9)}-2${i % 8}`)];
  const encounters = ['id,subject_reference,zqvx_wobble,period_end', ...Array.from({ length: 150 }, (_, i) => `${uuid(2, i)},${uuid(1, i % 60)},${day(i)},${day(i).slice(0, 8)}2${i % 8}`)];
  const addresses = [
    'id,patient_reference,line_0,line_1',
    ...Array.from({ length: 80 }, (_, i) => `${uuid(3, i)},${uuid(1, i % 60)},${i + 1} High Street,${['Upper Town', 'Lower End', '', 'Westside'][i % 4]}`),
  ];
  await writeFile(path.join(dir, 'Patient.csv'), patients.join('\n') + '\n');
  await writeFile(path.join(dir, 'Encounter.csv'), encounters.join('\n') + '\n');
  await writeFile(path.join(dir, 'Patient_address.csv'), addresses.join('\n') + '\n');
  const source = await openSource(`csv:${dir}`);
  try {
    const p = await profileSource(source, { sample: 500 });
    result = suggestMappings(p, parseDdl(DDL));
    withBirth = suggestMappings(p, parseDdl(WITH_BIRTH));
  } finally {
    await source.close();
  }
});
afterAll(() => cleanup());

describe('suggestions on a FHIR-like export', () => {
  it('takes period_end as the discharge date', () => {
    expect(find('admission.discharged_on').source).toBe('Encounter.period_end');
  });

  it('does not take the parent row birth date for an admission date through the join', () => {
    expect(find('admission.admitted_on').source).toBeNull();
  });

  it('still joins a parent column that shares a specific word', () => {
    const birth = withBirth.suggestions.find((x) => x.target === 'admission.birth_date')!;
    expect(birth.source).toBe('Patient.birthDate');
    expect(birth.join?.table).toBe('Patient');
  });

  it('maps zero-based address lines to one-based targets', () => {
    expect(find('patient_address.line1').source).toBe('Patient_address.line_0');
    expect(find('patient_address.line2').source).toBe('Patient_address.line_1');
  });
});
