// Standard codes held as local code values: where no column of a table holds the LOINC or SNOMED CT
// codes a target asks for, a coded column holding numbers (concept ids a crosswalk translates) is
// that code, and the table's only bare code column is the code of its rows. Invented names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuggestResult } from '../../src/profile/suggest.js';
import { suggestForCsvExport } from './csv-export.js';

const DDL = `
CREATE TABLE lab_result (result_id integer PRIMARY KEY, loinc_code varchar(10) NOT NULL, result_value decimal(10,2), collected_on date NOT NULL);
CREATE TABLE allergy (allergy_id integer PRIMARY KEY, substance_sctid varchar(18) NOT NULL, recorded_on date);`;

let result: SuggestResult;
let cleanup: () => Promise<void>;
const source = (target: string) => result.suggestions.find((s) => s.target === target)?.source;

beforeAll(async () => {
  const day = (i: number) => `20${10 + (i % 12)}-0${1 + (i % 9)}-1${i % 10}`;
  const files: Record<string, string[]> = {
    LAB_OBS: ['OBS_ID,CONCEPT_ID,OBS_VALUE,OBS_DATE', ...Array.from({ length: 150 }, (_, i) => `${100 + i},${5080 + (i % 12)},${(i % 23) + 0.5},${day(i)}`)],
    ALLERGY_LIST: ['ALLERGY_ID,CODED_SUBSTANCE,NOTED_DATE', ...Array.from({ length: 90 }, (_, i) => `${400 + i},${7100 + (i % 15)},${day(i)}`)],
  };
  ({ result, cleanup } = await suggestForCsvExport(files, DDL));
});
afterAll(() => cleanup());

describe('standard codes held as local code values', () => {
  it('takes the only bare code column for the LOINC code none of the columns holds', () => {
    expect(source('lab_result.loinc_code')).toBe('LAB_OBS.CONCEPT_ID');
  });

  it('takes a coded substance holding numbers for the SNOMED CT code none of the columns holds', () => {
    expect(source('allergy.substance_sctid')).toBe('ALLERGY_LIST.CODED_SUBSTANCE');
  });
});
