import { describe, expect, it } from 'vitest';
import type { Threshold } from '../../src/contract/model.js';
import { decide, evaluateGates, worst } from '../../src/quality/gates.js';
import { ratio } from '../../src/quality/kpis.js';
import type { Kpis } from '../../src/engine/quality-report.js';
import { applyThresholds, thresholdsForTier } from '../../src/quality/thresholds.js';

const t = (x: Partial<Threshold> & Pick<Threshold, 'kpi' | 'fail_below'>): Threshold => x as Threshold;

function kpis(validity: [number, number]): Kpis {
  const na = ratio(0, 0);
  return { completeness: na, validity: ratio(...validity), referential_integrity: na, code_coverage: na, uniqueness: na, reconciliation: na };
}

describe('thresholds', () => {
  const list = [
    t({ kpi: 'validity', fail_below: 0.9 }),
    t({ kpi: 'validity', fail_below: 0.99, tiers: ['production'] }),
    t({ kpi: 'validity', table: 'patient', fail_below: 0.5, tiers: ['pre_production'] }),
  ];

  it('apply in the tiers they name, or in every tier when they name none', () => {
    expect(thresholdsForTier(list, 'staging')).toEqual([list[0]]);
    expect(thresholdsForTier(list, 'production')).toEqual([list[0], list[1]]);
    expect(thresholdsForTier(list, 'pre_production')).toEqual([list[0], list[2]]);
  });

  it('a global threshold covers the overall figure and every table without its own threshold for that KPI', () => {
    const applied = applyThresholds(list, 'pre_production', ['patient', 'address']).map((a) => [a.threshold.fail_below, a.table]);
    expect(applied).toEqual([
      [0.9, null],
      [0.9, 'address'],
      [0.5, 'patient'],
    ]);
  });

  it('a table threshold for another tier does not displace the global one', () => {
    const applied = applyThresholds(list, 'staging', ['patient']).map((a) => [a.threshold.fail_below, a.table]);
    expect(applied).toEqual([
      [0.9, null],
      [0.9, 'patient'],
    ]);
  });
});

describe('gate decisions', () => {
  const th = { fail_below: 0.9, warn_below: 0.95 };

  it('pass exactly at a threshold, warn below warn_below, fail below fail_below', () => {
    expect(decide(ratio(95, 100), th)).toBe('pass');
    expect(decide(ratio(19, 20), th)).toBe('pass');
    expect(decide(ratio(949, 1000), th)).toBe('warn');
    expect(decide(ratio(9, 10), th)).toBe('warn');
    expect(decide(ratio(899, 1000), th)).toBe('fail');
    expect(decide(ratio(1, 1), { fail_below: 1 })).toBe('pass');
    expect(decide(ratio(999, 1000), { fail_below: 1 })).toBe('fail');
  });

  it('never fails a not-applicable KPI, even against a threshold of 100%', () => {
    expect(decide(ratio(0, 0), { fail_below: 1 })).toBe('not_applicable');
  });

  it('decide the run by the worst gate', () => {
    expect(worst([])).toBe('pass');
    expect(worst(['pass', 'not_applicable'])).toBe('pass');
    expect(worst(['pass', 'warn', 'not_applicable'])).toBe('warn');
    expect(worst(['warn', 'fail', 'pass'])).toBe('fail');
  });

  it('name the figure, value, threshold and example keys of each failing gate', () => {
    const key = (k: string) => ({ table: 'patient', sourceTable: 'PAT', sourceKey: k });
    const gates = evaluateGates({
      tier: 'production',
      thresholds: [t({ kpi: 'validity', fail_below: 0.9, warn_below: 0.95 })],
      overall: kpis([93, 100]),
      tables: [
        { table: 'patient', kpis: kpis([8, 10]) },
        { table: 'address', kpis: kpis([86, 90]) },
        { table: 'empty', kpis: kpis([0, 0]) },
      ],
      examples: (table) => (table === 'patient' ? ['3', '5', '9'].map(key) : []),
      exampleLimit: 2,
    });
    expect(gates.map((g) => [g.table, g.decision])).toEqual([
      [null, 'warn'],
      ['patient', 'fail'],
      ['address', 'pass'],
      ['empty', 'not_applicable'],
    ]);
    expect(gates[1]).toMatchObject({
      kpi: 'validity',
      value: 0.8,
      numerator: 8,
      denominator: 10,
      threshold: { failBelow: 0.9, warnBelow: 0.95, table: null, tiers: null },
      exampleKeys: [key('3'), key('5')],
    });
    expect(gates[0].exampleKeys).toEqual([key('3'), key('5')]);
    expect(gates[2].exampleKeys).toEqual([]);
  });
});
