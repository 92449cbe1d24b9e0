// Standard codes held as local code values: where no column of a table holds the LOINC or SNOMED CT
// codes a target asks for, a coded column holding numbers (concept ids a crosswalk translates) is
// that code, and the table's only bare code column is the code of its rows. Invented names.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../src/connectors/registry.js';
import { parseDdl } from '../../src/profile/ddl.js';
import { profileSource } from '../../src/profile/profile.js';
import { suggestMappings, type SuggestResult } from '../../src/profile/suggest.js';
import { tempDir } from '../helpers/tmp.js';

const DDL = `
CREATE TABLE lab_result (result_id integer PRIMARY KEY, loinc_code varchar(10) NOT NULL, result_value decimal(10,2), collected_on date NOT NULL);
CREATE TABLE allergy (allergy_id integer PRIMARY KEY, substance_sctid varchar(18) NOT NULL, recorded_on date);`;

let result: SuggestResult;
let cleanup: () => Promise<void>;
const source = (target: string) => result.suggestions.find((s) => s.target === target)?.source;

beforeAll(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  const dir = path.join(t.dir, 'export');
  await mkdir(dir);
  const day = (i: number) => `20${10 + (i % 12)}-0${1 + (i % 9)}-1${i % 10}`;
  const files: Record<string, string[]> = {
    LAB_OBS: ['OBS_ID,CONCEPT_ID,OBS_VALUE,OBS_DATE', ...Array.from({ length: 150 }, (_, i) => `${100 + i},${5080 + (i % 12)},${(i % 23) + 0.5},${day(i)}`)],
    ALLERGY_LIST: ['ALLERGY_ID,CODED_SUBSTANCE,NOTED_DATE', ...Array.from({ length: 90 }, (_, i) => `${400 + i},${7100 + (i % 15)},${day(i)}`)],
  };
  for (const [name, lines] of Object.entries(files)) await writeFile(path.join(dir, `${name}.csv`), lines.join('\n') + '\n');
  const src = await openSource(`csv:${dir}`);
  try {
    result = suggestMappings(await profileSource(src, { sample: 500 }), parseDdl(DDL));
  } finally {
    await src.close();
  }
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
