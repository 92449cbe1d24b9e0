/**
 * One canonical text form per logical type, so a value hashes the same whether it comes from
 * the row program (what the engine wrote) or back out of PostgreSQL, MariaDB, SQLite, CSV or
 * NDJSON, each of which returns dates, numbers and booleans differently:
 *
 *   text       as is
 *   integer    digits, `-` for negatives, no `+`, no leading zeros (`-0` → `0`)
 *   decimal    no `+`, no leading zeros before the point (`.5` → `0.5`), no trailing zeros
 *              after it, no point when nothing follows (`12.50` → `12.5`, `3.00` → `3`), zero is `0`
 *   date       YYYY-MM-DD
 *   timestamp  YYYY-MM-DDTHH:MM:SS in UTC (zoned values are shifted), followed by `.ffffff`
 *              (exactly six digits, truncated) only when the fraction is not zero
 *   boolean    t / f
 *   binary     lower-case hex
 *
 * The SQL renderings in sql-dialect.ts produce exactly these forms inside the database.
 * A value that does not fit its type gets `?` + its text: never equal to a canonical form, so
 * it always shows up as a difference instead of being silently normalised away.
 */
import type { LogicalType, Value } from '../connectors/connector.js';

/** How a connector hands back binary values that are not Buffers: CSV and NDJSON write base64. */
export type BinaryText = 'base64' | 'hex';

const INTEGER = /^([+-]?)0*(\d+)$/;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const TRUE = new Set(['t', 'true', '1', 'y', 'yes']);
const FALSE = new Set(['f', 'false', '0', 'n', 'no']);

function invalid(v: Value): string {
  return `?${Buffer.isBuffer(v) ? v.toString('hex') : String(v)}`;
}

function textOf(v: Value): string {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('hex');
  return String(v);
}

/** Canonical integer text. */
export function canonicalInteger(v: Value): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : Number.isInteger(v) ? BigInt(v).toString() : invalid(v);
  const m = INTEGER.exec(textOf(v).trim());
  if (!m) return invalid(v);
  return m[2] === '0' ? '0' : `${m[1] === '-' ? '-' : ''}${m[2]}`;
}

/** Canonical decimal text; exponents (`1.5E3`) are expanded exactly, never through a float. */
export function canonicalDecimal(v: Value): string {
  if (typeof v === 'bigint') return v.toString();
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : textOf(v).trim();
  const m = DECIMAL.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return invalid(v);
  let int = m[2];
  let frac = m[3] ?? '';
  const exp = m[4] ? Number(m[4]) : 0;
  if (exp > 0) {
    const moved = frac.slice(0, exp).padEnd(exp, '0');
    int += moved;
    frac = frac.slice(exp);
  } else if (exp < 0) {
    const n = -exp;
    const padded = int.padStart(n + 1, '0');
    frac = padded.slice(padded.length - n) + frac;
    int = padded.slice(0, padded.length - n);
  }
  int = int.replace(/^0+/, '') || '0';
  frac = frac.replace(/0+$/, '');
  if (int === '0' && frac === '') return '0';
  return `${m[1] === '-' ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

/** Canonical date text (YYYY-MM-DD). */
export function canonicalDate(v: Value): string {
  const s = textOf(v).trim();
  return DATE.test(s) ? s : invalid(v);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Canonical UTC timestamp text: zoned values shifted to UTC, fraction truncated to microseconds. */
export function canonicalTimestamp(v: Value): string {
  const m = TIMESTAMP.exec(textOf(v).trim());
  if (!m) return invalid(v);
  let [y, mo, d, h, mi, s] = [+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)];
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const offset = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0')) * (zone[0] === '-' ? -1 : 1);
    const t = new Date(Date.UTC(y, mo - 1, d, h, mi - offset, s));
    [y, mo, d, h, mi, s] = [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()];
  }
  const frac = (m[7] ?? '').slice(0, 6).padEnd(6, '0');
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${frac === '000000' ? '' : `.${frac}`}`;
}

/** Canonical boolean text (t/f). */
export function canonicalBoolean(v: Value): string {
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number' || typeof v === 'bigint') return v === 0 || v === 0n ? 'f' : 't';
  const s = textOf(v).trim().toLowerCase();
  if (TRUE.has(s)) return 't';
  if (FALSE.has(s)) return 'f';
  return invalid(v);
}

/** Canonical binary text (lower-case hex). */
export function canonicalBinary(v: Value, binaryText: BinaryText = 'hex'): string {
  if (Buffer.isBuffer(v)) return v.toString('hex');
  const s = textOf(v).trim();
  if (binaryText === 'base64') return Buffer.from(s, 'base64').toString('hex');
  const hex = s.replace(/^\\x/i, '');
  return /^([0-9a-f]{2})*$/i.test(hex) ? hex.toLowerCase() : invalid(v);
}

/**
 * The canonical text of a value of a logical type, or null for SQL NULL. A blank string is
 * NULL for every type but text: the engine never writes a blank non-text value, and CSV
 * targets write NULL as an empty field.
 */
export function canonical(type: LogicalType, v: Value | undefined, binaryText: BinaryText = 'hex'): string | null {
  if (v === null || v === undefined) return null;
  if (type === 'text') return textOf(v);
  if (v === '') return null;
  switch (type) {
    case 'integer':
      return canonicalInteger(v);
    case 'decimal':
      return canonicalDecimal(v);
    case 'date':
      return canonicalDate(v);
    case 'timestamp':
      return canonicalTimestamp(v);
    case 'boolean':
      return canonicalBoolean(v);
    case 'binary':
      return canonicalBinary(v, binaryText);
  }
}

/** A canonicaliser per column, for hot loops. */
export function canonicalizers(types: readonly LogicalType[], binaryText: BinaryText = 'hex'): Array<(v: Value | undefined) => string | null> {
  return types.map((t) => (v) => canonical(t, v, binaryText));
}
