import { describe, expect, it } from 'vitest';
import type { Value } from '../../src/connectors/connector.js';
import { STEP_ARGS, type StepName } from '../../src/contract/model.js';
import { keepsCleanText, type CleanTextContext } from '../../src/transform/clean-text.js';
import { compileField, isFailure } from '../../src/transform/compile.js';
import { COLUMNS, context, entries, field } from './harness.js';

const crosswalks = { sex: entries({ M: '1', F: '2' }), odd: entries({ X: 'a\\b' }) };
const ctx: CleanTextContext = { crosswalks, ownColumn: (ref) => ref !== 'P.NAME' };
const keeps = (spec: Record<string, unknown>) => keepsCleanText(field(spec), ctx);

// One clean configuration per step, as a contract would write it.
const CLEAN_STEPS: Record<StepName, unknown> = {
  trim: 'trim',
  upper: 'upper',
  lower: 'lower',
  title: 'title',
  null_if: { null_if: ['UNKNOWN'] },
  default: { default: 'none' },
  parse_date: { parse_date: { formats: ['dd/mm/yyyy', 'yyyymmdd'] } },
  format_date: { format_date: { format: 'dd/mm/yyyy' } },
  to_integer: 'to_integer',
  to_decimal: { to_decimal: { scale: 2 } },
  substring: { substring: { start: 1, length: 3 } },
  pad: { pad: { length: 12, char: '0' } },
  concat: { concat: { columns: ['B'], separator: ', ' } },
  split: { split: { separator: ' ', index: 1 } },
  regex_replace: { regex_replace: { pattern: '(\\w+) (\\w+)', replacement: '$2-$1' } },
  map: { map: { values: { M: 'male' }, default: 'other' } },
  crosswalk: { crosswalk: 'sex' },
  coalesce: { coalesce: { columns: ['C'] } },
  lookup: { lookup: { table: 'practice', key: 'id', value: 'ods' } },
};

describe('keepsCleanText', () => {
  it('accepts every step whose output is input characters, digits or clean contract text', () => {
    const answers = Object.fromEntries(Object.entries(CLEAN_STEPS).map(([name, step]) => [name, keeps({ from: 'A', steps: [step] })]));
    // A lookup's values come from another table, unseen when the contract is compiled.
    expect(answers).toEqual({ ...Object.fromEntries(Object.keys(STEP_ARGS).map((n) => [n, true])), lookup: false });
  });

  it('refuses a field that can add a backslash, tab, newline or carriage return from the contract', () => {
    for (const step of [
      { default: 'a\\b' },
      { format_date: { format: 'dd\tmm\tyyyy' } },
      { pad: { length: 4, char: '\t' } },
      { concat: { columns: ['B'], separator: '\n' } },
      { regex_replace: { pattern: ' ', replacement: '\\' } },
      { map: { values: { M: 'a\rb' } } },
      { map: { values: { M: 'm' }, default: 'x\ty' } },
      { crosswalk: 'odd' },
      { crosswalk: 'unknown' },
    ]) {
      expect(keeps({ from: 'A', steps: [step] }), JSON.stringify(step)).toBe(false);
    }
    expect(keeps({ value: 'a\nb' })).toBe(false);
    expect(keeps({ from: 'A', default: 'c:\\temp' })).toBe(false);
    expect(keeps({ from: 'A', crosswalk: 'odd' })).toBe(false);
    expect(keeps({ from: 'A', crosswalk: 'sex', default: 0 })).toBe(true);
  });

  it('refuses values read from joined tables, whose rows were not vouched for', () => {
    expect(keeps({ from: 'P.NAME' })).toBe(false);
    expect(keeps({ from: ['A', 'P.NAME'] })).toBe(false);
    expect(keeps({ from: 'A', steps: [{ concat: { columns: ['P.NAME'] } }] })).toBe(false);
    expect(keeps({ from: 'A', steps: [{ coalesce: { columns: ['P.NAME'] } }] })).toBe(false);
  });

  it('agrees with the steps themselves: a kept field never turns clean input into text that needs escaping', () => {
    const inputs: Value[] = ["  o'brien-SMITH  ", '07/03/1984', '19840307', 'UNKNOWN', 'M', 'F', '', ' ', '0042', '12.345', 'naïve é ß İ 😀', '1984-03-07', 'a b c'];
    const cctx = context({ crosswalks, crosswalkRefs: {} });
    for (const [name, step] of Object.entries(CLEAN_STEPS)) {
      if (!keeps({ from: 'A', steps: [step] })) continue;
      const program = compileField('f', field({ from: 'A', steps: [step] }), cctx);
      for (const a of inputs) {
        for (const other of ['x y', null]) {
          const out = program(COLUMNS.map((_, i) => (i === 0 ? a : other)));
          if (isFailure(out) || out === null) continue;
          expect(/[\\\t\n\r]/.test(String(out)), `${name} on ${JSON.stringify(a)}`).toBe(false);
        }
      }
    }
  });
});
