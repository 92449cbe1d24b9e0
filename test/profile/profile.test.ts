import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../src/connectors/registry.js';
import { profileSource } from '../../src/profile/profile.js';
import type { SourceProfile, TableProfile } from '../../src/profile/types.js';
import { tempDir } from '../helpers/tmp.js';

// A small linked data set: patients, their episodes (one orphan), and a code lookup.
const SEXES = ['M', 'F', 'M', 'F', 'M', 'F', 'M', 'F', 'U', 'X'];
function patients(): string {
  const rows = ['PAT_ID,NHS_NO,SEX,DOB,PCODE'];
  for (let i = 1; i <= 40; i++) rows.push(`${i},${nhs(i)},${SEXES[i % 10]},${String((i % 28) + 1).padStart(2, '0')}/0${(i % 9) + 1}/19${50 + i},SW1A ${i % 9}AA`);
  return `${rows.join('\n')}\n`;
}
function episodes(): string {
  const rows = ['EPI_ID,EPI_PATID,ADM_DT,SPEC'];
  for (let i = 1; i <= 60; i++) rows.push(`${100 + i},${i === 60 ? 999 : (i % 40) + 1},2024-01-${String((i % 28) + 1).padStart(2, '0')},${i % 2 ? 'GSURG ' : 'CARD  '}`);
  return `${rows.join('\n')}\n`;
}
// Valid NHS numbers: stem 943476591 + i, check digit computed as the rule does.
function nhs(i: number): string {
  for (let stem = 943_476_500 + i * 7; ; stem++) {
    const digits = String(stem);
    const sum = [...digits].reduce((s, d, k) => s + Number(d) * (10 - k), 0);
    const check = 11 - (sum % 11);
    if (check === 10) continue;
    return digits + String(check === 11 ? 0 : check);
  }
}

let dir: string;
let cleanup: () => Promise<void>;
let profile: SourceProfile;
const table = (name: string): TableProfile => profile.tables.find((t) => t.name === name)!;
const column = (t: string, c: string) => table(t).columns.find((x) => x.name === c)!;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await mkdir(path.join(dir, 'src'));
  await writeFile(path.join(dir, 'src', 'PATIENT.csv'), patients());
  await writeFile(path.join(dir, 'src', 'EPISODE.csv'), episodes());
  const source = await openSource(`csv:${path.join(dir, 'src')}`);
  try {
    profile = await profileSource(source, { sample: 25, minFrequency: 5 });
  } finally {
    await source.close();
  }
});
afterAll(() => cleanup());

describe('profileSource', () => {
  it('counts rows and says when patterns come from a sample', () => {
    expect(table('PATIENT')).toMatchObject({ rows: 40, sampled: 25, sample_estimated: true });
    expect(table('EPISODE')).toMatchObject({ rows: 60, sampled: 25 });
  });

  it('infers types and pattern classes beneath untyped CSV text', () => {
    expect(column('PATIENT', 'PAT_ID')).toMatchObject({ declared_type: 'text', inferred_type: 'integer', dominant_pattern: 'integer' });
    expect(column('PATIENT', 'NHS_NO')).toMatchObject({ inferred_type: 'text', dominant_pattern: 'nhs_number', range: null });
    expect(column('PATIENT', 'DOB')).toMatchObject({ inferred_type: 'date', date_format: { format: 'dd/mm/yyyy' } });
    expect(column('PATIENT', 'PCODE').dominant_pattern).toBe('postcode');
    expect(column('EPISODE', 'ADM_DT')).toMatchObject({ inferred_type: 'date', date_format: { format: 'yyyy-mm-dd' } });
    expect(column('EPISODE', 'SPEC')).toMatchObject({ dominant_pattern: 'code', padded: 60 });
  });

  it('hides values seen fewer times than the minimum frequency', () => {
    const sex = column('PATIENT', 'SEX');
    expect(sex.top_values.map((v) => v.value).sort()).toEqual(['F', 'M']);
    expect(sex.top_values.every((v) => v.count >= 5)).toBe(true);
    expect(sex.hidden_values).toBe(2); // U and X, four patients each
    expect(column('PATIENT', 'NHS_NO').top_values).toEqual([]);
  });

  it('finds single-column candidate keys, surrogate key first', () => {
    expect(table('PATIENT').candidate_keys.map((k) => k.columns[0])).toEqual(['PAT_ID', 'NHS_NO']);
    expect(table('EPISODE').candidate_keys[0]).toEqual({ columns: ['EPI_ID'], declared: false, estimated: false });
  });

  it('finds the foreign key by value inclusion and reports the orphan as containment below 1', () => {
    const [fk] = table('EPISODE').foreign_keys;
    expect(fk).toMatchObject({ columns: ['EPI_PATID'], references: { table: 'PATIENT', columns: ['PAT_ID'] }, declared: false, estimated: false, strength: 'weak' });
    expect(fk.containment).toBeCloseTo(40 / 41, 3);
    expect(table('PATIENT').foreign_keys).toEqual([]);
  });

  it('gives the same profile for the same seed', async () => {
    const source = await openSource(`csv:${path.join(dir, 'src')}`);
    try {
      expect(await profileSource(source, { sample: 25, minFrequency: 5 })).toEqual(profile);
    } finally {
      await source.close();
    }
  });

  it('refuses an unknown table by name, listing the ones there are', async () => {
    const source = await openSource(`csv:${path.join(dir, 'src')}`);
    try {
      await expect(profileSource(source, { tables: ['NOPE'] })).rejects.toThrow(/no table\(s\) NOPE; it has EPISODE, PATIENT/);
    } finally {
      await source.close();
    }
  });
});
