/**
 * A small, deterministic legacy PAS for engine tests: patients, addresses (child of
 * patients) and a GP lookup table, with a handful of known defects at known keys.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { nhsNumberCheckDigit } from '../../src/rules/nhs-number.js';

export const CONTRACT_YAML = `
ferry: 1
metadata: { name: engine_fixture, version: 1.0.0, owner: Ferry tests }
source:
  tables:
    PAT:
      primary_key: [PAT_ID]
      columns:
        PAT_ID: { type: text }
        NHSNO: { type: text }
        SURNAME: { type: text }
        FORENAME: { type: text }
        DOB: { type: text }
        SEX: { type: text }
        DELETED: { type: text }
    ADDR:
      primary_key: [ADDR_ID]
      columns:
        ADDR_ID: { type: text }
        ADDR_PATID: { type: text }
        PCODE: { type: text }
      foreign_keys:
        - { columns: [ADDR_PATID], references: { table: PAT, columns: [PAT_ID] } }
    GP:
      primary_key: [GP_PATID]
      columns:
        GP_PATID: { type: text }
        PRAC: { type: text }
      foreign_keys:
        - { columns: [GP_PATID], references: { table: PAT, columns: [PAT_ID] } }
target:
  tables:
    patient:
      primary_key: [patient_id]
      columns:
        patient_id: { type: integer, nullable: false }
        nhs_number: { type: text, length: 10, nullable: false }
        family_name: { type: text, length: 35 }
        given_name: { type: text, length: 35 }
        date_of_birth: { type: date, nullable: false }
        sex: { type: text, length: 1 }
        gp_practice: { type: text, length: 6 }
    address:
      primary_key: [address_id]
      columns:
        address_id: { type: integer, nullable: false }
        patient_id: { type: integer, nullable: false }
        postcode: { type: text, length: 8 }
      foreign_keys:
        - { columns: [patient_id], references: { table: patient, columns: [patient_id] } }
crosswalks:
  sex: { file: crosswalks/sex.csv }
mappings:
  patient:
    source: PAT
    joins:
      - { table: GP, on: { PAT_ID: GP_PATID } }
    filter:
      - { column: DELETED, op: ne, value: "Y" }
    fields:
      patient_id: { from: PAT_ID, steps: [to_integer], rationale: Legacy surrogate key kept for traceability. }
      nhs_number: { from: NHSNO, steps: [trim], rules: [required, nhs_number], rationale: National identifier; must be valid to link records. }
      family_name: { from: SURNAME, steps: [trim, title], rationale: Name as registered. }
      given_name: { from: FORENAME, steps: [trim, title], rationale: Name as registered. }
      date_of_birth:
        from: DOB
        steps: [{ null_if: ["01/01/1900"] }, { parse_date: { formats: [dd/mm/yyyy] } }]
        rules: [required, date]
        rationale: Legacy stores dd/mm/yyyy text; 01/01/1900 is the legacy 'unknown' sentinel.
      sex: { from: SEX, crosswalk: sex, rationale: Local codes mapped to NHS DD person stated gender. }
      gp_practice: { from: GP.PRAC, steps: [trim, upper], rules: [{ ods_code: { kind: gp_practice } }], rationale: Registered GP practice ODS code. }
  address:
    source: ADDR
    fields:
      address_id: { from: ADDR_ID, steps: [to_integer], rationale: Legacy key. }
      patient_id: { from: ADDR_PATID, steps: [to_integer], rationale: Owning patient. }
      postcode: { from: PCODE, steps: [trim, upper], rules: [postcode], rationale: Needed for catchment and GP allocation. }
`;

export const SEX_CSV = 'source_code,target_code,target_display\nM,1,Male\nF,2,Female\nU,0,Not Known\n';

/** Builds a valid synthetic NHS number (999 range) for patient i. */
export function nhsFor(i: number): string {
  for (let k = i; ; k++) {
    const stem = `999${String(k % 1_000_000).padStart(6, '0')}`;
    const d = nhsNumberCheckDigit(stem);
    if (d !== null) return `${stem}${d}`;
  }
}

export interface FixtureDefects {
  /** Patient ids (1-based) given an invalid NHS check digit. */
  badNhs: number[];
  /** Patient ids given an impossible birth date. */
  badDob: number[];
  /** Patient ids flagged deleted (excluded by the filter). */
  deleted: number[];
  /** Patient ids with an unmapped sex code. */
  badSex: number[];
}

export const DEFAULT_DEFECTS: FixtureDefects = { badNhs: [3], badDob: [5], deleted: [7], badSex: [9] };

function csvLine(values: string[]): string {
  return values.map((v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',') + '\n';
}

/** Writes PAT.csv, ADDR.csv, GP.csv under dir/source and the contract under dir. Returns the contract path. */
export async function writeFixture(dir: string, patients: number, defects: FixtureDefects = DEFAULT_DEFECTS): Promise<string> {
  const src = path.join(dir, 'source');
  await mkdir(src, { recursive: true });
  await mkdir(path.join(dir, 'crosswalks'), { recursive: true });
  await writeFile(path.join(dir, 'contract.yaml'), CONTRACT_YAML);
  await writeFile(path.join(dir, 'crosswalks', 'sex.csv'), SEX_CSV);
  const pat: string[] = [csvLine(['PAT_ID', 'NHSNO', 'SURNAME', 'FORENAME', 'DOB', 'SEX', 'DELETED'])];
  const addr: string[] = [csvLine(['ADDR_ID', 'ADDR_PATID', 'PCODE'])];
  const gp: string[] = [csvLine(['GP_PATID', 'PRAC'])];
  const sexes = ['M', 'F', 'U'];
  for (let i = 1; i <= patients; i++) {
    let nhs = nhsFor(i);
    if (defects.badNhs.includes(i)) nhs = nhs.slice(0, 9) + String((Number(nhs[9]) + 1) % 10);
    const dob = defects.badDob.includes(i) ? '31/02/1980' : `${String((i % 28) + 1).padStart(2, '0')}/${String((i % 12) + 1).padStart(2, '0')}/${1930 + (i % 80)}`;
    const sex = defects.badSex.includes(i) ? 'Q' : sexes[i % 3];
    pat.push(csvLine([String(i), ` ${nhs} `, `SMITH${i}`, `jane`, dob, sex, defects.deleted.includes(i) ? 'Y' : 'N']));
    addr.push(csvLine([String(i * 10), String(i), 'ls1 4ap']));
    addr.push(csvLine([String(i * 10 + 1), String(i), 'M1 1AE']));
    if (i % 2 === 0) gp.push(csvLine([String(i), 'a81001']));
  }
  await writeFile(path.join(src, 'PAT.csv'), pat.join(''));
  await writeFile(path.join(src, 'ADDR.csv'), addr.join(''));
  await writeFile(path.join(src, 'GP.csv'), gp.join(''));
  return path.join(dir, 'contract.yaml');
}
