import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../src/connectors/registry.js';
import { loadContract } from '../../src/contract/load.js';
import { contractSchema } from '../../src/contract/model.js';
import { parseDdl, type DdlColumn } from '../../src/profile/ddl.js';
import { draftContract, draftContractText } from '../../src/profile/draft.js';
import { pinIntoYaml } from '../../src/profile/pin.js';
import { pinnedSourceTables } from '../../src/profile/pinned-schema.js';
import { profileSource } from '../../src/profile/profile.js';
import { suggestMappings, type SuggestResult } from '../../src/profile/suggest.js';
import { proposeTransforms } from '../../src/profile/transforms.js';
import type { ColumnProfile, SourceProfile } from '../../src/profile/types.js';
import { generateToCsv } from '../../src/synth/generate.js';
import { tempDir } from '../helpers/tmp.js';

const DDL = `
CREATE TABLE patient (
  patient_id integer NOT NULL PRIMARY KEY,
  nhs_number varchar(10),
  family_name varchar(35) NOT NULL,
  date_of_birth date NOT NULL,
  person_stated_gender varchar(1) NOT NULL,
  favourite_colour varchar(20)
);
CREATE TABLE patient_address (
  address_id integer NOT NULL PRIMARY KEY,
  patient_id integer NOT NULL REFERENCES patient (patient_id),
  postcode varchar(8) NOT NULL
);
CREATE TABLE diagnosis (
  diagnosis_id integer PRIMARY KEY,
  patient_id integer REFERENCES patient (patient_id),
  icd10_code varchar(6) NOT NULL
);`;

let dir: string;
let cleanup: () => Promise<void>;
let profile: SourceProfile;
let result: SuggestResult;
const find = (target: string) => result.suggestions.find((s) => s.target === target)!;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await generateToCsv({ dir: path.join(dir, 'pas'), seed: 3, patients: 120 });
  const source = await openSource(`csv:${path.join(dir, 'pas')}`);
  try {
    profile = await profileSource(source, { sample: 500 });
  } finally {
    await source.close();
  }
  result = suggestMappings(profile, parseDdl(DDL));
});
afterAll(() => cleanup());

describe('suggestMappings', () => {
  it('gives one suggestion per target column, in DDL order', () => {
    expect(result.suggestions.map((s) => s.target)).toEqual([
      'patient.patient_id',
      'patient.nhs_number',
      'patient.family_name',
      'patient.date_of_birth',
      'patient.person_stated_gender',
      'patient.favourite_colour',
      'patient_address.address_id',
      'patient_address.patient_id',
      'patient_address.postcode',
      'diagnosis.diagnosis_id',
      'diagnosis.patient_id',
      'diagnosis.icd10_code',
    ]);
    for (const s of result.suggestions) {
      expect(Object.keys(s)).toEqual(expect.arrayContaining(['target', 'source', 'confidence', 'reason', 'transforms']));
      expect(s.confidence).toBeGreaterThanOrEqual(0);
      expect(s.confidence).toBeLessThanOrEqual(1);
    }
  });

  it('loads a patient table from the patient master and maps abbreviated names', () => {
    expect(result.tables.find((t) => t.target === 'patient')?.source).toBe('PAT_MAST');
    expect(find('patient.patient_id').source).toBe('PAT_MAST.PAT_ID');
    expect(find('patient.nhs_number').source).toBe('PAT_MAST.PAT_NHSNO');
    expect(find('patient.family_name').source).toBe('PAT_MAST.PAT_SURNAME');
  });

  it('explains a date match and proposes parsing in the detected layout', () => {
    const dob = find('patient.date_of_birth');
    expect(dob.source).toBe('PAT_MAST.PAT_DOB');
    expect(dob.confidence).toBeGreaterThanOrEqual(0.8);
    expect(dob.reason).toMatch(/DOB→birth date.*100% dates dd\/mm\/yyyy/);
    expect(dob.transforms).toContainEqual({ parse_date: { formats: ['dd/mm/yyyy'] } });
  });

  it('proposes trim and a crosswalk for padded local codes', () => {
    const sex = find('patient.person_stated_gender');
    expect(sex.source).toBe('PAT_MAST.PAT_SEX');
    expect(sex.transforms).toContainEqual({ crosswalk: 'patient_person_stated_gender' });
  });

  it('suggests no source when nothing fits', () => {
    expect(find('patient.favourite_colour')).toMatchObject({ source: null, transforms: [] });
  });

  it('uses the foreign-key structure: the address belongs to the patient via its patient column', () => {
    expect(find('patient_address.address_id').source).toBe('PAT_ADDR.ADDR_ID');
    expect(find('patient_address.patient_id').source).toBe('PAT_ADDR.ADDR_PATID');
    expect(find('patient_address.postcode').source).toBe('PAT_ADDR.ADDR_PCODE');
  });

  it('reaches a parent table through a foreign key for a column the source table lacks', () => {
    const p = find('diagnosis.patient_id');
    expect(p.source).toBe('IP_SPELL.SPELL_PATID');
    expect(p.join).toEqual({ table: 'IP_SPELL', on: { DIAG_SPELLID: 'SPELL_ID' } });
  });

  it('never uses one source column twice within a target table', () => {
    for (const table of ['patient', 'patient_address', 'diagnosis']) {
      const used = result.suggestions.filter((s) => s.targetTable === table && s.source).map((s) => s.source);
      expect(new Set(used).size).toBe(used.length);
    }
  });
});

describe('draftContract', () => {
  it('writes a loadable contract in which every field is suggested with its reason as rationale', async () => {
    const { contract } = draftContract(profile, parseDdl(DDL), result, 'draft_test');
    const file = path.join(dir, 'draft.yaml');
    await writeFile(file, stringify(contract));
    const loaded = await loadContract(file);
    const fields = Object.values(loaded.contract.mappings).flatMap((m) => Object.values(m.fields));
    expect(fields.length).toBeGreaterThan(8);
    expect(fields.every((f) => f.status === 'suggested')).toBe(true);
    expect(loaded.contract.mappings.patient.fields.date_of_birth).toMatchObject({ from: 'PAT_DOB', steps: [{ parse_date: { formats: ['dd/mm/yyyy'] } }] });
    expect(loaded.contract.mappings.patient.fields.date_of_birth.rationale).toMatch(/^Draft \(confidence 0\.\d\d\): name: PAT_DOB/);
    expect(loaded.contract.mappings.diagnosis.joins).toEqual([{ table: 'IP_SPELL', on: { DIAG_SPELLID: 'SPELL_ID' } }]);
    expect(loaded.contract.source.tables.PAT_MAST.primary_key).toEqual(['PAT_ID']);
  });
});

describe('draftContractText', () => {
  it('is the review header then the whole draft as unfolded YAML, byte for byte', () => {
    const ddl = parseDdl(DDL);
    const text = draftContractText(profile, ddl, result, 'draft_test');
    const header = '# Draft contract written by `ferry suggest`: every field has status: suggested and its\n# reason as a draft rationale. Review each one (accept, fix or reject) before a run.\n';
    const { contract } = draftContract(profile, ddl, result, 'draft_test');
    expect(text).toBe(header + stringify(contract, { lineWidth: 0 }));
    expect(parse(text)).toEqual(contract);
    // The target DDL's foreign keys are declared, so children follow a quarantined parent by default.
    expect(contractSchema.parse(contract).target.tables.patient_address.foreign_keys).toEqual([
      { columns: ['patient_id'], references: { table: 'patient', columns: ['patient_id'] }, on_parent_quarantined: 'quarantine' },
    ]);
    // Unfolded: a long rationale stays on its own line, so a review diff is one line per field.
    const rationale = (contract.mappings!.patient.fields as Record<string, { rationale: string }>).date_of_birth.rationale;
    expect(rationale.length).toBeGreaterThan(80);
    expect(text.split('\n').some((l) => l.trim() === `rationale: ${rationale}` || l.trim() === `rationale: ${JSON.stringify(rationale)}` || l.trim() === `rationale: '${rationale}'`)).toBe(true);
  });
});

describe('pinIntoYaml', () => {
  it('replaces the pinned tables and keeps comments, other keys and existing descriptions', async () => {
    const text = await readFile(path.join(process.cwd(), 'examples', 'legacy-pas', 'contract.yaml'), 'utf8');
    const pinned = pinIntoYaml(text, pinnedSourceTables(profile));
    expect(pinned.replaced).toHaveLength(16);
    expect(pinned.kept).toEqual([]);
    const comments = (s: string) => s.split('\n').filter((l) => l.trimStart().startsWith('#'));
    expect(comments(pinned.text)).toEqual(comments(text));
    expect(pinned.text).toContain('Date of birth (dd/mm/yyyy text)');
    await cp(path.join(process.cwd(), 'examples', 'legacy-pas', 'crosswalks'), path.join(dir, 'crosswalks'), { recursive: true });
    const file = path.join(dir, 'pinned.yaml');
    await writeFile(file, pinned.text);
    const loaded = await loadContract(file);
    expect(loaded.contract.source.tables.PAT_ALIAS.foreign_keys).toEqual([{ columns: ['ALIAS_PATID'], references: { table: 'PAT_MAST', columns: ['PAT_ID'] } }]);
  });
});

describe('proposed transforms for date-times', () => {
  const profile = (format: string) =>
    ({
      declared_type: 'text',
      padded: 0,
      date_format: { format, fraction: 1, ambiguous_with: [] },
      inferred_type: 'timestamp',
      dominant_pattern: 'date',
      distinct: { count: 100 },
    }) as unknown as ColumnProfile;
  const dateTarget = { name: 'date_of_birth', type: 'date' } as unknown as DdlColumn;
  const timestampTarget = { name: 'admitted_at', type: 'timestamp' } as unknown as DdlColumn;

  it('gives a date column the date part of a date-time, so the time does not fail the column', () => {
    expect(proposeTransforms('patient', dateTarget, ['date', 'birth'], profile('yyyy-mm-dd HH:MI:SS')).steps).toEqual([
      { parse_date: { formats: ['yyyy-mm-dd HH:MI:SS'] } },
      { substring: { start: 0, length: 10 } },
    ]);
    expect(proposeTransforms('patient', dateTarget, ['date', 'birth'], profile('iso8601')).steps).toEqual([{ substring: { start: 0, length: 10 } }]);
    expect(proposeTransforms('patient', dateTarget, ['date', 'birth'], profile('dd/mm/yyyy')).steps).toEqual([{ parse_date: { formats: ['dd/mm/yyyy'] } }]);
  });

  it('keeps the time for a timestamp column', () => {
    expect(proposeTransforms('admission', timestampTarget, ['admission', 'date'], profile('dd-mm-yyyy HH:MI')).steps).toEqual([{ parse_date: { formats: ['dd-mm-yyyy HH:MI'] } }]);
    expect(proposeTransforms('admission', timestampTarget, ['admission', 'date'], profile('iso8601')).steps).toEqual([]);
  });
});
