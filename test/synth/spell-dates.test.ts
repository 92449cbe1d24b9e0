import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { daysFromCivil } from '../../src/synth/dates.js';
import { generateToCsv } from '../../src/synth/generate.js';
import { tempDir } from './helpers.js';

/** `dd/mm/yyyy` to a day number. */
function day(text: string): number {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text);
  if (!m) throw new Error(`"${text}" is not dd/mm/yyyy`);
  return daysFromCivil(Number(m[3]), Number(m[2]), Number(m[1]));
}

/** Spell ids whose discharge date is before their admission date, read straight from IP_SPELL.csv. */
async function dischargedBeforeAdmission(dir: string): Promise<string[]> {
  const [header, ...rows] = (await readFile(path.join(dir, 'IP_SPELL.csv'), 'utf8')).trimEnd().split(/\r?\n/);
  const cols = header!.split(',');
  const [id, adm, disch] = ['SPELL_ID', 'ADM_DT', 'DISCH_DT'].map((c) => cols.indexOf(c));
  expect(Math.min(id!, adm!, disch!)).toBeGreaterThanOrEqual(0);
  // The clean PAS writes plain dd/mm/yyyy dates and no quoted cells in these columns.
  return rows
    .map((r) => r.split(','))
    .filter((c) => day(c[disch!]!) < day(c[adm!]!))
    .map((c) => c[id!]!);
}

describe('clean synthetic spells', () => {
  // 20,000 patients with seed 42 held two such spells before the fix: patients whose activity
  // window (birth or registration to death or "today") is shorter than their number of spells.
  it.each([42, 7, 2024, 1])('never discharge before admission (40,000 patients, seed %i)', async (seed) => {
    const dir = await tempDir();
    await generateToCsv({ seed, patients: 40_000, dir });
    expect(await dischargedBeforeAdmission(dir)).toEqual([]);
  });
});
