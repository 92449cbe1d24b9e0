import { describe, expect, it } from 'vitest';
import { createQualityCollector } from '../../src/quality/collector.js';
import { baseContract, counts, feed, outcome } from './helpers.js';

type Row = (string | number | null)[];
const pat = (id: number, nhs: string | null, fam: string, given: string, dob: string | null, pc: string | null): Row => [id, nhs, fam, given, dob, pc];

describe('uniqueness', () => {
  it('counts later rows repeating the target key, not the first', () => {
    const loaded = baseContract();
    const c = createQualityCollector(loaded, { tier: 'pre_production' });
    feed(
      c,
      outcome(
        loaded,
        'medication',
        [
          [1, 1, 'a'],
          [2, 1, 'b'],
        ],
        ['A', 'B'],
      ),
    );
    feed(
      c,
      outcome(
        loaded,
        'medication',
        [
          [1, 1, 'c'],
          [3, 1, 'd'],
          [1, 1, 'e'],
        ],
        ['C', 'D', 'E'],
      ),
    );
    const q = c.result([counts('medication', 5, 5, 0)]);
    expect(q.tables[0].kpis.uniqueness).toMatchObject({ numerator: 3, denominator: 5 });
    expect(q.tableRules.find((r) => r.table === 'medication' && r.kind === 'key')).toMatchObject({ failures: 2, fields: ['medication_id'], exampleKeys: [{ sourceKey: 'C' }, { sourceKey: 'E' }] });
  });

  it('checks each unique field set, ignoring rows with a missing part', () => {
    const loaded = baseContract({}, { table_rules: [{ name: 'one_nhs', unique: ['nhs_number'] }] });
    const c = createQualityCollector(loaded, { tier: 'pre_production' });
    feed(
      c,
      outcome(loaded, 'patient', [pat(1, '111', 'A', 'a', null, null), pat(2, '111', 'B', 'b', null, null), pat(3, '', 'C', 'c', null, null), pat(4, '', 'D', 'd', null, null)], ['1', '2', '3', '4']),
    );
    const q = c.result([counts('patient', 4, 4, 0)]);
    expect(q.tableRules.find((r) => r.rule === 'one_nhs')).toMatchObject({ kind: 'unique', failures: 1, exampleKeys: [{ sourceKey: '2', sourceTable: 'PAT' }] });
    expect(q.tables[0].kpis.uniqueness).toMatchObject({ numerator: 3, denominator: 4 });
  });

  it('reports warning-severity table rules without counting them against the KPI', () => {
    const loaded = baseContract({}, { table_rules: [{ name: 'one_nhs', unique: ['nhs_number'], severity: 'warning' }] });
    const c = createQualityCollector(loaded, { tier: 'pre_production' });
    feed(c, outcome(loaded, 'patient', [pat(1, '111', 'A', 'a', null, null), pat(2, '111', 'B', 'b', null, null)], ['1', '2']));
    const q = c.result([counts('patient', 2, 2, 0)]);
    expect(q.tableRules.find((r) => r.rule === 'one_nhs')).toMatchObject({ severity: 'warning', failures: 1 });
    expect(q.tables[0].kpis.uniqueness.value).toBe(1);
  });
});

describe('duplicate patients', () => {
  const loaded = baseContract(
    {},
    {
      table_rules: [
        { name: 'same_person', duplicate_patient: { nhs_number: 'nhs_number', family_name: 'family_name', given_name: 'given_name', date_of_birth: 'date_of_birth', postcode: 'postcode' } },
      ],
    },
  );

  function run(rows: Row[]) {
    const c = createQualityCollector(loaded, { tier: 'pre_production' });
    feed(
      c,
      outcome(
        loaded,
        'patient',
        rows,
        rows.map((r) => `P${r[0]}`),
      ),
    );
    const q = c.result([counts('patient', rows.length, rows.length, 0)]);
    return q.tableRules.find((r) => r.rule === 'same_person')!;
  }

  it('flags the later row holding an NHS number already seen', () => {
    const r = run([pat(1, '9990000018', 'Smith', 'Ann', '1950-01-01', 'LS1 4AP'), pat(2, '9990000018', 'Jones', 'Bob', '1960-02-02', 'M1 1AE')]);
    expect(r).toMatchObject({ failures: 1, exampleKeys: [{ sourceKey: 'P2' }] });
  });

  it('flags the same name, birth date and postcode under a different NHS number, ignoring case and spacing', () => {
    const r = run([pat(1, '9990000018', 'Smith', 'Ann', '1950-01-01', 'LS1 4AP'), pat(2, '9990000026', ' SMITH ', 'ann', '1950-01-01', 'ls14ap')]);
    expect(r).toMatchObject({ failures: 1, exampleKeys: [{ sourceKey: 'P2' }] });
  });

  it('does not flag namesakes born on another day or living elsewhere', () => {
    const r = run([
      pat(1, '9990000018', 'Smith', 'Ann', '1950-01-01', 'LS1 4AP'),
      pat(2, '9990000026', 'Smith', 'Ann', '1950-01-02', 'LS1 4AP'),
      pat(3, '9990000034', 'Smith', 'Ann', '1950-01-01', 'LS2 4AP'),
      pat(4, '9990000042', 'Smith', 'Ann', null, 'LS1 4AP'),
      pat(5, '9990000050', 'Smith', 'Ann', null, 'LS1 4AP'),
    ]);
    expect(r.failures).toBe(0);
  });

  it('counts a row matching on both NHS number and demographics once', () => {
    const r = run([pat(1, '9990000018', 'Smith', 'Ann', '1950-01-01', 'LS1 4AP'), pat(2, '9990000018', 'Smith', 'Ann', '1950-01-01', 'LS1 4AP')]);
    expect(r.failures).toBe(1);
  });
  /** Every ordering of `items`. */
  function permutations<T>(items: readonly T[]): T[][] {
    if (items.length <= 1) return [[...items]];
    return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
  }

  it('names and counts the same repeats whatever order the rows arrive in: those a read in key order finds', () => {
    // P1 and P2 share an NHS number, P1 and P3 the person, P4 and P5 both; P6 matches nobody.
    const rows = [
      pat(1, '9990000018', 'Smith', 'Ann', '1950-01-01', 'LS1 4AP'),
      pat(2, '9990000018', 'Jones', 'Bob', '1960-02-02', 'M1 1AE'),
      pat(3, '9990000026', 'Smith', 'Ann', '1950-01-01', 'LS1 4AP'),
      pat(4, '9990000034', 'Brown', 'Cy', '1970-03-03', 'B1 1AA'),
      pat(5, '9990000034', 'Brown', 'Cy', '1970-03-03', 'B1 1AA'),
      pat(6, '9990000042', 'Green', 'Di', '1980-04-04', 'S1 2HE'),
    ];
    for (const order of permutations(rows)) {
      const r = run(order);
      expect(r, order.map((x) => x[0]).join(',')).toMatchObject({ failures: 3, exampleKeys: [{ sourceKey: 'P2' }, { sourceKey: 'P3' }, { sourceKey: 'P5' }] });
    }
  });

  it('counts a row against the KPI once when another rule failed it before a lower key named it a duplicate', () => {
    const c = createQualityCollector(loaded, { tier: 'pre_production' });
    // P9 and P8 share the target key (P8 repeats it, arriving second); P1 then makes P8 a duplicate patient too.
    const rows = [
      pat(5, '9990000018', 'Smith', 'Ann', '1950-01-01', 'LS1 4AP'),
      pat(5, '9990000026', 'Jones', 'Bob', '1960-02-02', 'M1 1AE'),
      pat(6, '9990000026', 'Green', 'Di', '1980-04-04', 'S1 2HE'),
    ];
    feed(c, outcome(loaded, 'patient', rows, ['P9', 'P8', 'P1']));
    const q = c.result([counts('patient', 3, 3, 0)]);
    expect(q.tableRules.find((r) => r.rule === 'same_person')).toMatchObject({ failures: 1, exampleKeys: [{ sourceKey: 'P8' }] });
    expect(q.tableRules.find((r) => r.kind === 'key')).toMatchObject({ failures: 1, exampleKeys: [{ sourceKey: 'P8' }] });
    expect(q.tables[0].kpis.uniqueness).toMatchObject({ numerator: 2, denominator: 3 });
  });
});
