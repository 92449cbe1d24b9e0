import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CONTRACT } from '../../src/cli/demo.js';
import { loadContract } from '../../src/contract/load.js';
import type { CrosswalkEntry } from '../../src/contract/model.js';
import { planLoad } from '../../src/engine/plan.js';
import { conflictRule, drugClassMatcher, shippedDrugClasses, type ConflictLevel } from '../../src/reference/drug-classes.js';
import { isValidSnomedConceptId } from '../../src/rules/snomed.js';
import { ALLERGENS, MEDICINES } from '../../src/synth/codes.js';
import { tempDir } from '../helpers/tmp.js';

const builtin = drugClassMatcher();
const level = (allergy: string, medication: string, m = builtin): ConflictLevel | undefined => {
  const a = m.allergy(allergy);
  const med = m.medication(medication);
  return a && med ? conflictRule({ classes: 'builtin' }, {}).conflict(a, med) : undefined;
};
const entry = (source_code: string, target_code: string, target_display: string, equivalence = ''): CrosswalkEntry => ({ source_code, target_code, target_display, equivalence, note: '' });

describe('the shipped drug-class table', () => {
  it('holds lower-case terms, each once per class, with SNOMED CT ids only where sourced and valid', () => {
    const t = shippedDrugClasses();
    expect(t.terms.length).toBeGreaterThan(150);
    expect(t.digest).toMatch(/^[0-9a-f]{64}$/);
    const seen = new Set<string>();
    for (const r of t.terms) {
      expect(r.term, r.term).toBe(r.term.toLowerCase().trim());
      expect(seen.has(`${r.class}/${r.term}`), r.term).toBe(false);
      seen.add(`${r.class}/${r.term}`);
      if (r.snomedCt) expect(isValidSnomedConceptId(r.snomedCt), r.term).toBe(true);
    }
    // Every identifier in the table is one the synthetic generator already uses for the same substance.
    const known = new Map(ALLERGENS.map((a) => [a.sctid, a.term.toLowerCase()]));
    for (const r of t.terms.filter((x) => x.snomedCt)) expect(known.get(r.snomedCt), r.term).toBe(r.term);
    const classes = new Set(t.terms.map((r) => r.class));
    for (const c of t.crossReactive) expect([classes.has(c.allergyClass), classes.has(c.medicationClass)]).toEqual([true, true]);
  });
});

describe('drug-class matching', () => {
  it('flags a penicillin allergy against amoxicillin, and the other classes by class word or fellow member', () => {
    expect(level('Penicillin', 'Amoxicillin 500mg capsules')).toBe('class');
    expect(level('PENICILLINS', 'Co-amoxiclav 500mg/125mg tablets')).toBe('class');
    expect(level('Amoxicillin', 'Flucloxacillin 500mg capsules')).toBe('class');
    expect(level('372687004', 'Augmentin 625mg tablets')).toBe('class');
    expect(level('NSAIDs', 'Ibuprofen 400mg tablets')).toBe('class');
    expect(level('Aspirin', 'Naproxen 250mg tablets')).toBe('class');
    expect(level('Non-steroidal anti-inflammatory drugs', 'Voltarol 50mg tablets')).toBe('class');
    expect(level('Opiates', 'Co-codamol 30mg/500mg tablets')).toBe('class');
    expect(level('Codeine', 'MST Continus 10mg tablets')).toBe('class');
    expect(level('ACE inhibitor', 'Ramipril 5mg capsules')).toBe('class');
    expect(level('Sulfa drugs', 'Co-trimoxazole 480mg tablets')).toBe('class');
    expect(level('beta-lactam antibiotics', 'Meropenem 1g powder for solution for injection')).toBe('class');
  });

  it('reports a penicillin allergy against a cephalosporin or carbapenem as the lower cross-reactive pair', () => {
    expect(level('Penicillin', 'Cefalexin 500mg capsules')).toBe('cross_reactive');
    expect(level('Amoxicillin', 'Meropenem 1g powder for solution for injection')).toBe('cross_reactive');
    expect(level('Cephalosporins', 'Amoxicillin 500mg capsules')).toBe('cross_reactive');
  });

  it('matches whole words only and knows what it does not cover', () => {
    expect(level('Penicillin', 'Paracetamol 500mg tablets')).toBeUndefined();
    expect(level('Sulfa', 'Sulfasalazine 500mg tablets')).toBeUndefined();
    expect(level('Latex', 'Amoxicillin 500mg capsules')).toBeUndefined();
    expect(level('Codeine', 'Ramipril 5mg capsules')).toBeUndefined();
    // The same substance is found in product text whether or not the table knows it (the substance-only check compares whole texts).
    expect(level('Paracetamol', 'Paracetamol 500mg tablets')).toBe('substance');
    // No clean synthetic medicine conflicts with a synthetic allergen except amoxicillin with itself, which the generator avoids.
    const pairs = ALLERGENS.flatMap((a) => MEDICINES.filter((m) => level(a.term, m.name) !== undefined).map((m) => `${a.term} / ${m.name}`));
    expect(pairs).toEqual(['Amoxicillin / Amoxicillin 500mg capsules']);
  });

  it('takes a trust extension: new members of shipped classes and new classes with their words', () => {
    const ext = drugClassMatcher({
      name: 'local_drug_classes',
      entries: [
        entry('Amoxident', 'penicillins', 'Penicillins'),
        entry('doxycycline', 'tetracyclines', 'Tetracyclines', 'narrower'),
        entry('tetracycline antibiotic', 'tetracyclines', 'Tetracyclines', 'equivalent'),
      ],
    });
    expect(level('Penicillin', 'Amoxident 250mg capsules')).toBeUndefined();
    expect(level('Penicillin', 'Amoxident 250mg capsules', ext)).toBe('class');
    expect(level('Tetracyclines', 'Doxycycline 100mg capsules', ext)).toBe('class');
    expect(level('Tetracycline antibiotic', 'Doxycycline 100mg capsules', ext)).toBe('class');
    expect(() => drugClassMatcher({ name: 'x', entries: [entry('doxycycline', 'tetracyclines', 'Tetracyclines', 'wider')] })).toThrow(/row 1: equivalence 'wider'/);
  });

  it('compares whole texts without classes', () => {
    const exact = conflictRule({}, {});
    const c = (a: string, m: string) => exact.conflict(exact.allergy(a)!, exact.medication(m)!);
    expect(c('Penicillin', ' PENICILLIN')).toBe('substance');
    expect(c('Penicillin', 'Amoxicillin')).toBeUndefined();
  });
});

describe('allergy_conflict with classes in a contract', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await tempDir()));
  afterAll(() => cleanup());

  async function variant(name: string, edit: (text: string) => string): Promise<string> {
    const copy = path.join(dir, name);
    await cp(path.dirname(EXAMPLE_CONTRACT), copy, { recursive: true });
    const file = path.join(copy, 'contract.yaml');
    await writeFile(file, edit(await readFile(file, 'utf8')));
    return file;
  }

  it('reports an unknown column, an undeclared extension and a quarantine within one table at their file, line and column', async () => {
    const file = await variant('bad', (t) =>
      t
        .replace('substance: product_name }', 'substance: product }')
        .replace('classes: builtin', 'classes: { extend: local_classes }')
        .replace('allergy: { table: allergy, patient: patient_id, substance: substance_term }', 'allergy: { table: medication, patient: patient_id, substance: dose }')
        .replace('action: warn', 'action: quarantine'),
    );
    const err = await loadContract(file).catch((e: unknown) => e);
    const issues = (err as { issues: Array<{ code: string; path: string; line?: number; column?: number; message: string }> }).issues;
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ['contract.check_unresolved', 'quality.checks[0].allergy_conflict.medication.substance'],
      ['contract.crosswalk_undeclared', 'quality.checks[0].allergy_conflict.classes.extend'],
    ]);
    for (const i of issues) expect(i.line).toBeGreaterThan(1300);
    expect(issues[0].message).toBe("substance column 'product' is not a column of target table medication");
    const same = await loadContract(
      await variant('same', (t) =>
        t.replace('table: allergy, patient: patient_id, substance: substance_term', 'table: medication, patient: patient_id, substance: dose').replace('action: warn', 'action: quarantine'),
      ),
    ).catch((e: unknown) => e);
    expect((same as { issues: Array<{ code: string }> }).issues.map((i) => i.code)).toEqual(['contract.check_quarantine_order']);
  });

  it('loads the allergy table before the medication table only when the check quarantines', async () => {
    const order = (l: Awaited<ReturnType<typeof loadContract>>) => planLoad(l.contract).find((p) => p.table === 'medication')!.after;
    expect(order(await loadContract(EXAMPLE_CONTRACT))).toEqual(['patient']);
    expect(order(await loadContract(await variant('quarantine', (t) => t.replace('action: warn', 'action: quarantine'))))).toEqual(['patient', 'allergy']);
  });
});
