import { describe, expect, it } from 'vitest';
import { analyseName, isAbbreviation, resolveConcepts, segment, splitWords } from '../../src/profile/names.js';
import { nameSimilarity } from '../../src/profile/name-score.js';

const concepts = (name: string, prefix?: string) => resolveConcepts(analyseName(name, prefix));

describe('name analysis', () => {
  it('splits snake, camel and upper case names', () => {
    expect(splitWords('PAT_DOB')).toEqual(['pat', 'dob']);
    expect(splitWords('DateOfBirth')).toEqual(['date', 'of', 'birth']);
    expect(splitWords('NHSNumber')).toEqual(['nhs', 'number']);
    expect(splitWords('ADDR_LINE1')).toEqual(['addr', 'line', '1']);
    expect(splitWords('icd10_code')).toEqual(['icd', 'code']);
  });

  it('cuts unseparated legacy names into dictionary pieces', () => {
    expect(segment('pmidob')).toEqual(['pmi', 'dob']);
    expect(segment('gpprac')).toEqual(['gpprac']);
    expect(segment('admdt')).toEqual(['adm', 'dt']);
    expect(segment('surname')).toEqual(['surname']);
  });

  it('expands abbreviations so differently named columns share concepts', () => {
    for (const name of ['PAT_DOB', 'DateOfBirth', 'date_of_birth', 'PMIDOB']) expect(concepts(name)).toEqual(expect.arrayContaining(['birth', 'date']));
    expect(concepts('PAT_FORENM')).toEqual(['patient', 'given', 'name']);
    expect(concepts('ADDR_PCODE')).toEqual(['address', 'postcode']);
    expect(concepts('admitted_on')).toEqual(['admission', 'date']);
    expect(concepts('treatment_function')).toEqual(['specialty']);
  });

  it('splits a shared table prefix off unseparated names', () => {
    expect(analyseName('RFLRCVDT', 'RFL').slots.map((s) => s.word)).toEqual(['rfl', 'rcv', 'dt']);
  });

  it('recognises legacy abbreviations by their letters', () => {
    expect(isAbbreviation('rcv', 'received')).toBe(true);
    expect(isAbbreviation('snam', 'surname')).toBe(true);
    expect(isAbbreviation('rcv', 'cover')).toBe(false);
    expect(isAbbreviation('received', 'rcv')).toBe(false);
  });

  it('scores synonymous names above unrelated ones', () => {
    const none = new Set<string>();
    const sim = (a: string, b: string) => nameSimilarity(analyseName(a), none, analyseName(b), none);
    expect(sim('date_of_birth', 'PAT_DOB')).toBeGreaterThan(0.7);
    expect(sim('family_name', 'SURNAME')).toBe(1);
    expect(sim('date_of_birth', 'PAT_DOD')).toBeLessThan(0.5);
    expect(sim('received_on', 'RCVDT')).toBeGreaterThan(0.7);
  });
});
