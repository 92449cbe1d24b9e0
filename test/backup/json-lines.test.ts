/** The typed JSON lines of MariaDB and SQLite dumps give back exactly the values written, however the bytes are cut. */
import { describe, expect, it } from 'vitest';
import { chunked, decodeRows, encodeRow, type DumpValue } from '../../src/backup/engines/json-lines.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* bytesCut(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

const ROWS: DumpValue[][] = [
  [null, 'Zoë — 患者 🏥', 9223372036854775807n, -9223372036854775808n, 0.1 + 0.2],
  ['line\nbreak\r\ttab \\ "quote"', '', -0, Infinity, Buffer.from([0, 255, 10, 13])],
  ['\u2028\u2029', 'x'.repeat(1000), 1e-300, -1.5e300, Buffer.alloc(0)],
];

describe('dump JSON lines', () => {
  it('round-trips every kind of value exactly, with the bytes cut at every size (inside characters too)', async () => {
    const all = Buffer.concat(await collect(chunked(ROWS.map(encodeRow), 64)));
    expect(all.toString('utf8').split('\n')).toHaveLength(ROWS.length + 1);
    for (const size of [1, 2, 3, 7, 64, all.length]) {
      const back = (await collect(decodeRows(bytesCut(all, size), 2))).flat();
      expect(back).toHaveLength(ROWS.length);
      back.forEach((row, r) =>
        row.forEach((v, c) => {
          const want = ROWS[r][c];
          if (typeof want === 'number') expect(Object.is(v, want)).toBe(true);
          else expect(v).toEqual(want);
        }),
      );
    }
  });

  it('refuses a dump that ends inside a row, or holds a value Ferry does not write', async () => {
    await expect(collect(decodeRows(bytesCut(Buffer.from('["a"'), 10), 10))).rejects.toMatchObject({ code: 'backup.data_corrupt' });
    await expect(collect(decodeRows(bytesCut(Buffer.from('[{"z":1}]\n'), 10), 10))).rejects.toMatchObject({ code: 'backup.data_corrupt' });
  });
});
