// Row identifiers written as a letter prefix and a long run of digits (V0001200001) are too many
// to be a code list, yet they are no free text: a child table's column holding them refers to the
// table they identify. Invented names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { valueClasses } from '../../src/profile/patterns.js';
import type { SuggestResult } from '../../src/profile/suggest.js';
import type { SourceProfile } from '../../src/profile/types.js';
import { profileCsvExport, suggestForCsvExport } from './csv-export.js';

const DDL = `
CREATE TABLE admission (spell_id integer PRIMARY KEY, admitted_on date NOT NULL);
CREATE TABLE diagnosis (diagnosis_id integer PRIMARY KEY, spell_id integer REFERENCES admission (spell_id), icd10_code varchar(8));`;

const day = (i: number) => `20${10 + (i % 12)}-0${1 + (i % 9)}-1${i % 10}`;
const files: Record<string, string[]> = {
  Spells: ['SpellRef,AdmitDate', ...Array.from({ length: 80 }, (_, i) => `S${String(1200001 + i).padStart(10, '0')},${day(i)}`)],
  // No key of its own: the spell's identifier and a line number.
  SpellDiagnoses: [
    'SpellRef,DiagSeq,DiagCode',
    ...Array.from({ length: 150 }, (_, i) => `S${String(1200001 + (i % 75)).padStart(10, '0')},${1 + Math.floor(i / 75)},${['I48.9', 'E11.9', 'J18.9'][i % 3]}`),
  ],
};

let profile: SourceProfile;
let result: SuggestResult;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  const p = await profileCsvExport(files);
  profile = p.profile;
  cleanups.push(p.cleanup);
  const s = await suggestForCsvExport(files, DDL);
  result = s.result;
  cleanups.push(s.cleanup);
});
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe('prefixed row identifiers', () => {
  it('read as codes, however long the run of digits', () => {
    expect(valueClasses('S0001200001')).toContain('code');
    expect(valueClasses('Mrs Jones')).not.toContain('code');
  });
  it('refer to the table they identify', () => {
    const coding = profile.tables.find((t) => t.name === 'SpellDiagnoses')!;
    expect(coding.foreign_keys.find((f) => f.columns[0] === 'SpellRef')?.references.table).toBe('Spells');
    expect(result.suggestions.find((s) => s.target === 'diagnosis.spell_id')?.source).toBe('SpellDiagnoses.SpellRef');
  });
});
