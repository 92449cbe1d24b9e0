import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../src/connectors/connector.js';
import { rowRuleSchema } from '../../src/contract/model.js';
import { FerryError } from '../../src/errors.js';
import { isValidLoinc } from '../../src/rules/loinc.js';
import { compileRowRule } from '../../src/rules/row-rules.js';

const fields = ['loinc_code', 'result_value', 'units'];
const indexOf = (f: string) => fields.indexOf(f);
const row = (code: Value, value: Value, unit: Value = null): Value[] => [code, value, unit];

type Ranges = Record<string, { min: number; max: number; unit?: string }>;

function labRange(ranges: Ranges, options: { unit?: boolean; severity?: 'error' | 'warning' } = {}) {
  const rule = rowRuleSchema.parse({
    name: 'plausible_result',
    lab_range: { code: 'loinc_code', value: 'result_value', ...(options.unit === false ? {} : { unit: 'units' }), ranges },
    ...(options.severity ? { severity: options.severity } : {}),
  });
  return compileRowRule(rule, indexOf);
}

const POTASSIUM: Ranges = { '2823-3': { min: 1.0, max: 10.0, unit: 'mmol/L' } };

const outside = {
  rule: 'result_value: plausible_result',
  reasonCode: 'row_rule.plausible_result',
  severity: 'error',
  message: 'result_value is outside the physiological range configured for its loinc_code',
};

describe('lab_range row rule', () => {
  it('passes a result within the range, bounds included', () => {
    const check = labRange(POTASSIUM);
    for (const v of [4.2, '4.2', 1, '10.0', 10n]) expect(check(row('2823-3', v, 'mmol/L')), String(v)).toBeNull();
  });

  it('fails a result below the minimum or above the maximum, naming the fields but never the value', () => {
    const check = labRange(POTASSIUM);
    expect(check(row('2823-3', 0.9, 'mmol/L'))).toEqual(outside);
    expect(check(row('2823-3', '42', 'mmol/L'))).toEqual(outside);
    expect(check(row('2823-3', -4.2, 'mmol/L'))).toEqual(outside);
    expect(JSON.stringify(check(row('2823-3', '42', 'mmol/L')))).not.toContain('42');
  });

  it('passes a code that has no configured range', () => {
    expect(labRange(POTASSIUM)(row('2951-2', 9999, 'mmol/L'))).toBeNull();
  });

  it('passes a result in another unit than the range, since the range cannot be applied to it', () => {
    // 45 mg/dL is not a potassium concentration in mmol/L; converting units is not this rule's job.
    expect(labRange(POTASSIUM)(row('2823-3', 45, 'mg/dL'))).toBeNull();
  });

  it('applies the range when the unit differs only in case or spacing, or is blank', () => {
    const check = labRange(POTASSIUM);
    expect(check(row('2823-3', 42, 'mmol/l'))).toEqual(outside);
    expect(check(row('2823-3', 42, ' MMOL/L '))).toEqual(outside);
    expect(check(row('2823-3', 42, null))).toEqual(outside);
    expect(check(row('2823-3', 42, ''))).toEqual(outside);
  });

  it('applies a range without a unit whatever the result unit, and ignores units when the rule names no unit field', () => {
    expect(labRange({ '6301-6': { min: 0.5, max: 20 } })(row('6301-6', 35, 'ratio'))).toEqual(outside);
    expect(labRange(POTASSIUM, { unit: false })(row('2823-3', 42, 'mg/dL'))).toEqual(outside);
  });

  it('fails a non-numeric result for a code with a range', () => {
    const check = labRange(POTASSIUM);
    for (const v of ['<0.5', 'haemolysed', '4,2', true]) {
      expect(check(row('2823-3', v, 'mmol/L')), String(v)).toEqual({ ...outside, message: 'result_value is not a number, so its range cannot be checked' });
    }
  });

  it('passes blank codes and blank results: completeness is reported by required, not here', () => {
    const check = labRange(POTASSIUM);
    expect(check(row(null, 42, 'mmol/L'))).toBeNull();
    expect(check(row('  ', 42, 'mmol/L'))).toBeNull();
    expect(check(row('2823-3', null, 'mmol/L'))).toBeNull();
    expect(check(row('2823-3', '', 'mmol/L'))).toBeNull();
  });

  it('matches codes ignoring case and surrounding spaces', () => {
    const check = labRange({ na: { min: 90, max: 200 }, ' 2823-3 ': { min: 1, max: 10 } });
    expect(check(row('NA ', 250))).toEqual(outside);
    expect(check(row('Na', 140))).toBeNull();
    expect(check(row('2823-3', 42))).toEqual(outside);
  });

  it('reports with the rule severity', () => {
    expect(labRange(POTASSIUM, { severity: 'warning' })(row('2823-3', 42, 'mmol/L'))).toEqual({ ...outside, severity: 'warning' });
  });

  it('refuses a rule naming a field the row does not have', () => {
    const rule = rowRuleSchema.parse({ name: 'r', lab_range: { code: 'loinc', value: 'result_value', ranges: POTASSIUM } });
    expect(() => compileRowRule(rule, indexOf)).toThrow(FerryError);
  });
});

describe('shipped physiological range table (reference/lab-ranges.csv)', () => {
  const file = fileURLToPath(new URL('../../reference/lab-ranges.csv', import.meta.url));

  async function shipped(): Promise<Array<{ loinc: string; unit: string; min: string; max: string; analyte: string }>> {
    return parse(await readFile(file), { columns: true });
  }

  it('lists valid LOINC codes once each, with min below max', async () => {
    const rows = await shipped();
    expect(rows.length).toBeGreaterThanOrEqual(15);
    expect(new Set(rows.map((r) => r.loinc)).size).toBe(rows.length);
    for (const r of rows) {
      expect(isValidLoinc(r.loinc), r.loinc).toBe(true);
      expect(Number(r.min), r.loinc).toBeLessThan(Number(r.max));
      expect(r.analyte.trim(), r.loinc).not.toBe('');
    }
  });

  it('once copied into a contract, passes abnormal-but-possible results and fails impossible ones', async () => {
    const ranges: Ranges = Object.fromEntries((await shipped()).map((r) => [r.loinc, { min: Number(r.min), max: Number(r.max), ...(r.unit ? { unit: r.unit } : {}) }]));
    const check = labRange(ranges);
    // Severe hypokalaemia and hyperkalaemia are clinically possible; 42 mmol/L is a keying error.
    expect(check(row('2823-3', 1.9, 'mmol/L'))).toBeNull();
    expect(check(row('2823-3', 8.1, 'mmol/L'))).toBeNull();
    expect(check(row('2823-3', 42, 'mmol/L'))).toEqual(outside);
    // Haemoglobin in g/L: 45 is very low but real; 1450 is g/dL read as g/L times 100.
    expect(check(row('718-7', 45, 'g/L'))).toBeNull();
    expect(check(row('718-7', 1450, 'g/L'))).toEqual(outside);
    expect(check(row('2951-2', 85, 'mmol/L'))).toEqual(outside);
    expect(check(row('14682-9', 4500, 'umol/L'))).toEqual(outside);
    expect(check(row('14749-6', 0.2, 'mmol/L'))).toEqual(outside);
  });
});
