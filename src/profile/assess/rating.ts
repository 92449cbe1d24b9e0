/**
 * The assessment's two judgements, kept as plain documented arithmetic (docs/assessment.md) so a
 * programme board can check them by hand: an effort estimate per table (analyst days, each term
 * shown with what it counted) and an overall complexity rating from points with their reasons.
 * Both are heuristics for planning, not measurements.
 */
import type { EffortTerm, RatingLevel, RatingReason, TableAssessment } from './model.js';

/** Analyst days each counted item adds to a table's estimate. */
export const EFFORT_DAYS = {
  base: 0.5,
  column: 0.02,
  code_field_needing_crosswalk: 0.5,
  chaotic_date_column: 0.25,
  orphan_bearing_foreign_key: 0.5,
  duplicate_identifiers: 1,
  no_key: 0.5,
  encoding_problems: 0.5,
  free_text_column: 0.1,
  binary_columns: 0.5,
  per_10m_rows: 0.5,
} as const;

type Figures = Omit<TableAssessment, 'effort'>;

/** The effort terms of one table and their sum. */
export function tableEffort(t: Figures): { analyst_days: number; basis: EffortTerm[] } {
  const counted: Array<[keyof typeof EFFORT_DAYS, number]> = [
    ['base', 1],
    ['column', t.columns],
    ['code_field_needing_crosswalk', t.code_fields.filter((c) => c.codes_needing_crosswalk > 0).length],
    ['chaotic_date_column', t.dates.filter((d) => d.chaotic).length],
    ['orphan_bearing_foreign_key', t.orphans.filter(hasOrphans).length],
    ['duplicate_identifiers', duplicateRows(t) > 0 ? 1 : 0],
    ['no_key', t.rows > 0 && t.keys.candidate_keys.length === 0 ? 1 : 0],
    ['encoding_problems', t.encoding.problem_rows > 0 ? 1 : 0],
    ['free_text_column', t.free_text.free_text_columns.length],
    ['binary_columns', t.binary.bytes > 0 ? 1 : 0],
    ['per_10m_rows', Math.floor(t.rows / 10_000_000)],
  ];
  const basis = counted.filter(([, n]) => n > 0).map(([item, n]) => ({ item, count: n, days_each: EFFORT_DAYS[item], days: round2(n * EFFORT_DAYS[item]) }));
  return { analyst_days: round2(basis.reduce((s, b) => s + b.days, 0)), basis };
}

/** Points at which the rating steps up: below `medium` is low, and so on. */
export const RATING_STEPS: ReadonlyArray<{ level: RatingLevel; from: number }> = [
  { level: 'low', from: 0 },
  { level: 'medium', from: 5 },
  { level: 'high', from: 10 },
  { level: 'very_high', from: 16 },
];

/** The overall rating: points from the whole source's figures, each with the reason it was given. */
export function complexityRating(tables: readonly TableAssessment[]): { level: RatingLevel; points: number; reasons: RatingReason[] } {
  const reasons: RatingReason[] = [];
  const add = (code: string, points: number, detail: string) => {
    if (points > 0) reasons.push({ code, points, detail });
  };
  const rows = tables.reduce((s, t) => s + t.rows, 0);
  add('volume', rows >= 100_000_000 ? 3 : rows >= 10_000_000 ? 2 : rows >= 1_000_000 ? 1 : 0, `${rows} rows in all (1 point from 1M, 2 from 10M, 3 from 100M)`);
  add('breadth', tables.length > 100 ? 2 : tables.length > 25 ? 1 : 0, `${tables.length} tables (1 point above 25, 2 above 100)`);

  const codeFields = tables.flatMap((t) => t.code_fields.filter((c) => c.codes_needing_crosswalk > 0).map((c) => ({ t, c })));
  const codes = codeFields.reduce((s, x) => s + x.c.codes_needing_crosswalk, 0);
  add('code_crosswalks', Math.min(4, codeFields.length), `${codeFields.length} code field(s) with ${codes} distinct local code(s) no crosswalk or national list covers yet (1 point each, at most 4)`);

  const orphaned = tables.flatMap((t) => t.orphans.filter(hasOrphans).map((o) => ({ t, o })));
  const worst = Math.max(0, ...orphaned.map((x) => x.o.orphan_rate ?? 0));
  add('orphans', Math.min(3, orphaned.length) + (worst > 0.05 ? 1 : 0), `${orphaned.length} foreign key(s) with orphan rows, worst rate ${pct(worst)} (1 point each, at most 3, and 1 more above 5%)`);

  const dupTables = tables.filter((t) => duplicateRows(t) > 0);
  const dupShare = Math.max(0, ...dupTables.map((t) => duplicateRows(t) / Math.max(1, t.rows)));
  add(
    'duplicates',
    dupTables.length > 0 ? 2 + (dupShare > 0.01 ? 1 : 0) : 0,
    `${dupTables.length} table(s) with repeated key or identifier values (${dupTables.map((t) => t.name).join(', ')}); each needs a merge or survivorship decision (2 points, 1 more above 1% of rows)`,
  );

  const chaotic = tables.flatMap((t) => t.dates.filter((d) => d.chaotic));
  add('date_chaos', Math.min(3, chaotic.length), `${chaotic.length} text date column(s) with more than one layout or unparseable values (1 point each, at most 3)`);

  const badRows = tables.reduce((s, t) => s + t.encoding.problem_rows, 0);
  add('encoding', badRows > 0 ? 2 : 0, `${badRows} row(s) the source could not read in its declared encoding or layout (2 points)`);

  const text = tables.reduce((s, t) => s + t.free_text.text_columns, 0);
  const free = tables.reduce((s, t) => s + t.free_text.free_text_columns.length, 0);
  add('free_text', text > 0 && free / text > 0.25 ? 1 : 0, `${free} of ${text} text column(s) hold free text (1 point above 25%)`);

  const binary = tables.reduce((s, t) => s + t.binary.bytes, 0);
  add('binary', binary > 1024 ** 3 ? 2 : binary > 0 ? 1 : 0, `${binary} bytes of binary values (1 point, 2 above 1 GiB)`);

  const keyless = tables.filter((t) => t.rows > 0 && t.keys.candidate_keys.length === 0);
  add('no_key', Math.min(2, keyless.length), `${keyless.length} table(s) with no declared or candidate key (${keyless.map((t) => t.name).join(', ')}; 1 point each, at most 2)`);

  const points = reasons.reduce((s, r) => s + r.points, 0);
  const level = [...RATING_STEPS].reverse().find((s) => points >= s.from)!.level;
  return { level, points, reasons };
}

function hasOrphans(o: TableAssessment['orphans'][number]): boolean {
  return (o.orphan_rows ?? 0) > 0;
}

/** Rows repeating a key or identifier value: the largest count over the table's key and identifier columns. */
export function duplicateRows(t: Figures): number {
  return Math.max(t.keys.primary_key_duplicates?.duplicates ?? 0, ...t.keys.identifiers.map((i) => i.duplicates));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
