import { describe, expect, it } from 'vitest';
import type { Value } from '../../src/connectors/connector.js';
import { compileField } from '../../src/transform/compile.js';
import { context, entries, failure, field, run } from './harness.js';

const binary = Buffer.from([1, 2, 3]);

describe('null_if', () => {
  it('nulls legacy sentinels by exact string form', () => {
    const steps = [{ null_if: ['UNKNOWN', '01/01/1900', 99] }];
    expect(run(steps, 'UNKNOWN')).toBeNull();
    expect(run(steps, '01/01/1900')).toBeNull();
    expect(run(steps, 99)).toBeNull();
    expect(run(steps, '99')).toBeNull();
    expect(run(steps, 'Smith')).toBe('Smith');
  });

  it('matches a single sentinel by string form too, numbers included', () => {
    expect(run([{ null_if: [0] }], 0)).toBeNull();
    expect(run([{ null_if: [0] }], '0')).toBeNull();
    expect(run([{ null_if: ['0'] }], 0n)).toBeNull();
    expect(run([{ null_if: ['0'] }], 1)).toBe(1);
  });

  it('does not trim or fold case', () => {
    const steps = [{ null_if: ['UNKNOWN'] }];
    expect(run(steps, 'unknown')).toBe('unknown');
    expect(run(steps, ' UNKNOWN')).toBe(' UNKNOWN');
  });

  it('nulls blanks only when the empty string is listed', () => {
    expect(run([{ null_if: [''] }], '')).toBeNull();
    expect(run([{ null_if: [''] }], ' ')).toBe(' ');
    expect(run(['trim', { null_if: [''] }], ' ')).toBeNull();
  });

  it('passes null through and leaves binary data alone', () => {
    expect(run([{ null_if: ['x'] }], null)).toBeNull();
    expect(run([{ null_if: [''] }], binary)).toBe(binary);
  });
});

describe('default', () => {
  it('replaces null and keeps everything else, including blanks and binary data', () => {
    expect(run([{ default: 'U' }], null)).toBe('U');
    expect(run([{ default: 'U' }], 'M')).toBe('M');
    expect(run([{ default: 'U' }], '')).toBe('');
    expect(run([{ default: 0 }], binary)).toBe(binary);
  });
});

describe('map', () => {
  const SEX = [{ map: { values: { M: '1', F: '2', '9': '9' } } }];

  it('translates codes by string form', () => {
    expect(run(SEX, 'M')).toBe('1');
    expect(run(SEX, 9)).toBe('9');
  });

  it('fails on an unmapped code without a default', () => {
    expect(run(SEX, 'X', { name: 'sex' })).toMatchObject(failure('sex.map', 'transform.unmapped_value'));
    expect(run(SEX, '')).toMatchObject(failure('f.map', 'transform.unmapped_value'));
    expect(run(SEX, 'm')).toMatchObject(failure('f.map', 'transform.unmapped_value'));
  });

  it('uses the default for unmapped codes, even a null default', () => {
    expect(run([{ map: { values: { M: '1' }, default: '0' } }], 'Q')).toBe('0');
    expect(run([{ map: { values: { M: '1' }, default: null } }], 'Q')).toBeNull();
  });

  it('does not treat inherited object keys as codes', () => {
    expect(run(SEX, 'toString')).toMatchObject(failure('f.map', 'transform.unmapped_value'));
  });

  it('passes null through and fails on binary data', () => {
    expect(run(SEX, null)).toBeNull();
    expect(run(SEX, binary)).toMatchObject(failure('f.map', 'transform.type'));
  });
});

describe('crosswalk', () => {
  const GENDER = entries({ M: '1', F: '2', u: '0' });

  function observed(ci: boolean) {
    const seen: Array<[string, string, boolean]> = [];
    const ctx = context({
      crosswalks: { gender: GENDER },
      crosswalkRefs: { gender: { file: 'gender.csv', case_insensitive: ci } },
      observer: { seen: (cw, code, mapped) => seen.push([cw, code, mapped]) },
    });
    return { seen, ctx };
  }

  it('folds case and surrounding spaces when case-insensitive', () => {
    const { ctx } = observed(true);
    expect(run([{ crosswalk: 'gender' }], 'M', { ctx })).toBe('1');
    expect(run([{ crosswalk: 'gender' }], ' f ', { ctx })).toBe('2');
    expect(run([{ crosswalk: 'gender' }], 'U', { ctx })).toBe('0');
  });

  it('compares exactly when case-sensitive', () => {
    const { ctx } = observed(false);
    expect(run([{ crosswalk: 'gender' }], 'u', { ctx })).toBe('0');
    expect(run([{ crosswalk: 'gender' }], 'U', { ctx })).toMatchObject(failure('f.crosswalk', 'crosswalk.unmapped'));
    expect(run([{ crosswalk: 'gender' }], 'M ', { ctx })).toMatchObject(failure('f.crosswalk', 'crosswalk.unmapped'));
  });

  it('is case-insensitive when the contract does not say', () => {
    const ctx = context({ crosswalks: { gender: GENDER } });
    expect(run([{ crosswalk: 'gender' }], 'm', { ctx })).toBe('1');
  });

  it('fails on unmapped codes naming the crosswalk but not the code', () => {
    const { ctx } = observed(true);
    const r = run([{ crosswalk: 'gender' }], 'ZZQ', { ctx, name: 'sex' });
    expect(r).toMatchObject(failure('sex.crosswalk', 'crosswalk.unmapped'));
    expect((r as { message: string }).message).toContain('gender');
    expect((r as { message: string }).message).not.toContain('ZZQ');
  });

  it('tells the observer every non-null code once, folded, with whether it mapped', () => {
    const { ctx, seen } = observed(true);
    const program = compileField('sex', field({ from: 'A', crosswalk: 'gender' }), ctx);
    for (const v of ['M', ' f', 'x', null] as Value[]) program([v, null, null, null, null]);
    expect(seen).toEqual([
      ['gender', 'M', true],
      ['gender', 'F', true],
      ['gender', 'X', false],
    ]);
  });

  it('passes null through and fails on binary data', () => {
    const { ctx } = observed(true);
    expect(run([{ crosswalk: 'gender' }], null, { ctx })).toBeNull();
    expect(run([{ crosswalk: 'gender' }], binary, { ctx })).toMatchObject(failure('f.crosswalk', 'transform.type'));
  });

  it('rejects an unknown crosswalk and conflicting rows when compiling', () => {
    expect(() => run([{ crosswalk: 'nope' }], 'M')).toThrowError(expect.objectContaining({ code: 'contract.unknown_crosswalk' }));
    const ctx = context({ crosswalks: { g: entries({ m: '1', ' M': '2' }) } });
    expect(() => run([{ crosswalk: 'g' }], 'M', { ctx })).toThrowError(expect.objectContaining({ code: 'contract.crosswalk_conflict' }));
  });
});

describe('coalesce', () => {
  const steps = [{ coalesce: { columns: ['B', 'C'] } }];

  it('replaces null with the first column that is not null or blank', () => {
    expect(run(steps, null, { rest: ['  ', 'mobile'] })).toBe('mobile');
    expect(run(steps, null, { rest: ['home', 'mobile'] })).toBe('home');
  });

  it('keeps a non-null value, even a blank one', () => {
    expect(run(steps, 'work', { rest: ['home'] })).toBe('work');
    expect(run(steps, '', { rest: ['home'] })).toBe('');
  });

  it('is null when every column is null or blank, and takes binary data as a value', () => {
    expect(run(steps, null, { rest: [null, ''] })).toBeNull();
    expect(run(steps, null, { rest: [binary] })).toBe(binary);
  });
});

describe('lookup', () => {
  const practices = new Map<string, Value>([
    ['17', 'A81001'],
    ['18', null],
  ]);
  const ctx = context({ lookup: (table) => (table === 'practice' ? practices : new Map()) });

  it('returns the value column for the key', () => {
    expect(run([{ lookup: { table: 'practice', key: 'id', value: 'ods' } }], '17', { ctx })).toBe('A81001');
    expect(run([{ lookup: { table: 'practice', key: 'id', value: 'ods' } }], 17, { ctx })).toBe('A81001');
  });

  it('returns null on a miss, or fails when required', () => {
    expect(run([{ lookup: { table: 'practice', key: 'id', value: 'ods' } }], '99', { ctx })).toBeNull();
    expect(run([{ lookup: { table: 'practice', key: 'id', value: 'ods', required: true } }], '99', { ctx, name: 'gp' })).toMatchObject(failure('gp.lookup', 'transform.lookup_missing'));
    expect(run([{ lookup: { table: 'practice', key: 'id', value: 'ods', required: true } }], '', { ctx })).toMatchObject(failure('f.lookup', 'transform.lookup_missing'));
  });

  it('treats a matched row with a null value as found', () => {
    expect(run([{ lookup: { table: 'practice', key: 'id', value: 'ods', required: true } }], '18', { ctx })).toBeNull();
  });

  it('passes null through even when required, and fails on binary data', () => {
    expect(run([{ lookup: { table: 'practice', key: 'id', value: 'ods', required: true } }], null, { ctx })).toBeNull();
    expect(run([{ lookup: { table: 'practice', key: 'id', value: 'ods' } }], binary, { ctx })).toMatchObject(failure('f.lookup', 'transform.type'));
  });
});
