import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../src/connectors/registry.js';
import { KExtremes, kAnonymousExtremes, trueLength, trueRange } from '../../src/profile/extremes.js';
import { valueFit } from '../../src/profile/fit.js';
import { profileSource } from '../../src/profile/profile.js';
import { isLineNumbering } from '../../src/profile/suggest.js';
import type { ColumnProfile, SourceProfile } from '../../src/profile/types.js';
import { tempDir } from '../helpers/tmp.js';

describe('kAnonymousExtremes', () => {
  it('shows an end shared by at least K values as it is', () => {
    expect(kAnonymousExtremes([3, 1, 1, 1, 2, 9, 9, 9], 3)).toEqual({ min: 1, max: 9, min_is_bound: false, max_is_bound: false });
  });

  it('replaces an end held by fewer than K values with the K-th value and flags it', () => {
    expect(kAnonymousExtremes([50, 51, 52, 53, 54, 55, 1, 99], 3)).toEqual({ min: 51, max: 54, min_is_bound: true, max_is_bound: true });
    expect(kAnonymousExtremes(['1899-03-17', '1950-01-01', '1950-01-01', '1960-05-05', '1960-05-05'], 2)).toEqual({
      min: '1950-01-01',
      max: '1960-05-05',
      min_is_bound: true,
      max_is_bound: false,
    });
  });

  it('gives no range when fewer than K values exist, and the true ends when K is 1', () => {
    expect(kAnonymousExtremes([1, 2, 3, 4], 5)).toBeNull();
    expect(kAnonymousExtremes([], 1)).toBeNull();
    expect(kAnonymousExtremes([7, 1, 4], 1)).toEqual({ min: 1, max: 7, min_is_bound: false, max_is_bound: false });
  });
});

describe('KExtremes', () => {
  it('streams to the same bounds as sorting everything, whatever the order', () => {
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 48271) >>> 0) % 2147483647);
    for (const k of [1, 2, 5, 17]) {
      const values = Array.from({ length: 2_000 }, () => next() % 500);
      const s = new KExtremes(k);
      for (const v of values) s.add(v);
      expect(s.bounded()).toEqual(kAnonymousExtremes(values, k));
      expect(s.exact()).toEqual({ min: Math.min(...values), max: Math.max(...values) });
    }
    const ascending = new KExtremes(3);
    for (let i = 1; i <= 100; i++) ascending.add(i);
    expect(ascending.bounded()).toEqual({ min: 3, max: 98, min_is_bound: true, max_is_bound: true });
  });

  it('has nothing to show before K values and refuses a K below 1', () => {
    const s = new KExtremes(3);
    expect(s.exact()).toBeNull();
    s.add(1);
    s.add(2);
    expect(s.bounded()).toBeNull();
    expect(s.exact()).toEqual({ min: 1, max: 2 });
    expect(() => new KExtremes(0)).toThrow(RangeError);
  });
});

describe('profile extremes inside and outside the process', () => {
  let cleanup: () => Promise<void>;
  let profile: SourceProfile;
  const column = (name: string) => profile.tables[0].columns.find((c) => c.name === name)!;

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = await tempDir());
    await mkdir(path.join(dir, 'src'));
    // Address lines 1 and 2 are common; line 3 only two addresses have. NOTE is short but for one long value.
    const rows = ['ADDR_ID,LINE_NO,NOTE'];
    for (let i = 1; i <= 30; i++) rows.push(`${i},1,abc`, `${i},2,abcd`);
    rows.push('7,3,abc', `8,3,${'x'.repeat(40)}`);
    await writeFile(path.join(dir, 'src', 'ADDR_LINE.csv'), `${rows.join('\n')}\n`);
    const source = await openSource(`csv:${path.join(dir, 'src')}`);
    try {
      profile = await profileSource(source, { minFrequency: 5 });
    } finally {
      await source.close();
    }
  });
  afterAll(() => cleanup());

  it('reports bounds, not the rare ends', () => {
    expect(column('LINE_NO').range).toEqual({ min: 1, max: 2, estimated: false, min_is_bound: false, max_is_bound: true });
    expect(column('NOTE').length).toEqual({ min: 3, max: 4, min_is_bound: false, max_is_bound: true });
  });

  it('keeps the true ends for suggest while the profile object lives, and never in its JSON', () => {
    expect(trueRange(column('LINE_NO'))).toEqual({ min: 1, max: 3 });
    expect(trueLength(column('NOTE'))).toEqual({ min: 3, max: 40 });
    // A line-number column is judged on its true maximum (3 distinct values, running to 3).
    expect(isLineNumbering(column('LINE_NO'))).toBe(true);
    // A value longer than the target column counts against the fit even if one row has it.
    const target = { type: 'text' as const, length: 10, concepts: ['note'] };
    const reread = JSON.parse(JSON.stringify(profile)) as SourceProfile;
    const note = reread.tables[0].columns.find((c) => c.name === 'NOTE') as ColumnProfile;
    expect(valueFit(target, column('NOTE'))).toBeLessThan(valueFit(target, note));
    expect(JSON.stringify(profile)).not.toMatch(/"max":(3|40)\b/);
    expect(trueRange(reread.tables[0].columns.find((c) => c.name === 'LINE_NO')!)).toMatchObject({ min: 1, max: 2 });
  });
});
