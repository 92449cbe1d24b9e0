/**
 * Converting mysql2's row values into Ferry values: text for everything (the driver is told to
 * return dates, big integers and decimals as strings already) and Buffers for binary columns.
 */
import type { ColumnInfo, Value } from '../connector.js';

/** Converts one driver value of a column into a Ferry value. */
export type ValueReader = (v: unknown) => Value;

const asText: ValueReader = (v) => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  // MySQL's JSON type arrives parsed; hand it on as the JSON text it was stored as.
  return JSON.stringify(v);
};

const asBinary: ValueReader = (v) => {
  if (v === null || v === undefined) return null;
  return Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8');
};

// BIT(n) arrives as a big-endian Buffer; its logical type is integer.
const asBit: ValueReader = (v) => (Buffer.isBuffer(v) ? BigInt(v.length ? '0x' + v.toString('hex') : '0').toString() : asText(v));

/** Picks the reader for one column. */
export function valueReader(col: ColumnInfo): ValueReader {
  if (col.type === 'binary') return asBinary;
  if (/^bit\b/i.test(col.nativeType)) return asBit;
  return asText;
}
