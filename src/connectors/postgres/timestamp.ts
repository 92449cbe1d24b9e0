/**
 * Timestamps arrive as ISO text and may carry a UTC offset. Columns of logical type
 * `timestamp` hold UTC wall-clock time without a zone (PostgreSQL `timestamp`, MySQL
 * `DATETIME`), and both silently drop or reject an offset, so a zoned value is shifted to UTC
 * here. Fractional seconds are kept as written rather than rounded through a JS Date.
 */

const ZONED = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(\.\d+)?(Z|[+-]\d{2}(?::?\d{2})?)$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function isSign(c: number): boolean {
  return c === 43 /* + */ || c === 45; /* - */
}

/** Cheap pre-check so the regular expression only runs on values that end in a zone (no closures: this runs per value). */
export function mayHaveZone(value: string): boolean {
  const n = value.length;
  if (n < 17) return false;
  if (value.charCodeAt(n - 1) === 90 /* Z */) return true;
  return isSign(value.charCodeAt(n - 3)) || isSign(value.charCodeAt(n - 5)) || isSign(value.charCodeAt(n - 6));
}

/** Returns `YYYY-MM-DD{sep}HH:MM:SS[.fff]` in UTC for a zoned value, or the value unchanged (separator normalised) when it has no zone. */
export function utcTimestamp(value: string, sep: 'T' | ' ' = 'T'): string {
  const m = ZONED.exec(value);
  if (!m) return value.length > 10 && value[10] !== sep && (value[10] === 'T' || value[10] === ' ') ? value.slice(0, 10) + sep + value.slice(11) : value;
  let offsetMinutes = 0;
  if (m[8] !== 'Z') {
    const digits = m[8].slice(1).replace(':', '');
    offsetMinutes = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0')) * (m[8][0] === '-' ? -1 : 1);
  }
  const utc = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5] - offsetMinutes, +(m[6] ?? 0)));
  return (
    `${pad(utc.getUTCFullYear(), 4)}-${pad(utc.getUTCMonth() + 1)}-${pad(utc.getUTCDate())}` + `${sep}${pad(utc.getUTCHours())}:${pad(utc.getUTCMinutes())}:${pad(utc.getUTCSeconds())}${m[7] ?? ''}`
  );
}
