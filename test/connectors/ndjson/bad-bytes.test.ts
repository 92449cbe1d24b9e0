import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Slice } from '../../../src/connectors/connector.js';
import { NdjsonSource } from '../../../src/connectors/ndjson/source.js';
import { tempDir } from '../../helpers/tmp.js';

const line = (s: string) => Buffer.from(`${s}\n`, 'utf8');
/** Line 2's name holds 0x92, a Windows-1252 ’, at file offset 53: line 1 (36 bytes) + `{"id":2,"name":"O` (17). */
const FILE = Buffer.concat([
  line('{"id":1,"name":"SMITH","note":"ok"}'),
  Buffer.from('{"id":2,"name":"O'),
  Buffer.from([0x92]),
  line('NEILL","note":"ok"}'),
  line('{"id":3,"name":"JONES","note":"ok"}'),
]);

async function slices(source: NdjsonSource, columns?: string[]): Promise<Slice[]> {
  const out: Slice[] = [];
  for await (const s of source.read('patient', { sliceRows: 10, ...(columns ? { columns } : {}) })) out.push(s);
  return out;
}

describe('ndjson bytes that are not UTF-8', () => {
  it('marks the row for quarantine with its key and offset, never its value, when the column is read', async () => {
    const { dir, cleanup } = await tempDir('ferry-ndjson-bytes-');
    try {
      await fs.writeFile(path.join(dir, 'patient.ndjson'), FILE);
      const [slice] = await slices(new NdjsonSource(`ndjson:${dir}`, dir), ['id', 'name']);
      expect(slice.rows.map((r) => r[0])).toEqual([1, 2, 3]);
      expect(slice.problems).toHaveLength(1);
      expect(slice.problems![0]).toMatchObject({ row: 1, reasonCode: 'source.encoding', column: 'name' });
      expect(slice.problems![0].message).toContain('patient.ndjson line 2: the byte at offset 53 of the file is not valid UTF-8 (key name)');
      expect(slice.problems![0].message).not.toContain('NEILL');
      // A column not read cannot be harmed by the byte: no problem.
      const [other] = await slices(new NdjsonSource(`ndjson:${dir}`, dir), ['id', 'note']);
      expect(other.problems).toBeUndefined();
    } finally {
      await cleanup();
    }
  });

  it('refuses the file before yielding a row with on_bad_bytes=refuse', async () => {
    const { dir, cleanup } = await tempDir('ferry-ndjson-bytes-');
    try {
      await fs.writeFile(path.join(dir, 'patient.ndjson'), FILE);
      await expect(slices(new NdjsonSource(`ndjson:${dir}`, dir, 'refuse'), ['id', 'note'])).rejects.toMatchObject({
        code: 'ndjson.bad_bytes',
        message: expect.stringContaining('patient.ndjson line 2: the byte at offset 53'),
      });
    } finally {
      await cleanup();
    }
  });
});
