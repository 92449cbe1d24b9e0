/**
 * Rows as JSON lines for engines with no exact text dump of their own (MariaDB, SQLite): one
 * JSON array per row, each value tagged by what it must come back as. Strings stay strings,
 * binary is base64 (`{"b":…}`), integers beyond a double's range keep every digit (`{"i":…}`),
 * floats keep their exact shortest form (`{"r":…}`), so restoring writes back the very values read.
 */
import { StringDecoder } from 'node:string_decoder';
import { FerryError } from '../../errors.js';

/** A value as an engine reads it for a dump. */
export type DumpValue = string | number | bigint | Buffer | null;

/** One encoded value. */
function encodeValue(v: DumpValue): unknown {
  if (v === null || typeof v === 'string') return v;
  if (typeof v === 'bigint') return { i: v.toString() };
  if (typeof v === 'number') return { r: Object.is(v, -0) ? '-0' : String(v) };
  return { b: v.toString('base64') };
}

/** One row as a JSON line. */
export function encodeRow(row: readonly DumpValue[]): string {
  return `${JSON.stringify(row.map(encodeValue))}\n`;
}

function decodeValue(v: unknown): DumpValue {
  if (v === null || typeof v === 'string') return v;
  if (typeof v === 'object') {
    const o = v as { i?: string; r?: string; b?: string };
    if (o.i !== undefined) return BigInt(o.i);
    if (o.r !== undefined) return Number(o.r);
    if (o.b !== undefined) return Buffer.from(o.b, 'base64');
  }
  throw new FerryError('conflict', 'backup.data_corrupt', 'a row in the backup holds a value Ferry does not write');
}

/** Decodes JSON lines arriving in arbitrary chunks into rows, `batch` rows at a time. */
export async function* decodeRows(chunks: AsyncIterable<Buffer>, batch: number): AsyncGenerator<DumpValue[][]> {
  let rest = '';
  let rows: DumpValue[][] = [];
  // Chunks are cut anywhere, also inside a character: the decoder carries its first bytes over.
  const utf8 = new StringDecoder('utf8');
  for await (const chunk of chunks) {
    const text = rest + utf8.write(chunk);
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      rows.push((JSON.parse(line) as unknown[]).map(decodeValue));
      if (rows.length >= batch) {
        yield rows;
        rows = [];
      }
    }
  }
  if (rest !== '') throw new FerryError('conflict', 'backup.data_corrupt', 'a table dump in the backup ends inside a row');
  if (rows.length > 0) yield rows;
}

/** Collects encoded rows into chunks of about `bytes` bytes. */
export async function* chunked(lines: AsyncIterable<string> | Iterable<string>, bytes = 1 << 18): AsyncGenerator<Buffer> {
  let parts: string[] = [];
  let size = 0;
  for await (const line of lines) {
    parts.push(line);
    size += line.length;
    if (size >= bytes) {
      yield Buffer.from(parts.join(''), 'utf8');
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield Buffer.from(parts.join(''), 'utf8');
}
