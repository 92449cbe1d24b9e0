import { describe, expect, it } from 'vitest';
import { createQualityCollector } from '../../src/quality/collector.js';
import { baseContract, counts, feed, outcome } from './helpers.js';

function contract(severity: 'error' | 'warning') {
  return baseContract({
    quality: {
      thresholds: [],
      example_keys: 10,
      checks: [
        {
          name: 'allergic',
          allergy_conflict: { medication: { table: 'medication', patient: 'patient_id', substance: 'substance' }, allergy: { table: 'allergy', patient: 'patient_id', substance: 'substance' } },
          severity,
        },
      ],
    },
  });
}

describe('allergy conflicts', () => {
  it('flag a medication for a patient allergic to the same substance, ignoring case and spaces', () => {
    const loaded = contract('warning');
    const c = createQualityCollector(loaded, { tier: 'pre_production' });
    feed(
      c,
      outcome(
        loaded,
        'allergy',
        [
          [1, 1, 'Penicillin'],
          [2, 2, 'latex'],
        ],
        ['A1', 'A2'],
      ),
    );
    c.tableDone('allergy');
    feed(
      c,
      outcome(
        loaded,
        'medication',
        [
          [10, 1, '  PENICILLIN '],
          [11, 2, 'penicillin'],
          [12, 1, 'Paracetamol'],
          [13, 1, 'penicillin'],
          [14, null, 'latex'],
        ],
        ['M10', 'M11', 'M12', 'M13', 'M14'],
      ),
    );
    const q = c.result([counts('allergy', 2, 2, 0), counts('medication', 5, 5, 0)]);
    expect(q.checks).toEqual([
      {
        name: 'allergic',
        kind: 'allergy_conflict',
        severity: 'warning',
        count: 2,
        decision: 'warn',
        exampleKeys: [
          { table: 'medication', sourceTable: 'MED', sourceKey: 'M10' },
          { table: 'medication', sourceTable: 'MED', sourceKey: 'M13' },
        ],
      },
    ]);
    expect(q.decision).toBe('warn');
  });

  it('find conflicts when medications load before the allergies, and fail the gate at error severity', () => {
    const loaded = contract('error');
    const c = createQualityCollector(loaded, { tier: 'pre_production' });
    feed(
      c,
      outcome(
        loaded,
        'medication',
        [
          [10, 1, 'penicillin'],
          [11, 1, 'penicillin'],
        ],
        ['M10', 'M11'],
      ),
    );
    c.tableDone('medication');
    feed(c, outcome(loaded, 'allergy', [[1, 1, 'Penicillin']], ['A1']));
    const q = c.result([counts('medication', 2, 2, 0), counts('allergy', 1, 1, 0)]);
    expect(q.checks[0]).toMatchObject({ count: 2, decision: 'fail', exampleKeys: [{ sourceKey: 'M10' }] });
    expect(q.decision).toBe('fail');
  });

  it('pass when no patient is prescribed what they are allergic to', () => {
    const loaded = contract('error');
    const c = createQualityCollector(loaded, { tier: 'pre_production' });
    feed(c, outcome(loaded, 'allergy', [[1, 1, 'penicillin']], ['A1']));
    feed(c, outcome(loaded, 'medication', [[10, 2, 'penicillin']], ['M10']));
    expect(c.result([]).checks[0]).toMatchObject({ count: 0, decision: 'pass' });
  });
});
