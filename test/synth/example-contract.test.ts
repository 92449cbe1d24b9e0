import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract/load.js';
import { contractSchema, ruleParts, stepParts } from '../../src/contract/model.js';
import {
  ADMISSION_METHODS,
  APPOINTMENT_OUTCOMES,
  APPOINTMENT_STATUSES,
  DISCHARGE_DIED,
  DISCHARGE_METHODS,
  ETHNIC_CODES,
  MARITAL_CHILD,
  MARITAL_CODES,
  SEX_CODES,
  SPECIALTIES,
} from '../../src/synth/codes.js';
import { toSourceTables } from '../../src/synth/schema.js';

const FILE = path.resolve(__dirname, '../../examples/legacy-pas/contract.yaml');

describe('examples/legacy-pas contract', () => {
  it('parses against the contract model and loads with its crosswalks', async () => {
    const raw = parseYaml(await readFile(FILE, 'utf8'));
    const contract = contractSchema.parse(raw);
    expect(Object.keys(contract.mappings)).toEqual(
      expect.arrayContaining(['patient', 'patient_address', 'gp_registration', 'referral', 'outpatient_appointment', 'admission', 'diagnosis', 'procedure', 'allergy', 'lab_result']),
    );
    const loaded = await loadContract(FILE);
    expect(Object.keys(loaded.crosswalks)).toHaveLength(8);
  });

  it('pins exactly the schema the generator writes', async () => {
    const contract = contractSchema.parse(parseYaml(await readFile(FILE, 'utf8')));
    expect(contract.source.tables).toEqual(toSourceTables());
  });

  it('upserts every target table on its primary key and explains every field', async () => {
    const contract = contractSchema.parse(parseYaml(await readFile(FILE, 'utf8')));
    for (const [name, m] of Object.entries(contract.mappings)) {
      expect(m.load, name).toBe('upsert');
      const target = contract.target.tables[name];
      expect(Object.keys(m.fields).sort(), name).toEqual(Object.keys(target.columns).sort());
      for (const [field, f] of Object.entries(m.fields)) {
        expect(f.rationale.length, `${name}.${field}`).toBeGreaterThan(20);
        const from = typeof f.from === 'string' ? [f.from] : (f.from ?? []);
        for (const col of from) expect(contract.source.tables[m.source].columns, `${name}.${field}`).toHaveProperty(col);
      }
    }
  });

  it('guards every injectable defect with a rule, a strict parse, a crosswalk or a required lookup', async () => {
    const contract = contractSchema.parse(parseYaml(await readFile(FILE, 'utf8')));
    const fieldFrom = (mapping: string, column: string) => Object.values(contract.mappings[mapping].fields).find((f) => f.from === column)!;
    const rules = (mapping: string, column: string) => fieldFrom(mapping, column).rules.map((r) => ruleParts(r).name);
    const steps = (mapping: string, column: string) => fieldFrom(mapping, column).steps.map((s) => stepParts(s));
    expect(rules('patient', 'PAT_NHSNO')).toEqual(['required', 'nhs_number']);
    expect(rules('patient_address', 'ADDR_PCODE')).toContain('postcode');
    expect(rules('patient', 'PAT_DOB')).toEqual(['required', 'date']);
    expect(contract.mappings.patient.row_rules.map((r) => r.name)).toContain('death_on_or_after_birth');
    expect(contract.mappings.admission.row_rules.map((r) => r.name)).toContain('discharge_on_or_after_admission');
    for (const [m, c] of [
      ['patient', 'PAT_SURNAME'],
      ['patient_address', 'ADDR_LINE1'],
    ])
      expect(rules(m, c)).toContain('length');
    expect(rules('lab_result', 'LAB_VALUE')).toContain('range');
    for (const [m, c] of [
      ['referral', 'REF_PATID'],
      ['outpatient_appointment', 'APPT_PATID'],
      ['diagnosis', 'DIAG_SPELLID'],
      ['lab_result', 'LAB_PATID'],
    ]) {
      expect(
        steps(m, c).some((s) => s.name === 'lookup' && (s.args as { required: boolean }).required),
        `${m}.${c}`,
      ).toBe(true);
    }
    for (const [m, c] of [
      ['patient', 'PAT_DOB'],
      ['referral', 'REF_DT'],
      ['admission', 'ADM_DT'],
      ['outpatient_appointment', 'APPT_DT'],
    ]) {
      const parse = steps(m, c).find((s) => s.name === 'parse_date')!;
      expect((parse.args as { formats: string[] }).formats, `${m}.${c}`).toEqual(['dd/mm/yyyy']);
    }
  });

  it('crosswalks every local code the generator writes', async () => {
    const loaded = await loadContract(FILE);
    const sources = (name: string) => new Set(loaded.crosswalks[name].map((e) => e.source_code));
    const expectAll = (name: string, codes: string[]) => {
      const known = sources(name);
      expect(
        codes.filter((c) => !known.has(c)),
        name,
      ).toEqual([]);
    };
    expectAll(
      'person_stated_gender',
      SEX_CODES.map((c) => c.code),
    );
    expectAll(
      'ethnic_category',
      ETHNIC_CODES.map((c) => c.code),
    );
    expectAll('marital_status', [...MARITAL_CODES.map((c) => c.code), MARITAL_CHILD]);
    expectAll(
      'admission_method',
      ADMISSION_METHODS.map((c) => c.code),
    );
    expectAll('discharge_method', [...DISCHARGE_METHODS.map((c) => c.code), DISCHARGE_DIED]);
    expectAll(
      'attendance_status',
      APPOINTMENT_STATUSES.map((c) => c.code),
    );
    expectAll(
      'outcome_of_attendance',
      APPOINTMENT_OUTCOMES.map((c) => c.code),
    );
    expectAll(
      'treatment_function',
      SPECIALTIES.map((s) => s.code),
    );
    // The codes the unmapped-code defect writes must stay unknown to every crosswalk.
    for (const name of Object.keys(loaded.crosswalks)) for (const bad of ['Q', 'Z9', 'XX', 'QQ', 'QRY']) expect(sources(name).has(bad)).toBe(false);
  });
});
