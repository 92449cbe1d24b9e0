/**
 * Before-images for targets that capture them client-side (MySQL, SQLite): a JSON object of
 * the row's columns as the driver returned them. Binary values travel as `{"$hex": "…"}` and
 * bigints as text, so an image round-trips exactly through JSON. PostgreSQL builds its images
 * server-side with `to_jsonb`.
 */
import type { Value } from '../connector.js';

function encode(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return { $hex: v.toString('hex') };
  if (v instanceof Uint8Array) return { $hex: Buffer.from(v).toString('hex') };
  if (typeof v === 'bigint') return v.toString();
  return v;
}

function decode(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'object' && '$hex' in v) return Buffer.from(String((v as { $hex: string }).$hex), 'hex');
  return v as Value;
}

/** The JSON before-image of a row read from the database, keyed by column name. */
export function encodeImage(row: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = encode(v);
  return JSON.stringify(out);
}

/** A before-image back as column names and values, ready to write. */
export function decodeImage(image: string): { columns: string[]; values: Value[] } {
  const obj = JSON.parse(image) as Record<string, unknown>;
  const columns = Object.keys(obj);
  return { columns, values: columns.map((c) => decode(obj[c])) };
}
