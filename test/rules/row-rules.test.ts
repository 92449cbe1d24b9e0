import { describe, expect, it } from 'vitest';
import type { Value } from '../../src/connectors/connector.js';
import { rowRuleSchema } from '../../src/contract/model.js';
import { FerryError } from '../../src/errors.js';
import { compareValues, compileRowRule } from '../../src/rules/row-rules.js';

const fields = ['admitted', 'discharged', 'dob', 'weight', 'code'];
const indexOf = (f: string) => fields.indexOf(f);
const row = (r: Partial<Record<string, Value>>): Value[] => fields.map((f) => r[f] ?? null);

function compare(left: string, op: string, right: string, severity?: string) {
  return compileRowRule(rowRuleSchema.parse({ name: 'ordered', compare: { left, op, right }, ...(severity ? { severity } : {}) }), indexOf);
}

describe('compare row rule', () => {
  it('passes when the relation holds and names both fields when it does not', () => {
    const check = compare('admitted', '<=', 'discharged');
    expect(check(row({ admitted: '2024-01-01', discharged: '2024-01-03' }))).toBeNull();
    expect(check(row({ admitted: '2024-01-04', discharged: '2024-01-03' }))).toEqual({
      rule: 'admitted, discharged: ordered',
      reasonCode: 'row_rule.ordered',
      severity: 'error',
      message: 'admitted <= discharged does not hold',
    });
  });

  it('passes when either side is missing', () => {
    const check = compare('admitted', '<', 'discharged');
    expect(check(row({ admitted: '2024-01-04' }))).toBeNull();
    expect(check(row({ discharged: '2024-01-04' }))).toBeNull();
    expect(check(row({ admitted: ' ', discharged: '2024-01-01' }))).toBeNull();
  });

  it('compares a date with a timestamp and timestamps across zones by instant', () => {
    const check = compare('admitted', '<=', 'discharged');
    expect(check(row({ admitted: '2024-01-03', discharged: '2024-01-03T09:00:00' }))).toBeNull();
    expect(check(row({ admitted: '2024-06-01T10:30:00+01:00', discharged: '2024-06-01T09:45:00Z' }))).toBeNull();
    expect(check(row({ admitted: '2024-06-01 10:30:00', discharged: '2024-06-01T10:00:00' }))).not.toBeNull();
  });

  it('compares numbers numerically, even when they travel as text', () => {
    const check = compare('weight', '>', 'code');
    expect(check(row({ weight: '10', code: '9' }))).toBeNull();
    expect(check(row({ weight: 9, code: '10' }))).not.toBeNull();
    expect(check(row({ weight: 2n ** 60n + 1n, code: 2n ** 60n }))).toBeNull();
  });

  it('refuses to compare a date with free text instead of guessing', () => {
    const check = compare('admitted', '<', 'discharged');
    expect(check(row({ admitted: '2024-01-01', discharged: 'UNKNOWN' }))?.message).toBe('admitted and discharged cannot be compared: they are not both numbers, both dates or both text');
  });

  it('supports every operator', () => {
    const cases: [string, boolean][] = [
      ['<', false],
      ['<=', true],
      ['>', false],
      ['>=', true],
      ['=', true],
      ['!=', false],
    ];
    for (const [op, holds] of cases) {
      expect(compare('code', op, 'weight')(row({ code: 'A', weight: 'A' })) === null).toBe(holds);
    }
  });

  it('takes its severity from the rule', () => {
    expect(compare('weight', '<', 'code', 'warning')(row({ weight: 2, code: 1 }))?.severity).toBe('warning');
  });

  it('refuses a field the row does not have when compiling', () => {
    expect(() => compare('admitted', '<', 'nope')).toThrow(FerryError);
  });
});

describe('compareValues', () => {
  it('orders plain text by code unit and booleans false first', () => {
    expect(compareValues('ABC', 'ABD')).toBe(-1);
    expect(compareValues(true, false)).toBe(1);
    expect(compareValues(true, 'true')).toBeNull();
  });
});

describe('age row rule', () => {
  const rule = (age: Record<string, unknown>) => rowRuleSchema.parse({ name: 'plausible_age', age: { birth: 'dob', ...age } });

  it('checks completed years at the event date', () => {
    const check = compileRowRule(rule({ at: 'admitted', min: 18 }), indexOf);
    expect(check(row({ dob: '2000-06-15', admitted: '2018-06-15' }))).toBeNull();
    expect(check(row({ dob: '2000-06-15', admitted: '2018-06-14' }))).toEqual({
      rule: 'dob, admitted: plausible_age',
      reasonCode: 'row_rule.plausible_age',
      severity: 'error',
      message: 'age on admitted is below 18 years',
    });
  });

  it('uses the injected clock when there is no event date', () => {
    const check = compileRowRule(rule({}), indexOf, { today: () => '2025-03-10' });
    expect(check(row({ dob: '1899-03-11' }))).toBeNull();
    expect(check(row({ dob: '1899-03-10' }))?.message).toBe('age today is above 125 years');
    expect(check(row({ dob: '2025-03-11' }))?.message).toBe('age today is below 0 years');
  });

  it('passes when the birth or event date is missing', () => {
    const check = compileRowRule(rule({ at: 'admitted' }), indexOf);
    expect(check(row({ admitted: '2024-01-01' }))).toBeNull();
    expect(check(row({ dob: '2000-01-01' }))).toBeNull();
  });

  it('fails dates that are not ISO without echoing them', () => {
    const check = compileRowRule(rule({ at: 'admitted' }), indexOf);
    expect(check(row({ dob: '15/06/2000', admitted: '2024-01-01' }))?.message).toBe('dob is not an ISO date');
    expect(check(row({ dob: '2000-06-15', admitted: '2023-02-29' }))?.message).toBe('admitted is not an ISO date');
  });
});
