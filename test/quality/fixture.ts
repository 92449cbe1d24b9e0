/**
 * A small legacy PAS for quality tests: patients, medications and allergies with defects at
 * known keys (a duplicate registration, orphan medications, an unmapped sex code, an invalid
 * NHS number, a medication the patient is allergic to). Thresholds are given per test.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { nhsNumberCheckDigit } from '../../src/rules/nhs-number.js';

export const QUALITY_CONTRACT = (thresholds: string, checkSeverity: 'error' | 'warning' = 'warning') => `
ferry: 1
metadata: { name: quality_fixture, version: 1.0.0, owner: Ferry tests }
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
        PCODE: { type: text }
        SEX: { type: text }
    MED:
      primary_key: [MED_ID]
      columns:
        MED_ID: { type: text }
        MED_PATID: { type: text }
        DRUG: { type: text }
    ALG:
      primary_key: [ALG_ID]
      columns:
        ALG_ID: { type: text }
        ALG_PATID: { type: text }
        AGENT: { type: text }
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
        postcode: { type: text, length: 8 }
        sex: { type: text, length: 1 }
    medication:
      primary_key: [medication_id]
      columns:
        medication_id: { type: integer, nullable: false }
        patient_id: { type: integer, nullable: false }
        substance: { type: text }
      # Loaded even when the patient is quarantined, so the referential KPI has orphans to measure.
      foreign_keys:
        - { columns: [patient_id], references: { table: patient, columns: [patient_id] }, on_parent_quarantined: load }
    allergy:
      primary_key: [allergy_id]
      columns:
        allergy_id: { type: integer, nullable: false }
        patient_id: { type: integer, nullable: false }
        substance: { type: text }
      foreign_keys:
        - { columns: [patient_id], references: { table: patient, columns: [patient_id] } }
crosswalks:
  sex: { file: crosswalks/sex.csv }
mappings:
  patient:
    source: PAT
    fields:
      patient_id: { from: PAT_ID, steps: [to_integer], rationale: Legacy key. }
      nhs_number: { from: NHSNO, steps: [trim], rules: [required, nhs_number], rationale: National identifier. }
      family_name: { from: SURNAME, steps: [trim], rationale: Name as registered. }
      given_name: { from: FORENAME, steps: [trim], rationale: Name as registered. }
      date_of_birth: { from: DOB, steps: [{ parse_date: { formats: [dd/mm/yyyy] } }], rules: [required], rationale: Birth date. }
      postcode: { from: PCODE, steps: [trim, upper], rationale: Address. }
      sex: { from: SEX, crosswalk: sex, rationale: Local codes to NHS DD person stated gender. }
    table_rules:
      - name: same_person
        duplicate_patient: { nhs_number: nhs_number, family_name: family_name, given_name: given_name, date_of_birth: date_of_birth, postcode: postcode }
  medication:
    source: MED
    fields:
      medication_id: { from: MED_ID, steps: [to_integer], rationale: Legacy key. }
      patient_id: { from: MED_PATID, steps: [to_integer], rationale: Owning patient. }
      substance: { from: DRUG, rationale: Prescribed substance. }
  allergy:
    source: ALG
    fields:
      allergy_id: { from: ALG_ID, steps: [to_integer], rationale: Legacy key. }
      patient_id: { from: ALG_PATID, steps: [to_integer], rationale: Owning patient. }
      substance: { from: AGENT, rationale: Causative agent. }
quality:
  example_keys: 3
  thresholds:
${thresholds}
  checks:
    - name: allergic_to_medication
      allergy_conflict:
        medication: { table: medication, patient: patient_id, substance: substance }
        allergy: { table: allergy, patient: patient_id, substance: substance }
      severity: ${checkSeverity}
`;

/** Distinct valid synthetic NHS numbers (999 range), the i-th for patient i. */
function nhsNumbers(n: number): string[] {
  const out: string[] = [];
  for (let k = 0; out.length <= n; k++) {
    const stem = `999${String(k).padStart(6, '0')}`;
    const d = nhsNumberCheckDigit(stem);
    if (d !== null) out.push(`${stem}${d}`);
  }
  return out;
}

export interface QualityDefects {
  /** Patient ids registered again as a copy of patient 1 with a new NHS number. */
  duplicateOf1: number[];
  /** Medication ids pointing at a patient that does not exist. */
  orphanMeds: number[];
  /** Patient ids with an unmapped sex code. */
  badSex: number[];
  /** Patient ids with an invalid NHS number. */
  badNhs: number[];
  /** Patient ids prescribed the substance they are allergic to. */
  allergic: number[];
}

export const NO_DEFECTS: QualityDefects = { duplicateOf1: [], orphanMeds: [], badSex: [], badNhs: [], allergic: [] };

/** Names that appear only in the source data, for checking no value leaks into a report. */
export const SOURCE_SECRETS = ['Zebedee', 'Quixote', 'Paracetamol', 'enicillin', 'Ibuprofen', '02/03/1950', '1950-03-02'];

/** Writes the contract, crosswalk and PAT/MED/ALG CSV files under dir; returns the contract path. */
export async function writeQualityFixture(dir: string, o: { patients: number; thresholds: string; defects?: Partial<QualityDefects>; checkSeverity?: 'error' | 'warning' }): Promise<string> {
  const d = { ...NO_DEFECTS, ...o.defects };
  const src = path.join(dir, 'source');
  await mkdir(src, { recursive: true });
  await mkdir(path.join(dir, 'crosswalks'), { recursive: true });
  await writeFile(path.join(dir, 'contract.yaml'), QUALITY_CONTRACT(o.thresholds, o.checkSeverity));
  await writeFile(path.join(dir, 'crosswalks', 'sex.csv'), 'source_code,target_code,target_display\nM,1,Male\nF,2,Female\n');
  const pat = ['PAT_ID,NHSNO,SURNAME,FORENAME,DOB,PCODE,SEX'];
  const med = ['MED_ID,MED_PATID,DRUG'];
  const alg = ['ALG_ID,ALG_PATID,AGENT'];
  const numbers = nhsNumbers(o.patients);
  for (let i = 1; i <= o.patients; i++) {
    let nhs = numbers[i];
    if (d.badNhs.includes(i)) nhs = nhs.slice(0, 9) + String((Number(nhs[9]) + 1) % 10);
    const copy = d.duplicateOf1.includes(i);
    const surname = copy || i === 1 ? 'Zebedee' : `Quixote${i}`;
    const dob = copy || i === 1 ? '02/03/1950' : `${String((i % 28) + 1).padStart(2, '0')}/0${(i % 9) + 1}/19${50 + (i % 40)}`;
    const pcode = copy ? 'ls1  4ap' : i === 1 ? 'LS1 4AP' : 'M1 1AE';
    const sex = d.badSex.includes(i) ? 'Q' : i % 2 === 0 ? 'F' : 'M';
    pat.push([i, nhs, surname, copy ? 'ANN' : 'Ann', dob, pcode, sex].join(','));
    med.push([i * 10, i, d.allergic.includes(i) ? 'Penicillin ' : 'Paracetamol'].join(','));
    alg.push([i * 10, i, 'penicillin'].join(','));
  }
  for (const m of d.orphanMeds) med.push([m, 900000 + m, 'Ibuprofen'].join(','));
  await writeFile(path.join(src, 'PAT.csv'), `${pat.join('\n')}\n`);
  await writeFile(path.join(src, 'MED.csv'), `${med.join('\n')}\n`);
  await writeFile(path.join(src, 'ALG.csv'), `${alg.join('\n')}\n`);
  return path.join(dir, 'contract.yaml');
}
