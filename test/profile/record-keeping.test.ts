// Record-keeping columns (when a row was created or changed, whether it is archived) are not facts
// of the row: they are never the source of a target that does not ask for them, and a table's only
// other date is its row date even when a word of its name is unknown. Invented names throughout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuggestResult } from '../../src/profile/suggest.js';
import { suggestForCsvExport } from './csv-export.js';

const DDL = `
CREATE TABLE lab_result (result_id integer PRIMARY KEY, loinc_code varchar(10) NOT NULL, result_value varchar(20), collected_on timestamp NOT NULL, abnormal_flag boolean);`;

let result: SuggestResult;
let cleanup: () => Promise<void>;
const source = (target: string) => result.suggestions.find((s) => s.target === target)?.source;

beforeAll(async () => {
  const loinc = ['2345-7', '718-7', '2160-0', '6690-2'];
  const at = (i: number, h: number) => `20${10 + (i % 12)}-0${1 + (i % 9)}-1${i % 10} ${10 + h}:${10 + (i % 50)}:00`;
  const files: Record<string, string[]> = {
    LAB_RESULTS: [
      'RESULT_ID,TEST_CODE,RESULT_VALUE,DRAWN_DTTM,CREATE_DTTM,MODIF_DTTM,ARCHV_FLAG',
      ...Array.from({ length: 120 }, (_, i) => `${100 + i},${loinc[i % 4]},${(i % 17) + 0.5},${at(i, 0)},${at(i, 2)},${at(i, 5)},${i % 9 === 0 ? 'Y' : 'N'}`),
    ],
  };
  ({ result, cleanup } = await suggestForCsvExport(files, DDL));
});
afterAll(() => cleanup());

describe('record-keeping columns', () => {
  it('takes the only date besides the created and changed dates for the row date, its unknown word notwithstanding', () => {
    expect(source('lab_result.collected_on')).toBe('LAB_RESULTS.DRAWN_DTTM');
  });

  it('does not take an archive flag for a flag of the row', () => {
    expect(source('lab_result.abnormal_flag')).toBeNull();
  });
});
