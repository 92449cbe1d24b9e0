// Round-4 name mechanisms: ordinary words are not cut into dictionary pieces, vowel-dropped
// spellings read as their dictionary word, phrases match abbreviated words, and the general
// EPR vocabulary (PX, HSP, PCP, PRSNL, location, department, line numbers, ...).
import { describe, expect, it } from 'vitest';
import { analyseName, known, looksLikeWord, resolveConcepts, segment, skeleton } from '../../src/profile/names.js';
import { nameSimilarity } from '../../src/profile/name-score.js';

const concepts = (name: string) => resolveConcepts(analyseName(name));
const none = new Set<string>();
const sim = (a: string, b: string) => nameSimilarity(analyseName(a), none, analyseName(b), none);

describe('ordinary words in separated names', () => {
  it('keeps a word that reads like an ordinary word whole instead of cutting it into dictionary pieces', () => {
    expect(looksLikeWord('disposition')).toBe(true);
    expect(looksLikeWord('spellid')).toBe(false);
    expect(segment('disposition', true, true)).toEqual(['disposition']);
    expect(concepts('DISCH_DISPOSITION_CD')).not.toContain('sequence');
    expect(concepts('NATIONAL_ID')).not.toContain('nationality');
  });

  it('knows generic database words, so they are not cut into pieces either', () => {
    expect(concepts('ENCNTR_LOC_HIST')).not.toContain('start');
    expect(concepts('CLINICAL_EVENT')).not.toContain('entry');
    // Known, an item no longer makes ItemCode a name with a word the dictionary lacks.
    expect(analyseName('ItemCode').slots.some((s) => s.unknown)).toBe(false);
  });

  it('still cuts whole words run together', () => {
    expect(segment('dischargedate', true, true)).toEqual(['discharge', 'date']);
    expect(concepts('PAT_ADMITDATE')).toEqual(['patient', 'admission', 'date']);
  });

  it('still cuts abbreviated compounds and unseparated legacy names', () => {
    expect(segment('spellid', true, true)).toEqual(['spell', 'id']);
    expect(segment('ftdesc', true, true)).toEqual(['ft', 'desc']);
    expect(segment('pmicaseno', true, false)).toEqual(['pmi', 'caseno']);
  });
});

describe('vowel-dropped spellings', () => {
  it('reads a word written without some vowels as the dictionary word with the same consonants', () => {
    expect(skeleton('admission')).toBe('admsn');
    expect(known('encntr')).toBe('encounter');
    expect(known('specimn')).toBe('specimen');
    expect(known('admsn')).toBe('admission');
    expect(concepts('ENCNTR_ID')).toEqual(['encounter', 'id']);
  });

  it('leaves short words and words whose letters are not in the dictionary word alone', () => {
    expect(known('nct')).toBeUndefined();
    expect(known('taken')).toBeUndefined();
  });
});

describe('phrases over abbreviations', () => {
  it('reads a hospital or medical service as the specialty, however abbreviated', () => {
    expect(concepts('HOSP_SERV_C')).toContain('specialty');
    expect(concepts('MED_SERVICE_CD')).toContain('specialty');
    expect(concepts('service_code')).not.toContain('specialty');
  });

  it('reads a bare service as the specialty only where the other name asks for one', () => {
    expect(sim('treatment_function', 'ServiceCode')).toBeGreaterThan(0.4);
    expect(resolveConcepts(analyseName('ServiceRequest'), new Set(['referral']))).not.toContain('specialty');
  });
});

describe('general EPR vocabulary', () => {
  it('knows PX, HSP and DX style abbreviations and the US primary care provider', () => {
    expect(concepts('HSP_ACCT_PX_LIST')).toEqual(expect.arrayContaining(['hospital', 'procedure']));
    expect(concepts('PAT_PCP')).toEqual(['patient', 'gp']);
    expect(sim('gp_code', 'PRSNL_ALIAS')).toBeGreaterThan(0);
  });

  it('reads a location or department as the clinic or ward', () => {
    expect(sim('clinic_code', 'APPT_LOCATION_CD')).toBeGreaterThan(0.4);
    expect(sim('clinic_code', 'DEPARTMENT_ID')).toBeGreaterThan(0.4);
    expect(sim('ward_code', 'LOC_NURSE_UNIT_CD')).toBeGreaterThan(0.3);
  });

  it('reads a line number as the sequence but keeps address lines', () => {
    expect(sim('sequence', 'LINE')).toBe(1);
    expect(sim('line1', 'ADDR_LINE1')).toBeGreaterThan(0.6);
  });

  it('reads a state as a status where the other name asks for one, a term date as an end date', () => {
    expect(sim('attendance_status', 'SCH_STATE_CD')).toBeGreaterThan(sim('attendance_status', 'SCH_CD'));
    expect(sim('county', 'STATE')).toBe(1);
    expect(sim('county', 'ADDR_Province')).toBeGreaterThan(0.6);
    expect(sim('line1', 'ADDR_StName')).toBeGreaterThan(0.3);
    expect(sim('valid_from', 'ADDR_ST_DT')).toBeGreaterThan(sim('valid_to', 'ADDR_ST_DT'));
    expect(sim('registered_to', 'TERM_DATE')).toBeGreaterThan(0.3);
    expect(sim('substance_term', 'SUBSTANCE_TERM')).toBe(1);
  });

  it('reads a national id as the NHS number, a component as the test, a mnemonic as a name', () => {
    expect(concepts('NATIONAL_ID')).toEqual(['nhs', 'id']);
    expect(sim('test_name', 'COMPONENT_NAME')).toBe(1);
    expect(sim('product_name', 'ORDER_MNEMONIC')).toBeGreaterThan(0.3);
  });
});

describe('titles', () => {
  it("reads the title of a thing as its name, and a person's title as the title", () => {
    expect(resolveConcepts(analyseName('EVENT_TITLE_TEXT'), new Set(['test', 'name']))).toContain('name');
    expect(resolveConcepts(analyseName('NAME_TITLE'), new Set(['title']))).toEqual(['name', 'title']);
  });
});
