// Letters segmentation leaves over beside a dictionary piece (the ZQ of ZQORG) are no word that
// could make a column some other code: a column holding the only ODS codes of its table, named
// as an identifier, is still the practice code. Invented names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuggestResult } from '../../src/profile/suggest.js';
import { suggestForCsvExport } from './csv-export.js';

const DDL = `CREATE TABLE gp_registration (registration_id integer PRIMARY KEY, practice_code varchar(6) NOT NULL, registered_from date);`;

let result: SuggestResult;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const ods = ['A81001', 'B82005', 'C83019', 'D84012', 'E85020', 'F86033'];
  const files: Record<string, string[]> = {
    GP_LINK: ['LINK_ID,ZQORG_IDENT,LINK_START_DATE', ...Array.from({ length: 80 }, (_, i) => `${100 + i},${ods[i % 6]},20${10 + (i % 12)}-0${1 + (i % 9)}-1${i % 10}`)],
  };
  ({ result, cleanup } = await suggestForCsvExport(files, DDL));
});
afterAll(() => cleanup());

describe('leftover letters', () => {
  it('do not stop the only ODS-code identifier of a table from being the practice code', () => {
    expect(result.suggestions.find((s) => s.target === 'gp_registration.practice_code')?.source).toBe('GP_LINK.ZQORG_IDENT');
  });
});
