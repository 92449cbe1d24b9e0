import { describe, expect, it } from 'vitest';
import { overallKpis, ratio, sumRatios } from '../../src/quality/kpis.js';
import { createQualityCollector } from '../../src/quality/collector.js';
import { baseContract, counts, feed, outcome } from './helpers.js';

describe('KPI arithmetic', () => {
  it('is numerator over denominator', () => {
    expect(ratio(3, 4)).toEqual({ value: 0.75, status: 'measured', numerator: 3, denominator: 4 });
  });

  it('reports an empty denominator as not applicable, never 100%', () => {
    expect(ratio(0, 0)).toEqual({ value: null, status: 'not_applicable', numerator: 0, denominator: 0 });
  });

  it('weights the overall figure by rows rather than averaging table ratios', () => {
    expect(sumRatios([ratio(1, 1), ratio(0, 3)]).value).toBe(0.25);
    expect(sumRatios([ratio(0, 0), ratio(0, 0)]).status).toBe('not_applicable');
    const o = overallKpis([
      { completeness: ratio(9, 10), validity: ratio(9, 10), referential_integrity: ratio(0, 0), code_coverage: ratio(0, 0), uniqueness: ratio(10, 10), reconciliation: ratio(10, 10) },
      { completeness: ratio(0, 0), validity: ratio(1, 10), referential_integrity: ratio(5, 10), code_coverage: ratio(0, 0), uniqueness: ratio(10, 10), reconciliation: ratio(10, 10) },
    ]);
    expect(o.validity.value).toBe(0.5);
    expect(o.completeness.value).toBe(0.9);
    expect(o.referential_integrity.value).toBe(0.5);
    expect(o.code_coverage.value).toBeNull();
  });
});

describe('the collector', () => {
  const loaded = baseContract();
  const pat = (id: number, nhs: string | null, dob: string | null = '1950-01-01', fam = `F${id}`): (string | number | null)[] => [id, nhs, fam, 'Ann', dob, 'LS1 4AP'];

  it('measures completeness, validity and reconciliation over loaded and quarantined rows', () => {
    const c = createQualityCollector(loaded, { tier: 'pre_production' });
    feed(
      c,
      outcome(
        loaded,
        'patient',
        [pat(1, '1'), pat(2, '2', null), pat(3, '3')],
        ['1', '2', '3'],
        [
          { sourceKey: '4', rule: 'nhs_number: target type', reasonCode: 'target.not_null' },
          { sourceKey: '4', rule: 'date_of_birth: required', reasonCode: 'rule.required' },
          { sourceKey: '5', rule: 'nhs_number: nhs_number', reasonCode: 'rule.nhs_number' },
        ],
        ['3'],
      ),
    );
    const q = c.result([counts('patient', 6, 3, 2, 1)]);
    const t = q.tables[0];
    // Row 2 is loaded without a required date of birth (a warning-only required rule would allow it); row 4 lacks two fields.
    expect(t.kpis.completeness).toMatchObject({ numerator: 3, denominator: 5 });
    expect(t.missingByField).toEqual([
      { field: 'date_of_birth', rows: 2 },
      { field: 'nhs_number', rows: 1 },
    ]);
    // Rows 4 and 5 failed rules; row 3 raised a warning.
    expect(t.kpis.validity).toMatchObject({ numerator: 2, denominator: 5 });
    expect(t.warnedRows).toBe(1);
    expect(t.kpis.reconciliation).toMatchObject({ value: 1, numerator: 6, denominator: 6 });
    // Nothing references anything from patient and no crosswalk ran.
    expect(t.kpis.referential_integrity.status).toBe('not_applicable');
    expect(t.kpis.code_coverage.status).toBe('not_applicable');
  });

  it('reports every KPI of a table that read nothing as not applicable', () => {
    const c = createQualityCollector(loaded, { tier: 'pre_production' });
    const q = c.result([counts('patient', 0, 0, 0), counts('medication', 0, 0, 0)]);
    for (const t of q.tables) for (const k of Object.values(t.kpis)) expect(k).toMatchObject({ value: null, status: 'not_applicable' });
    for (const k of Object.values(q.overall)) expect(k.value).toBeNull();
  });

  it('counts a NOT NULL target column as a required field', () => {
    const c = createQualityCollector(loaded, { tier: 'pre_production' });
    feed(c, outcome(loaded, 'medication', [[1, null, null]], ['1']));
    const q = c.result([counts('medication', 1, 1, 0)]);
    // medication_id is NOT NULL, so it is required: the KPI applies.
    expect(q.tables[0].kpis.completeness).toMatchObject({ value: 1 });
  });

  it('measures code coverage per table and crosswalk and ranks unmapped codes', () => {
    const c = createQualityCollector(loaded, { tier: 'pre_production' });
    const obs = c.forTable('patient');
    for (const code of ['M', 'F', 'Q', 'Q', 'Z', 'M']) obs.seen('sex', code, code === 'M' || code === 'F');
    c.seen('ethnicity', 'A', true);
    feed(c, outcome(loaded, 'patient', [], [], [{ sourceKey: '7', rule: 'sex.crosswalk', reasonCode: 'crosswalk.unmapped' }]));
    const q = c.result([counts('patient', 1, 0, 1)]);
    expect(q.tables[0].kpis.code_coverage).toMatchObject({ numerator: 3, denominator: 6 });
    expect(q.overall.code_coverage).toMatchObject({ numerator: 4, denominator: 7 });
    const sex = q.crosswalks.find((x) => x.crosswalk === 'sex')!;
    expect(sex).toMatchObject({
      table: 'patient',
      seen: 6,
      mapped: 3,
      unmapped: [
        { code: 'Q', rows: 2 },
        { code: 'Z', rows: 1 },
      ],
    });
    expect(q.crosswalks.find((x) => x.crosswalk === 'ethnicity')?.table).toBeNull();
  });
});
