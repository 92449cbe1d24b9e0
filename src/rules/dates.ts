/**
 * ISO-8601 dates and timestamps as values travel through Ferry (`YYYY-MM-DD`, optionally
 * followed by a time and zone), and the checks the `date` rule makes on them.
 */

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MS_PER_DAY = 86_400_000;

/** True when y-m-d is a real date in the proleptic Gregorian calendar. */
export function isCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  if (m === 2 && d === 29) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= DAYS_IN_MONTH[m - 1];
}

// Days since 1970-01-01 (Hinnant's days_from_civil): exact for every year, and pure arithmetic.
function daysFromCivil(year: number, m: number, d: number): number {
  const y = m <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  // Past the end charCodeAt gives NaN, which fails these comparisons too.
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

const NOT_ISO = Number.NaN;
const NOT_REAL = Number.POSITIVE_INFINITY;

/**
 * Scans the layout the target conformer accepts: `YYYY-MM-DD`, optionally `T` or space,
 * `HH:MM`, `:SS`, a 1-9 digit fraction and a zone (Z, ±HH, ±HHMM, ±HH:MM). Returns the instant
 * in ms (zoneless values read as UTC), NaN when the layout is wrong, or +Infinity when the layout
 * is right but the date or time does not exist. Hand-written because row rules call it per row.
 */
function scanIso(s: string): number {
  const n = s.length;
  if (n < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NOT_ISO;
  const century = twoDigits(s, 0);
  const yy = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  if (century < 0 || yy < 0 || month < 0 || day < 0) return NOT_ISO;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let ms = 0;
  let offsetMin = 0;
  if (n > 10) {
    const sep = s.charCodeAt(10);
    if ((sep !== 84 && sep !== 32) || s.charCodeAt(13) !== 58) return NOT_ISO;
    hour = twoDigits(s, 11);
    minute = twoDigits(s, 14);
    if (hour < 0 || minute < 0) return NOT_ISO;
    let i = 16;
    if (s.charCodeAt(i) === 58) {
      second = twoDigits(s, i + 1);
      if (second < 0) return NOT_ISO;
      i += 3;
      if (s.charCodeAt(i) === 46) {
        const start = ++i;
        let scale = 100;
        for (let c = s.charCodeAt(i) - 48; c >= 0 && c <= 9; c = s.charCodeAt(++i) - 48) {
          ms += c * scale;
          scale /= 10;
        }
        if (i === start || i - start > 9) return NOT_ISO;
        ms = Math.floor(ms);
      }
    }
    const z = s.charCodeAt(i);
    if (z === 90) {
      i++;
    } else if (z === 43 || z === 45) {
      const hh = twoDigits(s, i + 1);
      if (hh < 0) return NOT_ISO;
      i += 3;
      const colon = s.charCodeAt(i) === 58;
      if (colon) i++;
      let mm = 0;
      if (colon || i < n) {
        mm = twoDigits(s, i);
        if (mm < 0) return NOT_ISO;
        i += 2;
      }
      offsetMin = (z === 45 ? -1 : 1) * (hh * 60 + mm);
    }
    if (i !== n) return NOT_ISO;
  }
  const year = century * 100 + yy;
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return NOT_REAL;
  return daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute - offsetMin) * 60 + second) * 1000 + ms;
}

/** True when the value is an ISO date (`YYYY-MM-DD`) that exists in the calendar. */
export function isIsoDate(value: string): boolean {
  return value.length === 10 && Number.isFinite(scanIso(value));
}

/** True when the value is an ISO date or date-time whose date and time both exist. */
export function isIsoDateTime(value: string): boolean {
  return Number.isFinite(scanIso(value));
}

/**
 * Milliseconds since the epoch for an ISO date or date-time, or null when it is not one. Values
 * without a zone are read as UTC so that two zoneless values compare as written.
 */
export function isoInstant(value: string): number | null {
  const t = scanIso(value);
  return Number.isFinite(t) ? t : null;
}

/** Returns the `YYYY-MM-DD` part of a valid ISO date or date-time, or null when it is not one. */
export function isoDatePart(value: string): string | null {
  return isIsoDateTime(value) ? value.slice(0, 10) : null;
}

/** Completed years from one `YYYY-MM-DD` date to another (negative when `to` is earlier). */
export function completedYears(from: string, to: string): number {
  const years = +to.slice(0, 4) - +from.slice(0, 4);
  // Compare month-day as text: "MM-DD" orders the same way the calendar does.
  return to.slice(5, 10) < from.slice(5, 10) ? years - 1 : years;
}

export type DateProblem = 'format' | 'calendar' | 'future' | 'too_early';

/**
 * What is wrong with a date value, or null: not ISO layout, not a real date or time, after
 * `today` (when given; the date part only, so a timestamp later today is not future), or before `min`.
 */
export function dateProblem(value: string, min: string, today?: string): DateProblem | null {
  const t = scanIso(value);
  if (Number.isNaN(t)) return 'format';
  if (t === NOT_REAL) return 'calendar';
  const day = value.slice(0, 10);
  if (today !== undefined && day > today) return 'future';
  if (day < min) return 'too_early';
  return null;
}

/** Today's date in UTC as `YYYY-MM-DD`, the engine's default clock. */
export function utcToday(): string {
  return new Date().toISOString().slice(0, 10);
}
