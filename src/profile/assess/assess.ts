/**
 * `assessSource`: the readiness assessment of a legacy source, built on one profiling pass
 * (profileSourceFacts) and its streamed statistics; only key columns whose orphans or duplicates
 * the sketches could merely estimate are read again (recount.ts). Per table:
 * volume, key quality, free text, code fields and their crosswalk work, date chaos, orphans,
 * binary volume and encoding problems; then an effort estimate per table and an overall rating
 * (rating.ts), and with a contract, how much of its targets it already fills.
 */
import type { Source } from '../../connectors/connector.js';
import { contractDigest } from '../../contract/canonical.js';
import type { LoadedContract } from '../../contract/model.js';
import { round } from '../column-profile.js';
import type { ColumnStats } from '../column-stats.js';
import { chosenKey, foreignKeyCandidates, type TableFacts } from '../keys.js';
import { analyseName, resolveConcepts } from '../names.js';
import { PROFILE_DEFAULTS, profileSourceFacts } from '../profile.js';
import type { ForeignKeyCandidate, ProfileOptions, TableProfile } from '../types.js';
import { CodeResolver, isCodeField, NATIONAL_PATTERNS } from './codes.js';
import { contractCoverage } from './coverage.js';
import { dateColumn } from './dates.js';
import { exactDuplicates, orphanFigures, type RecountOptions } from './recount.js';
import type { Assessment, DateColumn, Orphan, TableAssessment } from './model.js';
import { complexityRating, tableEffort } from './rating.js';

export interface AssessOptions extends ProfileOptions {
  /** With a contract: its crosswalks count as covering codes, and its coverage of the targets is reported. */
  contract?: LoadedContract;
  /** The time to stamp the assessment with (tests pin it). */
  now?: Date;
  /** Most rows whose key values are loaded to count orphans and duplicates exactly where the profile's sketches only estimate them (recount.ts). */
  maxExactKeys?: number;
}

/** A near-unique column is meant to identify a record when this share of its values is distinct. */
const NEAR_UNIQUE = 0.9;
const IDENTIFIER_PATTERNS = new Set(['nhs_number', 'uuid']);
const IDENTIFIER_CONCEPTS = new Set(['id', 'number']);
/**
 * Containment a column named after another table's key needs to count as a reference to it here.
 * Profiling asks 90% of distinct values; orphans are usually distinct values each, so a reference
 * with a few percent orphan rows can fall below that and its orphans would go unreported.
 */
const NAMED_REFERENCE = 0.5;
const CODE_SHAPED = 0.9;

/** Assesses the source's tables (all, or `options.tables`). */
export async function assessSource(source: Source, options: AssessOptions = {}): Promise<Assessment> {
  const started = performance.now();
  const dates = new Map<string, DateColumn[]>();
  const { profile, facts } = await profileSourceFacts(source, options, (table, columns, sample) => {
    // Whether the sample was the whole table is known once the profile is assembled: set below.
    dates.set(
      table,
      columns.map((c, i) => dateColumn(c, sample[i], false)).filter((d): d is DateColumn => d !== null),
    );
  });
  const resolver = await CodeResolver.open(options.contract ?? null);
  const byName = new Map(facts.map((f) => [f.name, f]));
  const references = foreignKeyCandidates(facts, new Map(profile.tables.map((t) => [t.name, chosenKey(t.candidate_keys)])), NAMED_REFERENCE);
  const recount: RecountOptions = { sliceRows: options.sliceRows ?? PROFILE_DEFAULTS.sliceRows, signal: options.signal, maxExactKeys: options.maxExactKeys };
  const orphans = await orphanFigures(source, references, byName, recount);
  const tables: TableAssessment[] = [];
  for (const t of profile.tables) {
    const fact = byName.get(t.name)!;
    const found = (dates.get(t.name) ?? []).map((d) => ({ ...d, estimated: t.sample_estimated }));
    const figures = tableFigures(t, fact, references.get(t.name) ?? [], orphans.get(t.name) ?? [], resolver, found);
    await recountDuplicates(source, fact, figures.keys, recount);
    tables.push({ ...figures, effort: tableEffort(figures) });
  }
  const contract = options.contract;
  return {
    assessment_version: 1,
    source: profile.source,
    generated_at: (options.now ?? new Date()).toISOString(),
    elapsed_ms: Math.round(performance.now() - started),
    options: profile.options,
    contract: contract ? { name: contract.contract.metadata.name, version: contract.contract.metadata.version, digest: contractDigest(contract) } : null,
    totals: {
      tables: tables.length,
      rows: sum(tables, (t) => t.rows),
      columns: sum(tables, (t) => t.columns),
      approx_bytes: sum(tables, (t) => t.approx_bytes),
      binary_bytes: sum(tables, (t) => t.binary.bytes),
      analyst_days: Math.round(sum(tables, (t) => t.effort.analyst_days) * 100) / 100,
    },
    rating: complexityRating(tables),
    tables,
    coverage: contract
      ? contractCoverage(
          contract.contract,
          facts.map((f) => ({ name: f.name, columns: f.columns.map((c) => c.name) })),
        )
      : null,
  };
}

function tableFigures(t: TableProfile, fact: TableFacts, fks: ForeignKeyCandidate[], orphans: Orphan[], resolver: CodeResolver, dates: DateColumn[]): Omit<TableAssessment, 'effort'> {
  const stat = (column: string) => fact.stats[fact.columns.findIndex((c) => c.name === column)];
  const key = t.declared_primary_key.length > 0 ? t.declared_primary_key : (t.candidate_keys[0]?.columns ?? []);
  const fkColumns = new Set(fks.flatMap((f) => f.columns));
  const keyColumns = new Set(key);
  const dateColumns = new Set(dates.map((d) => d.column));

  const identifiers = t.columns.flatMap((p, i) => {
    const s = fact.stats[i];
    if (keyColumns.has(p.name) || fkColumns.has(p.name) || s.filled === 0 || !isIdentifier(p.name, p.dominant_pattern)) return [];
    const d = s.distinct();
    if (d.count < NEAR_UNIQUE * s.filled) return [];
    return [{ column: p.name, filled: s.filled, distinct: d.count, duplicates: repeated(s, d), estimated: d.estimated }];
  });

  const codeFields = t.columns
    .map((p, i) => ({ p, s: fact.stats[i] }))
    .filter(
      ({ p, s }) =>
        !keyColumns.has(p.name) && !fkColumns.has(p.name) && !dateColumns.has(p.name) && !identifiers.some((x) => x.column === p.name) && isCodeField(p, s, resolver.knownCoded(t.name, p.name)),
    )
    .map(({ p, s }) => resolver.codeField(t.name, p.name, s));

  const textColumns = t.columns.filter((c, i) => c.inferred_type === 'text' && fact.stats[i].filled > 0);
  // Identifiers and columns of many codes (clinic codes, row ids of another system) fall back to free text in profiling; they are not prose.
  const freeText = textColumns
    .filter((c) => c.dominant_pattern === 'free_text' && !identifiers.some((x) => x.column === c.name) && (c.patterns.find((x) => x.class === 'code')?.fraction ?? 0) < CODE_SHAPED)
    .map((c) => c.name);
  const binary = fact.columns.filter((c, i) => c.type === 'binary' || fact.stats[i].binaryValues > 0).map((c) => c.name);
  const problems = t.source_problems ?? [];

  return {
    name: t.name,
    rows: t.rows,
    columns: t.columns.length,
    approx_bytes: sum(fact.stats, (s) => s.characters + s.binaryBytes),
    sample_estimated: t.sample_estimated,
    keys: {
      declared_primary_key: t.declared_primary_key,
      candidate_keys: t.candidate_keys.map((k) => k.columns),
      primary_key_duplicates: key.length === 1 && stat(key[0]) ? keyDuplicates(key[0], stat(key[0])) : null,
      identifiers,
    },
    free_text: { text_columns: textColumns.length, free_text_columns: freeText, share: textColumns.length ? round(freeText.length / textColumns.length) : null },
    code_fields: codeFields,
    national_code_fields: t.columns
      .filter((c) => c.dominant_pattern !== null && NATIONAL_PATTERNS.has(c.dominant_pattern) && !identifiers.some((x) => x.column === c.name))
      .map((c) => ({ column: c.name, pattern: c.dominant_pattern! })),
    dates,
    orphans,
    binary: { columns: binary, values: sum(fact.stats, (s) => s.binaryValues), bytes: sum(fact.stats, (s) => s.binaryBytes) },
    encoding: {
      problem_rows: sum(problems, (p) => p.rows),
      problems: problems.map((p) => ({ column: p.column, reason_code: p.reason_code, rows: p.rows, likely_encoding: p.likely_encoding })),
    },
  };
}

// Replaces sketch estimates of repeated key and identifier values by exact counts where the values fit in memory.
async function recountDuplicates(source: Source, fact: TableFacts, keys: TableAssessment['keys'], o: RecountOptions): Promise<void> {
  const pk = keys.primary_key_duplicates;
  if (pk?.estimated) {
    const exact = await exactDuplicates(source, fact, pk.column, o);
    if (exact !== null) Object.assign(pk, { duplicates: exact, estimated: false });
  }
  for (const id of keys.identifiers.filter((x) => x.estimated)) {
    const exact = await exactDuplicates(source, fact, id.column, o);
    if (exact !== null) Object.assign(id, { duplicates: exact, distinct: id.filled - exact, estimated: false });
  }
}

// Record identifiers by their values (NHS numbers, UUIDs) or by their names (…ID, …NO, …NUMBER).
function isIdentifier(name: string, pattern: string | null): boolean {
  if (pattern !== null && IDENTIFIER_PATTERNS.has(pattern)) return true;
  const concepts = resolveConcepts(analyseName(name));
  return concepts.length > 0 && IDENTIFIER_CONCEPTS.has(concepts[concepts.length - 1]);
}

function keyDuplicates(column: string, s: ColumnStats): { column: string; duplicates: number; estimated: boolean } {
  const d = s.distinct();
  return { column, duplicates: repeated(s, d), estimated: d.estimated };
}

/**
 * Values repeating another row's: exact while the column fits the exact limit; from the
 * HyperLogLog estimate beyond it, where a count within three standard errors of the filled rows
 * is as unique as a sketch can tell (the same test profiling's candidate keys use), so noise is
 * not reported as duplicates.
 */
function repeated(s: ColumnStats, d: { count: number; estimated: boolean }): number {
  const gap = Math.max(0, s.filled - d.count);
  return d.estimated && gap <= 3 * s.hll.standardError * s.filled ? 0 : gap;
}

function sum<T>(xs: readonly T[], f: (x: T) => number): number {
  return xs.reduce((s, x) => s + f(x), 0);
}
