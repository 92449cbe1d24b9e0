import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { changedAfterCondition, changeKindOf, checkChangedAfter } from '../../src/connectors/changed-after.js';
import { openSource } from '../../src/connectors/registry.js';
import { FerryError } from '../../src/errors.js';
import { tempDir } from '../helpers/tmp.js';
import { readAll, rejectsWith } from './key-range-cases.js';

const lit = (b: string) => `[${b}]`;

describe('change-column reads (watermark sync)', () => {
  it('renders (after, through] without a NULL clause, and IS NOT NULL when both ends are open', () => {
    expect(changedAfterCondition({ column: 'v', after: '1', through: '5' }, '"v"', lit)).toBe('"v" > [1] AND "v" <= [5]');
    expect(changedAfterCondition({ column: 'v', after: '1' }, '"v"', lit)).toBe('"v" > [1]');
    expect(changedAfterCondition({ column: 'v', through: '5' }, '"v"', lit)).toBe('"v" <= [5]');
    expect(changedAfterCondition({ column: 'v' }, '"v"', lit)).toBe('"v" IS NOT NULL');
  });

  it('checks bounds by kind and never puts the value in the message', () => {
    const bad = (kind: 'integer' | 'timestamp' | 'date', after: string) => {
      try {
        checkChangedAfter('T', { column: 'c', after }, kind);
      } catch (err) {
        expect(err).toBeInstanceOf(FerryError);
        expect((err as FerryError).code).toBe('source.bad_changed_after');
        expect((err as FerryError).message).not.toContain(after);
        return;
      }
      throw new Error(`accepted ${after} as ${kind}`);
    };
    bad('integer', '1 OR 1=1');
    bad('integer', '01');
    bad('timestamp', "2024-01-01' --");
    bad('timestamp', '01/02/2024');
    bad('date', '2024-01-01 10:00:00');
    for (const ok of ['2024-01-01 10:00:00', '2024-01-01T10:00:00.123456', '2024-01-01 10:00:00+00', '2024-01-01T10:00:00Z', '2024-01-01'])
      checkChangedAfter('T', { column: 'c', after: ok }, 'timestamp');
    checkChangedAfter('T', { column: 'c', after: "'; DROP TABLE T; --" }, 'text');
    expect(() => changeKindOf('T', { name: 'f', type: 'boolean', nativeType: 'bool', nullable: true })).toThrow(/T\.f is bool/);
  });

  it('file sources refuse a change read', async () => {
    const { dir, cleanup } = await tempDir('ferry-changed-after-');
    try {
      await writeFile(`${dir}/T.csv`, 'k,v\n1,a\n');
      await writeFile(`${dir}/T.ndjson`, '{"k":1,"v":"a"}\n');
      for (const url of [`csv:${dir}`, `ndjson:${dir}`]) {
        const source = await openSource(url);
        try {
          await rejectsWith(readAll(source, 'T', { changedAfter: { column: 'k', after: '0' } }), 'source.changed_after_unsupported');
          expect(source.maxOf).toBeUndefined();
        } finally {
          await source.close();
        }
      }
    } finally {
      await cleanup();
    }
  });
});
