import { describe, expect, it } from 'vitest';
import type { Value } from '../../src/connectors/connector.js';
import { contractSchema } from '../../src/contract/model.js';
import { compileField, isFailure, lookupSpecs, producesIsoDate } from '../../src/transform/compile.js';
import { crosswalkTable } from '../../src/transform/crosswalk-table.js';
import { context, entries, failure, field } from './harness.js';

const row = (...values: Value[]): Value[] => [...values, ...Array<Value>(5 - values.length).fill(null)];

describe('starting value', () => {
  it('reads a column, including a joined one', () => {
    expect(compileField('f', field({ from: 'B' }), context())(row('a', 'b'))).toBe('b');
    expect(compileField('f', field({ from: 'P.NAME' }), context())(row(null, null, null, null, 'Leeds'))).toBe('Leeds');
  });

  it('takes the first column of a list that is neither null nor blank', () => {
    const program = compileField('phone', field({ from: ['A', 'B', 'C'] }), context());
    expect(program(row(null, ' ', '0113'))).toBe('0113');
    expect(program(row('07700', null, '0113'))).toBe('07700');
    expect(program(row(null, '', '  '))).toBeNull();
  });

  it('uses a constant value', () => {
    expect(compileField('source_system', field({ value: 'PAS' }), context())(row('x'))).toBe('PAS');
  });

  it('refuses both from and value', () => {
    expect(() => compileField('f', field({ from: 'A', value: 'x' }), context())).toThrowError(expect.objectContaining({ code: 'contract.ambiguous_source' }));
  });

  it('propagates an unknown column from the context when compiling', () => {
    expect(() => compileField('f', field({ from: 'NOPE' }), context())).toThrow(/unknown column NOPE/);
    expect(() => compileField('f', field({ from: 'A', steps: [{ coalesce: { columns: ['ZZ'] } }] }), context())).toThrow(/unknown column ZZ/);
  });

  it('is null with only a default to fall back on', () => {
    expect(compileField('f', field({ default: 'U' }), context())(row('x'))).toBe('U');
  });
});

describe('composition', () => {
  const ctx = context({ crosswalks: { gender: entries({ M: '1', F: '2', X: '9' }) } });

  it('runs steps in order, then the crosswalk, then the default', () => {
    const program = compileField('sex', field({ from: 'A', steps: ['trim', { null_if: ['', 'UNKNOWN'] }, { substring: { start: 0, length: 1 } }], crosswalk: 'gender', default: '0' }), ctx);
    expect(program(row('  male '))).toBe('1');
    expect(program(row('Female'))).toBe('2');
    expect(program(row('UNKNOWN'))).toBe('0');
    expect(program(row('   '))).toBe('0');
    expect(program(row(null))).toBe('0');
  });

  it('applies the crosswalk to the stepped value, not the raw one', () => {
    const program = compileField('sex', field({ from: 'A', steps: [{ map: { values: { male: 'M' } } }], crosswalk: 'gender' }), ctx);
    expect(program(row('male'))).toBe('1');
  });

  it('does not let the default hide a failure', () => {
    const program = compileField('sex', field({ from: 'A', crosswalk: 'gender', default: '0' }), ctx);
    expect(program(row('Q'))).toMatchObject(failure('sex.crosswalk', 'crosswalk.unmapped'));
  });

  it('stops at the first failing step', () => {
    const calls: string[] = [];
    const observing = context({
      crosswalks: { gender: entries({ M: '1' }) },
      observer: { seen: (_cw, code) => calls.push(code) },
    });
    const program = compileField('dob', field({ from: 'A', steps: ['to_integer', { crosswalk: 'gender' }] }), observing);
    expect(program(row('abc'))).toMatchObject(failure('dob.to_integer', 'transform.to_integer'));
    expect(calls).toEqual([]);
  });

  it('gives the same answer for the same row every time across long chains', () => {
    const program = compileField(
      'name',
      field({
        from: 'A',
        steps: ['trim', { null_if: [''] }, 'lower', 'title', { concat: { columns: ['B'], separator: ', ' } }, { pad: { length: 20, side: 'right' } }, { substring: { start: 0, length: 12 } }, 'trim'],
      }),
      context(),
    );
    for (let i = 0; i < 3; i++) expect(program(row(" o'brien ", 'LEEDS'))).toBe("O'Brien, LEE");
    expect(program(row('  ', null))).toBeNull();
  });
});

describe('failures', () => {
  const secret = '9434765919';
  const cases: Array<[string, unknown[]]> = [
    ['parse_date', [{ parse_date: { formats: ['dd/mm/yyyy'] } }]],
    ['to_integer', [{ regex_replace: { pattern: '^', replacement: 'x' } }, 'to_integer']],
    ['to_decimal', [{ concat: { columns: ['B'] } }, { to_decimal: { scale: 2 } }]],
    ['map', [{ map: { values: { a: 'b' } } }]],
    ['lookup', [{ lookup: { table: 't', key: 'k', value: 'v', required: true } }]],
    ['format_date', [{ format_date: { format: 'dd/mm/yyyy' } }]],
  ];

  it.each(cases)('%s failures carry the field, step and reason but never the value', (_name, steps) => {
    const r = compileField('nhs_number', field({ from: 'A', steps }), context())(row(secret, 'x'));
    expect(isFailure(r)).toBe(true);
    expect(JSON.stringify(r)).not.toContain(secret);
    expect(JSON.stringify(r)).not.toContain('943');
    expect(r).toMatchObject({ step: expect.stringMatching(/^nhs_number\./), reasonCode: expect.stringMatching(/^transform\./) });
  });

  it('recognises failures structurally and nothing else', () => {
    expect(isFailure({ failed: true, step: 's', reasonCode: 'r', message: 'm' })).toBe(true);
    for (const v of [null, 'failed', 0, Buffer.from('x'), { failed: 'true' }, {}]) expect(isFailure(v)).toBe(false);
  });

  it('returns the same preallocated failure on every failing row', () => {
    const program = compileField('n', field({ from: 'A', steps: ['to_integer'] }), context());
    expect(program(row('a'))).toBe(program(row('b')));
  });
});

describe('compile-time checks', () => {
  it('rejects invalid step arguments naming the field and step', () => {
    const bad = { from: 'A', steps: [{ pad: { length: 3 } }] };
    const f = field(bad);
    (f.steps[0] as unknown as { pad: { length: number } }).pad.length = -1;
    expect(() => compileField('code', f, context())).toThrowError(expect.objectContaining({ code: 'contract.bad_step', message: expect.stringContaining('code.pad') }));
  });

  it('builds one crosswalk table per crosswalk and case mode, shared between fields', () => {
    const e = entries({ a: '1' });
    expect(crosswalkTable('x', e, true)).toBe(crosswalkTable('x', e, true));
    expect(crosswalkTable('x', e, false)).not.toBe(crosswalkTable('x', e, true));
    expect(crosswalkTable('x', e, true).get('A')).toBe('1');
    expect(crosswalkTable('x', e, false).get('a')).toBe('1');
  });
});

describe('lookupSpecs', () => {
  const contract = contractSchema.parse({
    ferry: 1,
    metadata: { name: 'pas', version: '1.0.0', owner: 'migration team' },
    source: { tables: { PATIENT: { primary_key: ['ID'], columns: { ID: { type: 'integer' }, GP: { type: 'integer' } } } } },
    target: { tables: { patient: { primary_key: ['id'], columns: { id: { type: 'integer' }, gp: { type: 'text' }, gp2: { type: 'text' }, old: { type: 'text' } } } } },
    mappings: {
      patient: {
        source: 'PATIENT',
        fields: {
          id: { from: 'ID', rationale: 'key' },
          gp: { from: 'GP', steps: [{ lookup: { table: 'PRACTICE', key: 'ID', value: 'ODS' } }], rationale: 'registered GP' },
          gp2: {
            from: 'GP',
            steps: ['trim', { lookup: { table: 'PRACTICE', key: 'ID', value: 'ODS', required: true } }, { lookup: { table: 'PRACTICE', key: 'ID', value: 'NAME' } }],
            rationale: 'same lookup again',
          },
          old: { from: 'GP', steps: [{ lookup: { table: 'OLD', key: 'ID', value: 'X' } }], rationale: 'rejected', status: 'rejected' },
        },
      },
    },
  });

  it('lists every distinct lookup of the fields the engine will run', () => {
    expect(lookupSpecs(contract)).toEqual([
      { table: 'PRACTICE', key: 'ID', value: 'ODS' },
      { table: 'PRACTICE', key: 'ID', value: 'NAME' },
    ]);
  });
});

describe('producesIsoDate', () => {
  it('holds only when a date-only parse_date is the last thing that touches the value', () => {
    expect(producesIsoDate(field({ from: 'A', steps: ['trim', { parse_date: { formats: ['dd/mm/yyyy', 'yyyymmdd'] } }] }))).toBe(true);
    expect(producesIsoDate(field({ from: 'A', steps: [{ parse_date: { formats: ['dd/mm/yyyy HH:MI'] } }] }))).toBe(false);
    expect(producesIsoDate(field({ from: 'A', steps: [{ parse_date: { formats: ['dd/mm/yyyy'] } }, 'trim'] }))).toBe(false);
    expect(producesIsoDate(field({ from: 'A', steps: [{ parse_date: { formats: ['dd/mm/yyyy'] } }], default: 'unknown' }))).toBe(false);
    expect(producesIsoDate(field({ from: 'A', steps: [{ parse_date: { formats: ['dd/mm/yyyy'] } }], crosswalk: 'dates' }))).toBe(false);
    expect(producesIsoDate(field({ from: 'A' }))).toBe(false);
  });
});
