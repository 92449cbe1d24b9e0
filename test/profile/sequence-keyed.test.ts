// A table without a key of its own, its rows told apart by the parent's id and a line number,
// gives its line number to the sequence target and leaves the target's own key empty: neither the
// line number (DiagSeqID) nor a type code (DiagTypeID) tells its rows apart. Invented names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuggestResult } from '../../src/profile/suggest.js';
import { suggestForCsvExport } from './csv-export.js';

const DDL = `
CREATE TABLE admission (spell_id integer PRIMARY KEY, admitted_on date NOT NULL);
CREATE TABLE diagnosis (diagnosis_id integer PRIMARY KEY, spell_id integer REFERENCES admission (spell_id), sequence integer NOT NULL, icd10_code varchar(6));`;

let result: SuggestResult;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const day = (i: number) => `20${10 + (i % 12)}-0${1 + (i % 9)}-1${i % 10}`;
  const files: Record<string, string[]> = {
    Spells: ['SpellNo,AdmitDate', ...Array.from({ length: 80 }, (_, i) => `${700 + i},${day(i)}`)],
    SpellDiagnoses: [
      'SpellNo,DiagSeqID,DiagTypeID,DiagCode',
      ...Array.from({ length: 150 }, (_, i) => `${700 + (i % 75)},${1 + Math.floor(i / 75)},${i < 75 ? 'PRIN' : 'SEC'},${['I48.9', 'E11.9', 'J18.9'][i % 3]}`),
    ],
  };
  ({ result, cleanup } = await suggestForCsvExport(files, DDL));
});
afterAll(() => cleanup());

const source = (target: string) => result.suggestions.find((s) => s.target === target)?.source;

describe('a table keyed by parent and line number', () => {
  it('leaves the target key empty and gives the line number to the sequence', () => {
    expect(result.tables.find((t) => t.target === 'diagnosis')?.source).toBe('SpellDiagnoses');
    expect(source('diagnosis.diagnosis_id')).toBeNull();
    expect(source('diagnosis.sequence')).toBe('SpellDiagnoses.DiagSeqID');
    expect(source('diagnosis.spell_id')).toBe('SpellDiagnoses.SpellNo');
  });
});
