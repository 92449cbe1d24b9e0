// Attack: read one patient's identifying value off a profile's min/max. The oldest patient's birth
// date (and the one extreme weight) is held by a single row; `ferry profile` must show neither in
// its JSON, HTML or text output, sampled or not, while saying that the ends shown are bounds.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { SourceProfile } from '../../src/profile/types.js';
import { tempDir } from '../helpers/tmp.js';

const SECRETS = ['17/03/1899', '1899-03-17', '287.3', '287', 'Featherstonehaugh-Cholmondeley-Marjoribanks'];

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await mkdir(path.join(dir, 'pas'));
  const rows = ['PAT_ID,PAT_DOB,WEIGHT_KG,SURNAME'];
  // 100 ordinary patients: every birth date, weight and surname length shared by at least 5 of them.
  for (let i = 1; i <= 100; i++) rows.push(`${i},15/01/${1950 + (i % 20)},${60 + (i % 10)}.5,${['Smith', 'Jones', 'Taylor', 'Brown'][i % 4]}`);
  rows.push('101,17/03/1899,287.3,Featherstonehaugh-Cholmondeley-Marjoribanks');
  await writeFile(path.join(dir, 'pas', 'PATIENT.csv'), `${rows.join('\n')}\n`);
});
afterAll(() => cleanup());

async function profile(...flags: string[]): Promise<{ json: SourceProfile; html: string; text: string }> {
  const io = memoryIO({ cwd: dir });
  expect(await main(['profile', `csv:${path.join(dir, 'pas')}`, '--json', '--html', 'p.html', ...flags], io)).toBe(0);
  const text = memoryIO({ cwd: dir });
  expect(await main(['profile', `csv:${path.join(dir, 'pas')}`, ...flags], text)).toBe(0);
  return { json: JSON.parse(io.stdout) as SourceProfile, html: await readFile(path.join(dir, 'p.html'), 'utf8'), text: text.stdout };
}

describe('profile extremes of a single patient', () => {
  for (const flags of [[], ['--sample', '30', '--seed', '3']]) {
    it(`never show the one patient's birth date, weight or name length (${flags.join(' ') || 'whole table'})`, async () => {
      const { json, html, text } = await profile(...flags);
      const raw = JSON.stringify(json);
      for (const secret of SECRETS) {
        expect(raw).not.toContain(secret);
        expect(html).not.toContain(secret);
        expect(text).not.toContain(secret);
      }
      const col = (n: string) => json.tables[0].columns.find((c) => c.name === n)!;
      expect(col('PAT_DOB').range).toMatchObject({ min_is_bound: true });
      expect(String(col('PAT_DOB').range!.min) >= '1950-01-15').toBe(true);
      expect(col('WEIGHT_KG').range).toMatchObject({ max: 69.5, max_is_bound: true, min: 60.5, min_is_bound: false });
      expect(col('SURNAME').length).toMatchObject({ max: 6, max_is_bound: true });
      expect(raw).not.toMatch(/"max":44\b/);
      // The bounds are marked as bounds wherever they are shown.
      expect(html).toMatch(/≤1950-01-15|≤19\d\d-/);
      expect(html).toContain('≥69.5');
      expect(text).toContain('≥69.5');
      expect(text).toMatch(/fewer than 5 rows/);
    });
  }

  it('shows the true ends when every end is shared by enough rows (--min-frequency 1 shows everything, as for top values)', async () => {
    const { json } = await profile('--min-frequency', '1');
    const dob = json.tables[0].columns.find((c) => c.name === 'PAT_DOB')!;
    expect(dob.range).toMatchObject({ min: '1899-03-17', min_is_bound: false });
  });
});
