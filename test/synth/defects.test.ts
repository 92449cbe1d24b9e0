import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isValidNhsNumber } from '../../src/rules/nhs-number.js';
import { isValidPostcode } from '../../src/rules/postcode.js';
import { ADMISSION_METHODS, APPOINTMENT_STATUSES, DISCHARGE_DIED, DISCHARGE_METHODS, ETHNIC_CODES, MARITAL_CHILD, MARITAL_CODES, SEX_CODES } from '../../src/synth/codes.js';
import { daysFromCivil } from '../../src/synth/dates.js';
import { DEFECT_KINDS, loadDefectProfile, uniformRates, type DefectEntry } from '../../src/synth/defects.js';
import { generateToCsv, DEFAULT_AS_OF } from '../../src/synth/generate.js';
import type { DefectManifest } from '../../src/synth/manifest.js';
import { LEGACY_TABLES } from '../../src/synth/schema.js';
import { isoToDays } from '../../src/synth/dates.js';
import { conflictOf, drugClassMatcher } from '../../src/reference/drug-classes.js';
import { readManifest, readTable, tempDir } from './helpers.js';

const classes = drugClassMatcher();

const DDMMYYYY = /^(\d{2})\/(\d{2})\/(\d{4})$/;
const day = (text: string) => {
  const m = DDMMYYYY.exec(text);
  if (!m) throw new Error(`"${text}" is not dd/mm/yyyy`);
  return daysFromCivil(Number(m[3]), Number(m[2]), Number(m[1]));
};
const known: Record<string, Set<string>> = {
  PAT_SEX: new Set(SEX_CODES.map((c) => c.code)),
  PAT_ETHNIC: new Set(ETHNIC_CODES.map((c) => c.code)),
  PAT_MARITAL: new Set([...MARITAL_CODES.map((c) => c.code), MARITAL_CHILD]),
  ADM_METH: new Set(ADMISSION_METHODS.map((c) => c.code)),
  DISCH_METH: new Set([...DISCHARGE_METHODS.map((c) => c.code), DISCHARGE_DIED]),
  APPT_STATUS: new Set(APPOINTMENT_STATUSES.map((c) => c.code)),
};

let dir: string;
let manifest: DefectManifest;
const rows: Record<string, Map<string, Record<string, string>>> = {};

beforeAll(async () => {
  dir = await tempDir();
  await generateToCsv({ seed: 99, patients: 600, dir, rates: uniformRates(0.05) });
  manifest = await readManifest(path.join(dir, 'defects.json'));
  for (const t of LEGACY_TABLES) rows[t.name] = new Map((await readTable(dir, t.name)).map((r) => [r[t.primaryKey[0]], r]));
});

// What each kind must look like in the data: the manifest is only useful if it is true.
function holds(e: DefectEntry): boolean {
  const row = rows[e.table].get(e.key);
  if (!row) return false;
  const v = row[e.column];
  switch (e.kind) {
    case 'nhs_number_invalid':
      return /^999\d{7}$/.test(v) && !isValidNhsNumber(v);
    case 'nhs_number_missing':
      return v === '';
    case 'duplicate_patient': {
      const original = rows.PAT_MAST.get(e.related!)!;
      return v === original.PAT_NHSNO && isValidNhsNumber(v) && row.PAT_DOB === original.PAT_DOB && e.key !== e.related;
    }
    case 'postcode_invalid':
      return !isValidPostcode(v);
    case 'impossible_date':
      if (e.variant === 'future_birth') return day(v) > isoToDays(DEFAULT_AS_OF) + 365 * 40;
      if (e.variant === 'death_before_birth') return day(v) < day(row.PAT_DOB);
      return e.variant === 'discharge_before_admission' && day(v) < day(row.ADM_DT);
    case 'mixed_date_format':
      return v !== '' && !DDMMYYYY.test(v);
    case 'sentinel_value':
      return ['01/01/1900', 'UNKNOWN', '99'].includes(v);
    case 'unmapped_code':
      return !known[e.column].has(v.trim().toUpperCase());
    case 'orphan_foreign_key': {
      const fk = LEGACY_TABLES.find((t) => t.name === e.table)!.foreignKeys.find((f) => f.columns[0] === e.column)!;
      return v === e.related && !rows[fk.references.table].has(v);
    }
    case 'overlong_text':
      return v.length > 35;
    case 'stray_whitespace':
      return v !== v.trim() && v.trim() !== '';
    case 'wrong_case':
      return v !== v.toUpperCase() || (e.column === 'PAT_FORENM' && v === v.toUpperCase());
    case 'windows_1252_text':
      return /[^\x00-\x7f]/.test(v);
    case 'lab_value_out_of_range':
      return Number(v) < 0 || Number(v) > 9999;
    case 'allergy_class_conflict': {
      // The related allergy is the same patient's, and covers the medicine by class, not by the same substance.
      const allergy = rows.ALLERGY.get(e.related!)!;
      const a = classes.allergy(allergy.ALG_DESC)!;
      const m = classes.medication(v)!;
      return allergy.ALG_PATID === row.MED_PATID && conflictOf(a, m) === 'class';
    }
  }
}

describe('injected defects', () => {
  it('injects every kind when every rate is above zero', () => {
    for (const kind of DEFECT_KINDS) expect(manifest.counts[kind], kind).toBeGreaterThan(0);
    expect(manifest.defects).toHaveLength(Object.values(manifest.counts).reduce((a, b) => a + b, 0));
  });

  it('describes each defect truthfully: the named cell holds the damage', () => {
    const false_ = manifest.defects.filter((e) => !holds(e));
    expect(false_).toEqual([]);
  });

  it('records at most one defect per cell', () => {
    const cells = manifest.defects.map((e) => `${e.table}/${e.key}/${e.column}`);
    expect(new Set(cells).size).toBe(cells.length);
  });

  it('gives duplicates keys after every real patient', () => {
    const dups = manifest.defects.filter((e) => e.kind === 'duplicate_patient');
    expect(dups.every((e) => Number(e.key) > 600 && Number(e.related) <= 600)).toBe(true);
  });

  it('injects only the kinds a profile turns on, at its rates', async () => {
    const root = await tempDir();
    const profile = path.join(root, 'profile.yaml');
    await writeFile(profile, 'default: 0\nrates:\n  postcode_invalid: 0.5\n  lab_value_out_of_range: 0.2\n');
    const out = path.join(root, 'out');
    const summary = await generateToCsv({ seed: 3, patients: 200, dir: out, rates: await loadDefectProfile(profile) });
    const kinds = Object.entries(summary.defects)
      .filter(([, n]) => n > 0)
      .map(([k]) => k);
    expect(kinds.sort()).toEqual(['lab_value_out_of_range', 'postcode_invalid']);
    const addresses = summary.tables.PAT_ADDR;
    expect(summary.defects.postcode_invalid / addresses).toBeGreaterThan(0.35);
    expect(summary.defects.postcode_invalid / addresses).toBeLessThan(0.65);
  });

  it('refuses a profile with an unknown kind or a rate above one', async () => {
    const root = await tempDir();
    const bad = path.join(root, 'bad.yaml');
    await writeFile(bad, 'rates:\n  postcode_wrong: 0.5\n');
    await expect(loadDefectProfile(bad)).rejects.toMatchObject({ code: 'synth.profile_invalid' });
    await writeFile(bad, 'default: 2\n');
    await expect(loadDefectProfile(bad)).rejects.toMatchObject({ code: 'synth.profile_invalid' });
  });
});
