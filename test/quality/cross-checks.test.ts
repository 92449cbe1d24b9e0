import { describe, expect, it } from 'vitest';
import { createQualityCollector } from '../../src/quality/collector.js';
import { baseContract, counts, feed, outcome } from './helpers.js';

/** Loads allergy rows A1, A2… (patients 1, 2…) with these substances, then finishes the table. */
function feedAllergies(c: ReturnType<typeof createQualityCollector>, loaded: Parameters<typeof outcome>[0], substances: string[]): void {
  feed(
    c,
    outcome(
      loaded,
      'allergy',
      substances.map((s, i) => [i + 1, i + 1, s]),
      substances.map((_, i) => `A${i + 1}`),
    ),
  );
  c.tableDone('allergy');
}

function contract(severity: 'error' | 'warning', exampleKeys = 10) {
  return baseContract({
    quality: {
      thresholds: [],
      example_keys: exampleKeys,
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
    expect(q.checks[0]).toMatchObject({ count: 2, decision: 'fail', exampleKeys: [{ sourceKey: 'M10' }, { sourceKey: 'M11' }] });
    expect(q.decision).toBe('fail');
  });

  it('pass when no patient is prescribed what they are allergic to', () => {
    const loaded = contract('error');
    const c = createQualityCollector(loaded, { tier: 'pre_production' });
    feed(c, outcome(loaded, 'allergy', [[1, 1, 'penicillin']], ['A1']));
    feed(c, outcome(loaded, 'medication', [[10, 2, 'penicillin']], ['M10']));
    expect(c.result([]).checks[0]).toMatchObject({ count: 0, decision: 'pass' });
  });

  it('name the same rows whichever table finishes first and whatever order the medications arrive in', () => {
    const meds = [
      [5, 1, 'penicillin'],
      [3, 1, 'Penicillin'],
      [9, 1, 'penicillin'],
      [4, 2, 'latex'],
      [1, 1, 'PENICILLIN'],
      [7, 2, 'aspirin'],
    ];
    const keys = meds.map((m) => `M${m[0]}`);
    for (const [limit, expected] of [
      [10, ['M1', 'M3', 'M4', 'M5', 'M9']],
      [2, ['M1', 'M3']],
    ] as const) {
      for (const allergiesFirst of [true, false]) {
        for (const reversed of [false, true]) {
          const loaded = contract('warning', limit);
          const c = createQualityCollector(loaded, { tier: 'pre_production' });
          const allergies = () => feedAllergies(c, loaded, ['penicillin', 'Latex']);
          if (allergiesFirst) allergies();
          feed(c, outcome(loaded, 'medication', reversed ? [...meds].reverse() : meds, reversed ? [...keys].reverse() : keys));
          if (!allergiesFirst) allergies();
          const q = c.result([counts('allergy', 2, 2, 0), counts('medication', 6, 6, 0)]);
          expect(q.checks[0].count).toBe(5);
          expect(
            q.checks[0].exampleKeys.map((k) => k.sourceKey),
            `limit ${limit}, allergies first ${allergiesFirst}, reversed ${reversed}`,
          ).toEqual(expected);
        }
      }
    }
  });
});

describe('allergy conflicts by drug class', () => {
  const classContract = (exampleKeys = 10) =>
    baseContract({
      quality: {
        thresholds: [],
        example_keys: exampleKeys,
        checks: [
          {
            name: 'allergic_by_class',
            allergy_conflict: {
              medication: { table: 'medication', patient: 'patient_id', substance: 'substance' },
              allergy: { table: 'allergy', patient: 'patient_id', substance: 'substance' },
              classes: 'builtin',
            },
            severity: 'warning',
          },
        ],
      },
    });

  it('flag class conflicts, report cross-reactive pairs apart, and name the same rows whichever table finishes first', () => {
    const meds = [
      [10, 1, 'Amoxicillin 500mg capsules'],
      [11, 1, 'Cefalexin 500mg capsules'],
      [12, 1, 'Paracetamol 500mg tablets'],
      [13, 2, 'Naproxen 250mg tablets'],
      [14, 3, 'Naproxen 250mg tablets'],
    ];
    for (const allergiesFirst of [true, false]) {
      const loaded = classContract();
      const c = createQualityCollector(loaded, { tier: 'pre_production' });
      const allergies = () => feedAllergies(c, loaded, ['PENICILLINS', 'Aspirin']);
      if (allergiesFirst) allergies();
      feed(
        c,
        outcome(
          loaded,
          'medication',
          meds,
          meds.map((m) => `M${m[0]}`),
        ),
      );
      if (!allergiesFirst) allergies();
      const q = c.result([counts('allergy', 2, 2, 0), counts('medication', 5, 5, 0)]);
      expect(q.checks[0], `allergies first ${allergiesFirst}`).toMatchObject({
        kind: 'allergy_conflict',
        count: 2,
        crossReactive: 1,
        quarantined: 0,
        match: 'class',
        action: 'warn',
        decision: 'warn',
        exampleKeys: [{ sourceKey: 'M10' }, { sourceKey: 'M13' }],
      });
    }
  });
});
