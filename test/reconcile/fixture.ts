/**
 * A legacy PAS for reconciliation tests: patients (integer key, every logical type but
 * binary) and referrals (composite key), with one quarantined and one excluded patient, and
 * business checks with groups and a tolerance.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { nhsNumberCheckDigit } from '../../src/rules/nhs-number.js';

export function contractYaml(load: 'upsert' | 'truncate'): string {
  return `
ferry: 1
metadata: { name: reconcile_fixture, version: 1.0.0, owner: Ferry tests }
source:
  tables:
    PAT:
      primary_key: [PAT_ID]
      columns:
        PAT_ID: { type: text }
        NHSNO: { type: text }
        SURNAME: { type: text }
        DOB: { type: text }
        SEX: { type: text }
        WEIGHT: { type: text }
        REGISTERED: { type: text }
        ACTIVE: { type: text }
        DELETED: { type: text }
    REF:
      primary_key: [REF_PATID, REF_SEQ]
      columns:
        REF_PATID: { type: text }
        REF_SEQ: { type: text }
        SPEC: { type: text }
        OPEN: { type: text }
target:
  tables:
    patient:
      primary_key: [patient_id]
      columns:
        patient_id: { type: integer, nullable: false }
        nhs_number: { type: text, length: 10, nullable: false }
        family_name: { type: text, length: 35 }
        date_of_birth: { type: date }
        sex: { type: text, length: 1 }
        weight_kg: { type: decimal, precision: 6, scale: 2 }
        registered_at: { type: timestamp }
        active: { type: boolean }
    referral:
      primary_key: [patient_id, seq]
      columns:
        patient_id: { type: integer, nullable: false }
        seq: { type: integer, nullable: false }
        specialty: { type: text, length: 10 }
        open: { type: boolean }
mappings:
  patient:
    source: PAT
    load: ${load}
    filter:
      - { column: DELETED, op: ne, value: "Y" }
    fields:
      patient_id: { from: PAT_ID, steps: [to_integer], rationale: Legacy key. }
      nhs_number: { from: NHSNO, steps: [trim], rules: [required, nhs_number], rationale: National identifier. }
      family_name: { from: SURNAME, steps: [trim, title], rationale: Name as registered. }
      date_of_birth: { from: DOB, steps: [{ parse_date: { formats: [dd/mm/yyyy] } }], rationale: Legacy dd/mm/yyyy. }
      sex: { from: SEX, steps: [{ map: { values: { M: "1", F: "2", U: "0" } } }], rationale: NHS DD person stated gender. }
      weight_kg: { from: WEIGHT, steps: [{ to_decimal: { scale: 2 } }], rationale: Weight in kg. }
      registered_at: { from: REGISTERED, steps: [{ parse_date: { formats: ["yyyy-mm-dd HH:MI:SS"] } }], rationale: Registration time. }
      active: { from: ACTIVE, rationale: Y/N flag. }
  referral:
    source: REF
    load: ${load}
    fields:
      patient_id: { from: REF_PATID, steps: [to_integer], rationale: Owning patient. }
      seq: { from: REF_SEQ, steps: [to_integer], rationale: Referral number per patient. }
      specialty: { from: SPEC, steps: [trim, upper], rationale: Treatment function. }
      open: { from: OPEN, rationale: Open referral flag. }
reconciliation:
  - name: open_referrals
    description: Referrals still open.
    source: { table: REF, aggregate: count, filter: [{ column: OPEN, op: eq, value: "Y" }] }
    target: { table: referral, aggregate: count, filter: [{ column: open, op: eq, value: true }] }
  - name: referrals_per_specialty
    source: { table: REF, aggregate: count, group_by: SPEC }
    target: { table: referral, aggregate: count, group_by: specialty }
  - name: total_weight
    description: Sum of patient weights; the quarantined patient's weight is within the tolerance.
    source: { table: PAT, aggregate: sum, column: WEIGHT, filter: [{ column: DELETED, op: ne, value: "Y" }] }
    target: { table: patient, aggregate: sum, column: weight_kg }
    tolerance: 80
  - name: distinct_sexes
    source: { table: PAT, aggregate: count_distinct, column: SEX, filter: [{ column: DELETED, op: ne, value: "Y" }] }
    target: { table: patient, aggregate: count_distinct, column: sex }
`;
}

/** A valid synthetic NHS number (999 range) for patient i. */
export function nhsFor(i: number): string {
  for (let k = i; ; k++) {
    const stem = `999${String(k % 1_000_000).padStart(6, '0')}`;
    const d = nhsNumberCheckDigit(stem);
    if (d !== null) return `${stem}${d}`;
  }
}

/** The quarantined (bad NHS number) and excluded (deleted) patients. */
export const BAD_NHS = 3;
export const DELETED = 7;
const SPECS = ['CARDIO', 'ORTHO', 'DERM'];

/** Writes PAT.csv and REF.csv under dir/source and the contract under dir; returns the contract path. */
export async function writeFixture(dir: string, patients: number, load: 'upsert' | 'truncate' = 'upsert'): Promise<string> {
  const src = path.join(dir, 'source');
  await mkdir(src, { recursive: true });
  await writeFile(path.join(dir, 'contract.yaml'), contractYaml(load));
  const pat: string[] = ['PAT_ID,NHSNO,SURNAME,DOB,SEX,WEIGHT,REGISTERED,ACTIVE,DELETED\n'];
  const ref: string[] = ['REF_PATID,REF_SEQ,SPEC,OPEN\n'];
  for (let i = 1; i <= patients; i++) {
    let nhs = nhsFor(i);
    if (i === BAD_NHS) nhs = nhs.slice(0, 9) + String((Number(nhs[9]) + 1) % 10);
    const dob = `${String((i % 28) + 1).padStart(2, '0')}/${String((i % 12) + 1).padStart(2, '0')}/${1930 + (i % 80)}`;
    const weight = i % 5 === 0 ? '' : `${40 + (i % 50)}.${i % 10}`;
    const reg = `20${String(10 + (i % 15))}-0${1 + (i % 9)}-1${i % 10} 0${i % 10}:3${i % 10}:00`;
    pat.push(`${i}, ${nhs} ,smith${i},${dob},${'MFU'[i % 3]},${weight},${reg},${i % 4 === 0 ? 'N' : 'Y'},${i === DELETED ? 'Y' : 'N'}\n`);
    if (i % 10 === 1) {
      ref.push(`${i},1,${SPECS[i % 3]},Y\n`);
      ref.push(`${i},2,${SPECS[(i + 1) % 3]},${i % 20 === 1 ? 'N' : 'Y'}\n`);
    }
  }
  await writeFile(path.join(src, 'PAT.csv'), pat.join(''));
  await writeFile(path.join(src, 'REF.csv'), ref.join(''));
  return path.join(dir, 'contract.yaml');
}

/** Copies the fixture's CSV source into a SQLite database (all columns text), for faster large tests; returns its URL. */
export async function writeSqliteSource(dir: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const Database = (await import('better-sqlite3')).default;
  const file = path.join(dir, 'source.db');
  const db = new Database(file);
  try {
    for (const [table, key] of [
      ['PAT', 'PAT_ID'],
      ['REF', 'REF_PATID, REF_SEQ'],
    ]) {
      const [head, ...lines] = (await readFile(path.join(dir, 'source', `${table}.csv`), 'utf8')).trimEnd().split('\n');
      const cols = head.split(',');
      db.exec(`CREATE TABLE "${table}" (${cols.map((c) => `"${c}" TEXT`).join(', ')}, PRIMARY KEY (${key}))`);
      const insert = db.prepare(`INSERT INTO "${table}" VALUES (${cols.map(() => '?').join(', ')})`);
      db.transaction(() => lines.forEach((l) => insert.run(l.split(',').map((v) => (v === '' ? null : v)))))();
    }
  } finally {
    db.close();
  }
  return `sqlite:${file}`;
}
