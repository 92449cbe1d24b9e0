/**
 * Date-format chaos of text date columns, judged on the profile's reservoir sample while it is
 * still in memory: the layout profiling detected, every other layout found, and the share no
 * layout parses. Typed date columns cannot be chaotic and are not listed.
 */
import { compileDateFormat, type DateFormat } from '../../contract/date-format.js';
import { isIsoDateTime } from '../../rules/dates.js';
import { round } from '../column-profile.js';
import { DATE_FORMATS, ISO_TIMESTAMP } from '../patterns.js';
import type { ColumnProfile } from '../types.js';
import type { DateColumn } from './model.js';

/** A column is a date column when its main layout parses at least this share of its values: chaotic ones fall short of the 90% profiling needs to call a column a date. */
const DATE_COLUMN = 0.5;
const PIVOT = 30;
const LAYOUTS: ReadonlyArray<{ pattern: string; format: DateFormat | null }> = [
  ...DATE_FORMATS.map((pattern) => ({ pattern, format: compileDateFormat(pattern) })),
  { pattern: ISO_TIMESTAMP, format: null },
];

const parses = (l: { format: DateFormat | null }, v: string): boolean => (l.format ? l.format.parse(v, PIVOT) !== null : v.length >= 19 && isIsoDateTime(v));

/**
 * The layouts of one sampled text column whose profile found a date layout in most of it (that
 * layout is the main one), or null for any other column.
 */
export function dateColumn(p: ColumnProfile, values: readonly string[], estimated: boolean): DateColumn | null {
  if (p.declared_type !== 'text' || !p.date_format || p.date_format.fraction < DATE_COLUMN || values.length === 0) return null;
  const main = LAYOUTS.find((l) => l.pattern === p.date_format!.format);
  if (!main) return null;
  const column = p.name;
  const tally = new Map<string, number>();
  let unparseable = 0;
  for (const v of values) {
    const layout = parses(main, v) ? main : LAYOUTS.find((l) => l !== main && parses(l, v));
    if (layout) tally.set(layout.pattern, (tally.get(layout.pattern) ?? 0) + 1);
    else unparseable++;
  }
  const n = values.length;
  const formats = [...tally].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([format, k]) => ({ format, share: round(k / n) }));
  const off = n - (tally.get(main.pattern) ?? 0);
  return {
    column,
    main_format: main.pattern,
    formats,
    unparseable_share: round(unparseable / n),
    off_format_values: off,
    sampled_values: n,
    chaotic: formats.length > 1 || unparseable > 0,
    estimated,
  };
}
