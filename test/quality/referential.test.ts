import { describe, expect, it } from 'vitest';
import { createQualityCollector } from '../../src/quality/collector.js';
import { baseContract, counts, feed, outcome } from './helpers.js';

const loaded = baseContract();
const pat = (id: number) => [id, `n${id}`, 'f', 'g', '1950-01-01', 'p'];

describe('referential integrity', () => {
  it('resolves child keys against the parent loaded earlier in the run', () => {
    const c = createQualityCollector(loaded, { tier: 'pre_production' });
    feed(c, outcome(loaded, 'patient', [pat(1), pat(2)], ['1', '2']));
    c.tableDone('patient');
    feed(
      c,
      outcome(
        loaded,
        'medication',
        [
          [10, 1, 'x'],
          [11, 3, 'x'],
          [12, null, 'x'],
          [13, 2, 'x'],
        ],
        ['M10', 'M11', 'M12', 'M13'],
      ),
    );
    const q = c.result([counts('patient', 2, 2, 0), counts('medication', 4, 4, 0)]);
    // The row without a patient id is not a reference; the one to patient 3 does not resolve.
    expect(q.tables[1].kpis.referential_integrity).toMatchObject({ numerator: 2, denominator: 3 });
    expect(q.references.find((r) => r.table === 'medication')).toMatchObject({ status: 'checked', rows: 3, resolved: 2 });
  });

  it('resolves at the end of the run when child batches arrive before the parent finished', () => {
    const c = createQualityCollector(loaded, { tier: 'pre_production', exampleKeys: 5 });
    feed(
      c,
      outcome(
        loaded,
        'medication',
        [
          [10, 1, 'x'],
          [11, 2, 'x'],
        ],
        ['M10', 'M11'],
      ),
    );
    feed(c, outcome(loaded, 'patient', [pat(1)], ['1']));
    feed(
      c,
      outcome(
        loaded,
        'medication',
        [
          [12, 2, 'x'],
          [13, 3, 'x'],
          [14, 1, 'x'],
        ],
        ['M12', 'M13', 'M14'],
      ),
    );
    feed(c, outcome(loaded, 'patient', [pat(2)], ['2']));
    feed(
      c,
      outcome(
        loaded,
        'allergy',
        [
          [20, 9, 'x'],
          [21, 9, 'x'],
        ],
        ['A20', 'A21'],
      ),
    );
    const q = c.result([counts('patient', 2, 2, 0), counts('medication', 5, 5, 0), counts('allergy', 2, 2, 0)]);
    expect(q.tables.find((t) => t.table === 'medication')!.kpis.referential_integrity).toMatchObject({ numerator: 4, denominator: 5 });
    expect(q.tables.find((t) => t.table === 'allergy')!.kpis.referential_integrity).toMatchObject({ numerator: 0, denominator: 2 });
    expect(q.overall.referential_integrity).toMatchObject({ numerator: 4, denominator: 7 });
  });

  it('names the first child row of each unresolved value as its example', () => {
    const c = createQualityCollector(baseContract({ quality: { thresholds: [{ kpi: 'referential_integrity', fail_below: 0.9 }], checks: [], example_keys: 10 } }), { tier: 'pre_production' });
    feed(
      c,
      outcome(
        loaded,
        'medication',
        [
          [10, 7, 'x'],
          [11, 7, 'x'],
          [12, 8, 'x'],
        ],
        ['M10', 'M11', 'M12'],
      ),
    );
    feed(c, outcome(loaded, 'patient', [pat(1)], ['1']));
    const q = c.result([counts('patient', 1, 1, 0), counts('medication', 3, 3, 0)]);
    const gate = q.gates.find((g) => g.table === 'medication')!;
    expect(gate).toMatchObject({ decision: 'fail', value: 0 });
    expect(gate.exampleKeys.map((k) => k.sourceKey)).toEqual(['M10', 'M12']);
  });

  it('names the lowest child row of each unresolved value, whatever order the rows arrive in', () => {
    const rows = [
      [12, 7, 'x'],
      [10, 8, 'x'],
      [11, 7, 'x'],
      [13, 8, 'x'],
    ];
    for (const order of [rows, [...rows].reverse()]) {
      const c = createQualityCollector(baseContract({ quality: { thresholds: [{ kpi: 'referential_integrity', fail_below: 0.9 }], checks: [], example_keys: 10 } }), { tier: 'pre_production' });
      feed(
        c,
        outcome(
          loaded,
          'medication',
          order,
          order.map((r) => `M${r[0]}`),
        ),
      );
      feed(c, outcome(loaded, 'patient', [pat(1)], ['1']));
      const q = c.result([counts('patient', 1, 1, 0), counts('medication', 4, 4, 0)]);
      expect(q.gates.find((g) => g.table === 'medication')!.exampleKeys.map((k) => k.sourceKey)).toEqual(['M10', 'M11']);
    }
  });
});
