import { describe, expect, it } from 'vitest';
import type { Slice, Source } from '../../src/connectors/connector.js';
import { LookupCache } from '../../src/engine/joins.js';

/** A source whose one table yields a single slice; row 1 could not be read faithfully. */
const source = {
  async *read(): AsyncIterable<Slice> {
    yield {
      columns: ['code', 'label'],
      rows: [
        ['A', 'Ward A'],
        ['B', 'W\ufffdrd B'],
        ['C', 'Ward C'],
      ],
      problems: [{ row: 1, reasonCode: 'source.encoding', column: 'label', message: 'wards.csv line 3, column label: the byte at offset 40 of the file is not valid UTF-8' }],
    };
  },
} as unknown as Source;

describe('lookups over a source with unreadable rows', () => {
  it('leave the unreadable row out, so a lookup finds nothing rather than a replaced value', async () => {
    const cache = new LookupCache();
    await cache.load(source, [{ table: 'wards', key: 'code', value: 'label' }], 100);
    expect([...cache.get('wards', 'code', 'label')]).toEqual([
      ['A', 'Ward A'],
      ['C', 'Ward C'],
    ]);
  });
});
