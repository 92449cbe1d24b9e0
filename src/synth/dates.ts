/**
 * Dates as day numbers (days since 1970-01-01, UTC) and their legacy text forms. Generation
 * works in integers and formats at the edge, with no Date objects on the hot path.
 */

/** Converts a day number to [year, month (1-12), day]; Howard Hinnant's civil_from_days. */
export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** Converts a calendar date to a day number. */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Parses `YYYY-MM-DD` into a day number. */
export function isoToDays(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new RangeError(`"${iso}" is not an ISO date YYYY-MM-DD`);
  return daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
}

const p2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** The PAS's own format: `dd/mm/yyyy`. */
export function ddmmyyyy(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return `${p2(d)}/${p2(m)}/${y}`;
}

/** ISO `yyyy-mm-dd`. */
export function isoDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return `${y}-${p2(m)}-${p2(d)}`;
}

/** Formats seen in legacy extracts alongside the PAS's own, used by the mixed-format defect. */
export const ALTERNATIVE_DATE_FORMATS = ['yyyymmdd', 'yyyy-mm-dd', 'dd-mm-yy', 'dd.mm.yyyy'] as const;
export type AlternativeDateFormat = (typeof ALTERNATIVE_DATE_FORMATS)[number];

/** Formats a day number in one of the alternative legacy formats. */
export function formatAlternative(days: number, format: AlternativeDateFormat): string {
  const [y, m, d] = civilFromDays(days);
  switch (format) {
    case 'yyyymmdd':
      return `${y}${p2(m)}${p2(d)}`;
    case 'yyyy-mm-dd':
      return `${y}-${p2(m)}-${p2(d)}`;
    case 'dd-mm-yy':
      return `${p2(d)}-${p2(m)}-${p2(y % 100)}`;
    case 'dd.mm.yyyy':
      return `${p2(d)}.${p2(m)}.${y}`;
  }
}
