/**
 * Turns a column's streamed statistics and its sampled values into its profile: pattern
 * classes, date layout, inferred type, value range and the top values that are frequent enough
 * to show.
 */
import type { ColumnInfo, LogicalType } from '../connectors/connector.js';
import { isIsoDateTime } from '../rules/dates.js';
import { compileDateFormat } from '../contract/date-format.js';
import type { ColumnStats } from './column-stats.js';
import { kAnonymousExtremes, keepTrueExtremes, type BoundedRange, type TrueExtremes } from './extremes.js';
import { detectDateFormat, ISO_TIMESTAMP, PATTERN_CLASSES, valueClasses, type PatternClass } from './patterns.js';
import type { ColumnProfile } from './types.js';

const DOMINANT = 0.9;
const REPORTED = 0.05;
const IDENTIFIERS: ReadonlySet<PatternClass> = new Set(['nhs_number', 'snomed_ct', 'uuid']);

export interface ColumnInputs {
  info: ColumnInfo;
  stats: ColumnStats;
  /** Trimmed, non-empty sampled values. */
  sample: string[];
  /** True when the sample is not the whole table. */
  sampled: boolean;
  minFrequency: number;
  topN: number;
}

/** Builds one column's profile. */
export function profileColumn(x: ColumnInputs): ColumnProfile {
  const { info, stats, sample } = x;
  const distinct = stats.distinct();
  const { patterns, dominant, date } = classify(sample, distinct.count, stats.filled);
  const inferred = inferType(info.type, sample, patterns, dominant, date?.format);
  const top = stats.frequent.top(Number.MAX_SAFE_INTEGER);
  const shown = top.filter((t) => t.count >= x.minFrequency);
  const exact = stats.frequent.exact;
  const range = valueRange(inferred, dominant, stats, sample, date?.format, x.sampled, x.minFrequency);
  const profile: ColumnProfile = {
    name: info.name,
    declared_type: info.type,
    native_type: info.nativeType,
    declared_nullable: info.nullable,
    inferred_type: inferred,
    nulls: stats.nulls,
    empties: stats.empties,
    null_rate: rate(stats.nulls, stats.rows),
    empty_rate: rate(stats.empties, stats.rows),
    padded: stats.padded,
    distinct,
    length: stats.lengths.bounded(),
    range: range.shown,
    top_values: shown.slice(0, x.topN),
    top_values_exact: exact,
    hidden_values: exact ? top.length - shown.length : Math.max(0, distinct.count - shown.length),
    patterns,
    dominant_pattern: dominant,
    date_format: date ? { format: date.format, fraction: round(date.fraction), ambiguous_with: date.ambiguousWith } : null,
  };
  keepTrueExtremes(profile, { range: range.exact, length: stats.lengths.exact() });
  return profile;
}

function classify(sample: string[], distinct: number, filled: number) {
  const counts = new Map<PatternClass, number>();
  for (const v of sample) for (const c of valueClasses(v)) counts.set(c, (counts.get(c) ?? 0) + 1);
  const n = sample.length;
  const date = n > 0 && [...sample.slice(0, 50)].some((v) => /^\d/.test(v)) ? detectDateFormat(sample) : null;
  if (date && date.fraction >= REPORTED) counts.set(date.hasTime ? 'timestamp' : 'date', Math.round(date.fraction * n));
  const patterns = [...counts]
    .map(([c, k]) => ({ class: c, fraction: round(k / n) }))
    .filter((p) => p.fraction >= REPORTED)
    .sort((a, b) => b.fraction - a.fraction || PATTERN_CLASSES.indexOf(a.class) - PATTERN_CLASSES.indexOf(b.class));
  let dominant: PatternClass | null = null;
  for (const c of PATTERN_CLASSES) {
    const f = (counts.get(c) ?? 0) / Math.max(1, n);
    if (f < DOMINANT) continue;
    // Short upper-case words are codes only when there are few of them; many distinct ones are names.
    if (c === 'code' && distinct > Math.max(40, 0.05 * filled)) continue;
    dominant = c;
    break;
  }
  if (dominant === null && n > 0) dominant = (counts.get('free_text') ?? 0) + (counts.get('code') ?? 0) >= DOMINANT * n ? 'free_text' : null;
  const hasDate = dominant === 'date' || dominant === 'timestamp';
  return { patterns, dominant, date: hasDate ? date : date && date.fraction >= REPORTED ? date : null };
}

function inferType(declared: LogicalType, sample: string[], patterns: ColumnProfile['patterns'], dominant: PatternClass | null, dateFormat?: string): LogicalType {
  if (sample.length === 0) return declared;
  if (dominant === 'timestamp') return 'timestamp';
  if (dominant === 'date') return dateFormat && compileDateFormatSafe(dateFormat)?.hasTime ? 'timestamp' : 'date';
  if (dominant && IDENTIFIERS.has(dominant)) return 'text';
  const f = (c: PatternClass) => patterns.find((p) => p.class === c)?.fraction ?? 0;
  if (f('integer') >= DOMINANT) return 'integer';
  if (f('integer') + f('decimal') >= DOMINANT) return 'decimal';
  if (dominant === 'boolean' && new Set(sample.map((v) => v.toLowerCase())).size <= 3) return 'boolean';
  if (declared !== 'text' && dominant === null) return declared;
  return 'text';
}

function compileDateFormatSafe(format: string) {
  return format === ISO_TIMESTAMP ? { hasTime: true } : compileDateFormat(format);
}

interface Ranges {
  /** What the profile shows: K-anonymous ends (extremes.ts). */
  shown: ColumnProfile['range'];
  /** The true extremes, kept inside the process. */
  exact: TrueExtremes['range'];
}

const NO_RANGE: Ranges = { shown: null, exact: null };

function valueRange(type: LogicalType, dominant: PatternClass | null, stats: ColumnStats, sample: string[], dateFormat: string | undefined, sampled: boolean, k: number): Ranges {
  if (dominant && IDENTIFIERS.has(dominant)) return NO_RANGE;
  if (type === 'integer' || type === 'decimal') {
    const exact = stats.numbers.exact();
    const shown = stats.numbers.bounded();
    return exact ? { shown: shown && withEstimate(shown, false), exact } : NO_RANGE;
  }
  if ((type === 'date' || type === 'timestamp') && dateFormat) {
    const f = dateFormat === ISO_TIMESTAMP ? null : compileDateFormat(dateFormat);
    const dates: string[] = [];
    for (const v of sample) {
      const iso = f ? f.parse(v, 30) : isIsoDateTime(v) ? v : null;
      if (iso !== null) dates.push(iso);
    }
    if (dates.length === 0) return NO_RANGE;
    // Sampled or not, the K-th smallest sampled date has at least K rows of the table at or before it.
    const shown = kAnonymousExtremes(dates, k);
    const sorted = dates.sort();
    return { shown: shown && withEstimate(shown, sampled), exact: { min: sorted[0], max: sorted[sorted.length - 1] } };
  }
  return NO_RANGE;
}

function withEstimate(r: BoundedRange<string | number>, estimated: boolean): NonNullable<ColumnProfile['range']> {
  return { min: r.min, max: r.max, estimated, min_is_bound: r.min_is_bound, max_is_bound: r.max_is_bound };
}

function rate(k: number, n: number): number {
  return n === 0 ? 0 : round(k / n);
}

/** Rounds a fraction to four decimals for stable, readable output. */
export function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
