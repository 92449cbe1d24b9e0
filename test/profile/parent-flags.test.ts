// A flag of the parent row (the patient's deceased flag) is another fact about the parent, not a
// flag of the row: a parent's column sharing only a word for the kind of value is not joined in.
// Invented names.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../src/connectors/registry.js';
import { parseDdl } from '../../src/profile/ddl.js';
import { profileSource } from '../../src/profile/profile.js';
import { suggestMappings, type SuggestResult } from '../../src/profile/suggest.js';
import { tempDir } from '../helpers/tmp.js';

const DDL = `
CREATE TABLE patient (patient_id integer PRIMARY KEY, date_of_birth date NOT NULL);
CREATE TABLE lab_result (result_id integer PRIMARY KEY, patient_id integer NOT NULL REFERENCES patient (patient_id), result_value decimal(10,2), abnormal_flag boolean);`;

let result: SuggestResult;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  const dir = path.join(t.dir, 'export');
  await mkdir(dir);
  const files: Record<string, string[]> = {
    PATIENTS: ['PATIENT_ID,BIRTH_DATE,DECEASED_FLAG', ...Array.from({ length: 80 }, (_, i) => `${1 + i},19${50 + (i % 49)}-0${1 + (i % 9)}-2${i % 8},${i % 7 === 0 ? 'Y' : 'N'}`)],
    RESULTS: ['RESULT_ID,PATIENT_ID,RESULT_VALUE', ...Array.from({ length: 150 }, (_, i) => `${900 + i},${1 + (i % 80)},${(i % 31) + 0.25}`)],
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

describe('flags of the parent row', () => {
  it('are not a flag of the row', () => {
    expect(result.tables.find((t) => t.target === 'lab_result')?.source).toBe('RESULTS');
    expect(result.suggestions.find((s) => s.target === 'lab_result.abnormal_flag')?.source).toBeNull();
  });
});
