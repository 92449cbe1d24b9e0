import { describe, expect, it } from 'vitest';
import type { Rule } from '../../src/contract/model.js';
import { ruleSchema } from '../../src/contract/model.js';
import { FerryError } from '../../src/errors.js';
import { compileFieldRules } from '../../src/rules/compile.js';

const today = () => '2025-03-10';
const rules = (...r: unknown[]): Rule[] => r.map((x) => ruleSchema.parse(x));

describe('compileFieldRules', () => {
  it('names the field and rule, and uses rule.<name> as the reason code', () => {
    const [check] = compileFieldRules('nhs_number', rules('nhs_number'));
    expect(check('9434765918')).toEqual({
      rule: 'nhs_number: nhs_number',
      reasonCode: 'rule.nhs_number',
      severity: 'error',
      message: 'NHS number check digit does not match',
    });
    expect(check('943 476 5919')).toBeNull();
  });

  it('never puts the value in a failure message', () => {
    const values = ['9434765918', 'SW1A 1AQQ', '22298007', '2160-1', 'J45.XX', 'W40.12', '2099-01-01', 'RX1A', '12'];
    const checks = compileFieldRules(
      'f',
      rules(
        'nhs_number',
        'postcode',
        'snomed_ct',
        'dmd',
        'loinc',
        'icd10',
        'opcs4',
        'date',
        'ods_code',
        { length: { min: 5 } },
        { regex: { pattern: '^x' } },
        { enum: { values: ['a'] } },
        { range: { max: 1 } },
        { type: { type: 'date' } },
      ),
      { today },
    );
    for (const v of values) {
      for (const check of checks) {
        const f = check(v);
        if (f) expect(f.message).not.toContain(v);
      }
    }
  });

  it('takes the severity from the rule', () => {
    const [check] = compileFieldRules('postcode', rules({ postcode: {}, severity: 'warning' }));
    expect(check('NOT A POSTCODE')).toMatchObject({ severity: 'warning', reasonCode: 'rule.postcode' });
  });

  it('lets every rule but required pass missing values', () => {
    const checks = compileFieldRules(
      'x',
      rules(
        'nhs_number',
        'postcode',
        'ods_code',
        'snomed_ct',
        'dmd',
        'icd10',
        'opcs4',
        'loinc',
        'date',
        { type: { type: 'integer' } },
        { length: { min: 2 } },
        { enum: { values: ['a'] } },
        { range: { min: 1 } },
        { regex: { pattern: 'x' } },
      ),
      { today },
    );
    for (const blank of [null, '', '   ']) {
      for (const check of checks) expect(check(blank)).toBeNull();
    }
    const [required] = compileFieldRules('x', rules('required'));
    for (const blank of [null, '', '   ']) expect(required(blank)).toMatchObject({ reasonCode: 'rule.required' });
    expect(required('a')).toBeNull();
  });

  it('says which part of an identifier is wrong', () => {
    const [nhs, snomed, loinc] = compileFieldRules('code', rules('nhs_number', 'snomed_ct', 'loinc'));
    expect(nhs('12345')?.message).toBe('NHS number is not 10 digits (optionally grouped 3-3-4)');
    expect(snomed('22298007')?.message).toBe('SNOMED CT concept id check digit does not match');
    expect(snomed('012345')?.message).toBe('SNOMED CT concept id is not 6 to 18 digits without a leading zero');
    expect(loinc('2160-1')?.message).toBe('LOINC check digit does not match');
    expect(loinc('2160')?.message).toBe('LOINC code is not in the form NNNNN-N');
  });

  it('checks codes held as numbers by their text form', () => {
    const [nhs] = compileFieldRules('nhs_number', rules('nhs_number'));
    expect(nhs(9434765919)).toBeNull();
    expect(nhs(true)).toMatchObject({ message: 'NHS number is not text' });
  });

  it('checks the kind of ODS code the rule asks for', () => {
    const [gp] = compileFieldRules('practice', rules({ ods_code: { kind: 'gp_practice' } }));
    expect(gp('A81001')).toBeNull();
    expect(gp('RX1')?.message).toBe('ODS gp practice code is not in a valid format');
  });

  it('checks dates against the injected clock and the minimum', () => {
    const [date] = compileFieldRules('dob', rules('date'), { today });
    expect(date('2025-03-10')).toBeNull();
    expect(date('2025-03-11')?.message).toBe('date is in the future');
    expect(date('1879-12-31')?.message).toBe('date is before 1880-01-01');
    expect(date('2025-02-29')?.message).toBe('date does not exist in the calendar');
    expect(date('10/03/2025')?.message).toBe('date is not an ISO date (YYYY-MM-DD, optionally with a time)');
    expect(date(20250310)?.message).toBe('date is not an ISO date (YYYY-MM-DD, optionally with a time)');
  });

  it('allows future dates when not_future is off and honours a custom minimum', () => {
    const [date] = compileFieldRules('appointment', rules({ date: { not_future: false, min: '2000-01-01' } }), { today });
    expect(date('2030-01-01')).toBeNull();
    expect(date('1999-12-31')?.message).toBe('date is before 2000-01-01');
  });

  it('reads the clock on every check, so a long run sees the date change', () => {
    let now = '2025-03-10';
    const [date] = compileFieldRules('dob', rules('date'), { today: () => now });
    expect(date('2025-03-11')).not.toBeNull();
    now = '2025-03-11';
    expect(date('2025-03-11')).toBeNull();
  });

  it('returns the same failure object for repeated failures', () => {
    const [check] = compileFieldRules('nhs_number', rules('nhs_number'));
    expect(check('9434765918')).toBe(check('9434765917'));
  });

  it('applies argument defaults to rules built in code', () => {
    const [date] = compileFieldRules('dob', [{ date: {} } as unknown as Rule], { today });
    expect(date('1800-01-01')?.message).toBe('date is before 1880-01-01');
    expect(date('2030-01-01')?.message).toBe('date is in the future');
  });

  it('refuses invalid rule arguments and unknown rules when compiling', () => {
    expect(() => compileFieldRules('x', [{ length: { min: -1 } } as unknown as Rule])).toThrow(FerryError);
    expect(() => compileFieldRules('x', [{ regex: { pattern: '[' } } as unknown as Rule])).toThrow(/x\.rules\[0\]/);
    expect(() => compileFieldRules('x', ['no_such_rule' as unknown as Rule])).toThrow(FerryError);
  });
});
