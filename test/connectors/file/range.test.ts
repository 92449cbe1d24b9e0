import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Source } from '../../../src/connectors/connector.js';
import { openSource } from '../../../src/connectors/registry.js';
import { FerryError } from '../../../src/errors.js';

const fixtures: Array<[string, string, string]> = [
  ['csv', `csv:${path.resolve('test/fixtures/csv-spectrum/csvs')}`, 'simple'],
  ['ndjson', `ndjson:${path.resolve('test/fixtures/ndjson/fhir')}`, 'Patient.000'],
];

describe('file sources and key ranges', () => {
  it.each(fixtures)('%s: a read with a range is refused, not read whole as a partition; no keyBounds', async (_kind, url, table) => {
    const source: Source = await openSource(url);
    try {
      expect(source.keyBounds).toBeUndefined();
      const read = async () => {
        for await (const _ of source.read(table, { sliceRows: 10, range: { column: 'id', through: '1' } })) return;
      };
      const err = await read().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FerryError);
      expect(err).toMatchObject({ kind: 'usage', code: 'source.range_unsupported' });
      // Without a range the same table reads as before.
      let rows = 0;
      for await (const slice of source.read(table, { sliceRows: 10 })) rows += slice.rows.length;
      expect(rows).toBeGreaterThan(0);
    } finally {
      await source.close();
    }
  });
});
