import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isValidIcd10 } from '../../src/rules/icd10.js';
import { isValidLoinc } from '../../src/rules/loinc.js';
import { isValidNhsNumber } from '../../src/rules/nhs-number.js';
import { isValidOdsCode } from '../../src/rules/ods.js';
import { isValidOpcs4 } from '../../src/rules/opcs4.js';
import { isValidPostcode } from '../../src/rules/postcode.js';
import { isValidDmdId } from '../../src/rules/dmd.js';
import { isValidSnomedConceptId } from '../../src/rules/snomed.js';
import { isoToDays, daysFromCivil } from '../../src/synth/dates.js';
import { generateToCsv, DEFAULT_AS_OF, type SynthSummary } from '../../src/synth/generate.js';
import { LEGACY_TABLES } from '../../src/synth/schema.js';
import { readManifest, readTable, tempDir } from './helpers.js';

let dir: string;
let summary: SynthSummary;
const data: Record<string, Record<string, string>[]> = {};

function day(text: string): number {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text);
  if (!m) throw new Error(`"${text}" is not dd/mm/yyyy`);
  return daysFromCivil(Number(m[3]), Number(m[2]), Number(m[1]));
}

beforeAll(async () => {
  dir = await tempDir();
  summary = await generateToCsv({ seed: 2024, patients: 800, dir });
  for (const t of LEGACY_TABLES) data[t.name] = await readTable(dir, t.name);
});

describe('clean synthetic data', () => {
  it('writes an empty manifest and counts no defects', async () => {
    const m = await readManifest(path.join(dir, 'defects.json'));
    expect(m.defects).toEqual([]);
    expect(Object.values(m.counts).every((n) => n === 0)).toBe(true);
    expect(Object.values(summary.defects).every((n) => n === 0)).toBe(true);
  });

  it('fills every table, and the summary counts match the files', () => {
    for (const t of LEGACY_TABLES) {
      expect(data[t.name].length, t.name).toBeGreaterThan(0);
      expect(summary.tables[t.name], t.name).toBe(data[t.name].length);
    }
    expect(data.PAT_MAST).toHaveLength(800);
  });

  it('resolves every foreign key and keeps every primary key unique', () => {
    for (const t of LEGACY_TABLES) {
      const keys = data[t.name].map((r) => r[t.primaryKey[0]]);
      expect(new Set(keys).size, t.name).toBe(keys.length);
      for (const fk of t.foreignKeys) {
        const parents = new Set(data[fk.references.table].map((r) => r[fk.references.columns[0]]));
        const orphans = data[t.name].filter((r) => r[fk.columns[0]] !== '' && !parents.has(r[fk.columns[0]]));
        expect(orphans, `${t.name}.${fk.columns[0]}`).toEqual([]);
      }
    }
  });

  it('gives every patient a unique NHS number in the 999 range with a valid check digit', () => {
    const numbers = data.PAT_MAST.map((r) => r.PAT_NHSNO);
    expect(numbers.every((n) => n.startsWith('999') && isValidNhsNumber(n))).toBe(true);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('carries valid SNOMED CT, dm+d and LOINC check digits and well-formed ICD-10, OPCS-4 and ODS codes', () => {
    expect(data.ALLERGY.every((r) => isValidSnomedConceptId(r.ALG_SCTID))).toBe(true);
    expect(data.ALERT.every((r) => isValidSnomedConceptId(r.ALRT_SCTID))).toBe(true);
    expect(data.MEDS.every((r) => isValidDmdId(r.MED_DMDID))).toBe(true);
    expect(data.LAB.every((r) => isValidLoinc(r.LAB_LOINC))).toBe(true);
    expect(data.DIAG.every((r) => isValidIcd10(r.DIAG_CODE.trim()))).toBe(true);
    expect(data.PROC.every((r) => isValidOpcs4(r.PROC_CODE.trim()))).toBe(true);
    expect(data.GP_REG.every((r) => isValidOdsCode(r.GPR_GPPRAC, 'gp_practice'))).toBe(true);
  });

  it('writes valid postcodes and plain-ASCII names no longer than 35 characters', () => {
    expect(data.PAT_ADDR.every((r) => isValidPostcode(r.ADDR_PCODE))).toBe(true);
    for (const r of data.PAT_MAST) {
      for (const v of [r.PAT_SURNAME, r.PAT_FORENM]) {
        expect(v).toMatch(/^[A-Za-z][A-Za-z' -]*$/);
        expect(v.length).toBeLessThanOrEqual(35);
      }
    }
    expect(data.PAT_ADDR.every((r) => r.ADDR_LINE1.length <= 35)).toBe(true);
  });

  it('keeps lab values inside physiologically possible bounds', () => {
    for (const r of data.LAB) {
      const v = Number(r.LAB_VALUE);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(9999);
    }
  });

  it('never dates an event before birth, after death or after the data set date, and discharges on or after admission', () => {
    const asOf = isoToDays(DEFAULT_AS_OF);
    const born = new Map(data.PAT_MAST.map((r) => [r.PAT_ID, day(r.PAT_DOB)]));
    const died = new Map(data.PAT_MAST.filter((r) => r.PAT_DOD).map((r) => [r.PAT_ID, day(r.PAT_DOD)]));
    const within = (patient: string, text: string, what: string) => {
      const d = day(text);
      expect(d, what).toBeGreaterThanOrEqual(born.get(patient)!);
      expect(d, what).toBeLessThanOrEqual(died.get(patient) ?? asOf);
    };
    for (const r of data.PAT_MAST) expect(day(r.PAT_DOB)).toBeLessThanOrEqual(r.PAT_DOD ? day(r.PAT_DOD) : asOf);
    const spellPatient = new Map(data.IP_SPELL.map((r) => [r.SPELL_ID, r.SPELL_PATID]));
    for (const r of data.IP_SPELL) {
      within(r.SPELL_PATID, r.ADM_DT, 'admission');
      within(r.SPELL_PATID, r.DISCH_DT, 'discharge');
      expect(day(r.DISCH_DT)).toBeGreaterThanOrEqual(day(r.ADM_DT));
    }
    for (const r of data.IP_WARD) within(spellPatient.get(r.WSTAY_SPELLID)!, r.WSTAY_END, 'ward stay');
    for (const r of data.REF) within(r.REF_PATID, r.REF_DT, 'referral');
    for (const r of data.OP_APPT) within(r.APPT_PATID, r.APPT_DT, 'appointment');
    for (const r of data.LAB) within(r.LAB_PATID, r.LAB_COLL_DT, 'lab');
    for (const r of data.PAT_ADDR) if (r.ADDR_TO) expect(day(r.ADDR_TO)).toBeGreaterThanOrEqual(day(r.ADDR_FROM));
    const deathsInHospital = data.IP_SPELL.filter((r) => r.DISCH_METH === 'DD');
    expect(deathsInHospital.length).toBeGreaterThan(0);
    for (const r of deathsInHospital) expect(day(r.DISCH_DT)).toBe(died.get(r.SPELL_PATID));
  });

  it('pads fixed-width code fields to their declared width', () => {
    for (const t of LEGACY_TABLES) {
      for (const c of t.columns.filter((x) => x.width !== undefined)) {
        for (const r of data[t.name]) if (r[c.name] !== '') expect(r[c.name].length, `${t.name}.${c.name}`).toBeGreaterThanOrEqual(c.width!);
      }
    }
  });
});
