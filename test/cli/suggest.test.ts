import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { profileUrl } from '../../src/cli/profile.js';
import { loadContract } from '../../src/contract/load.js';
import { parseDdl } from '../../src/profile/ddl.js';
import { draftContractText } from '../../src/profile/draft.js';
import { suggestMappings } from '../../src/profile/suggest.js';
import { generateToCsv } from '../../src/synth/generate.js';
import { tempDir } from '../helpers/tmp.js';

const DDL = `-- target
CREATE TABLE patient (
  patient_id integer NOT NULL PRIMARY KEY,
  date_of_birth date NOT NULL,
  person_stated_gender varchar(1) NOT NULL,
  shoe_size integer NOT NULL
);
CREATE TABLE gp_registration (
  registration_id integer PRIMARY KEY,
  patient_id integer REFERENCES patient (patient_id),
  practice_code varchar(6)
);`;

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await generateToCsv({ dir: path.join(dir, 'pas'), seed: 9, patients: 80 });
  await writeFile(path.join(dir, 'target.sql'), DDL);
});
afterAll(() => cleanup());

describe('ferry suggest', () => {
  it('prints exactly {"suggestions":[…]} with one entry per target column in DDL order', async () => {
    const io = memoryIO({ cwd: dir });
    expect(await main(['suggest', '--source', `csv:${path.join(dir, 'pas')}`, '--target-ddl', 'target.sql', '--json'], io)).toBe(0);
    const out = JSON.parse(io.stdout);
    expect(Object.keys(out)).toEqual(['suggestions']);
    expect(out.suggestions.map((s: { target: string }) => s.target)).toEqual([
      'patient.patient_id',
      'patient.date_of_birth',
      'patient.person_stated_gender',
      'patient.shoe_size',
      'gp_registration.registration_id',
      'gp_registration.patient_id',
      'gp_registration.practice_code',
    ]);
    for (const s of out.suggestions) expect(Object.keys(s)).toEqual(['target', 'source', 'confidence', 'reason', 'transforms']);
    expect(out.suggestions[1]).toMatchObject({ source: 'PAT_MAST.PAT_DOB', transforms: [{ parse_date: { formats: ['dd/mm/yyyy'] } }] });
    expect(out.suggestions[3].source).toBeNull();
    expect(out.suggestions[6]).toMatchObject({ source: 'GP_REG.GPR_GPPRAC', reason: expect.stringMatching(/100% ods code/) });
  });

  it('writes a draft contract that loads, every field suggested, NOT NULL gaps explained', async () => {
    const io = memoryIO({ cwd: dir });
    expect(await main(['suggest', '--source', `csv:${path.join(dir, 'pas')}`, '--target-ddl', 'target.sql', '--contract', 'out/draft.yaml'], io)).toBe(0);
    expect(io.stdout).toMatch(/wrote draft contract out\/draft\.yaml/);
    const loaded = await loadContract(path.join(dir, 'out', 'draft.yaml'));
    expect(loaded.contract.metadata.name).toBe('target_draft');
    const fields = loaded.contract.mappings.patient.fields;
    expect(Object.values(fields).every((f) => f.status === 'suggested')).toBe(true);
    expect(fields.shoe_size).toMatchObject({ value: null });
    expect(fields.shoe_size.rationale).toMatch(/no source found/);
    expect(fields.person_stated_gender.steps).toContainEqual({ map: { values: {} } });
    const written = await readFile(path.join(dir, 'out', 'draft.yaml'), 'utf8');
    expect(written).toMatch(/^# Draft contract written by `ferry suggest`/);
    // Byte for byte the library's rendering, which the API's suggest route returns too.
    const profile = await profileUrl(`csv:${path.join(dir, 'pas')}`, { minFrequency: 5, seed: 1 });
    const ddl = parseDdl(DDL, 'target.sql');
    expect(written).toBe(draftContractText(profile, ddl, suggestMappings(profile, ddl), 'target_draft'));
  });

  it('refuses to overwrite a draft without --force', async () => {
    const io = memoryIO({ cwd: dir });
    await writeFile(path.join(dir, 'existing.yaml'), 'keep me\n');
    expect(await main(['suggest', '--source', `csv:${path.join(dir, 'pas')}`, '--target-ddl', 'target.sql', '--contract', 'existing.yaml'], io)).toBe(2);
    expect(io.stderr).toMatch(/already exists/);
    expect(await readFile(path.join(dir, 'existing.yaml'), 'utf8')).toBe('keep me\n');
  });

  it('reports an unreadable DDL file as not found', async () => {
    const io = memoryIO({ cwd: dir });
    expect(await main(['suggest', '--source', `csv:${path.join(dir, 'pas')}`, '--target-ddl', 'missing.sql'], io)).toBe(7);
    expect(io.stderr).toMatch(/missing\.sql: cannot read the target DDL/);
  });
});
