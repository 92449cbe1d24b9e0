/**
 * `profileSource`: one streaming pass per table over any connector. Cheap figures (counts,
 * lengths, numeric ranges, distinct values, frequent values, sketches) see every row; pattern
 * classes and inferred types are judged on a seeded reservoir sample. Memory stays flat
 * however large the table: per column a capped map, a 16 KiB HyperLogLog and a 1,024-hash
 * sketch, per table the sample.
 */
import type { Source, TableInfo, Value } from '../connectors/connector.js';
import { FerryError } from '../errors.js';
import { profileColumn } from './column-profile.js';
import { ColumnStats, textOf } from './column-stats.js';
import { candidateKeys, chosenKey, foreignKeyCandidates, type TableFacts } from './keys.js';
import { detachedString } from '../transform/text-value.js';
import { Reservoir } from './reservoir.js';
import { SourceProblemTally } from './source-problems.js';
import type { ColumnProfile, ProfileOptions, SourceProblem, SourceProfile, TableProfile } from './types.js';

export const PROFILE_DEFAULTS = { sample: 10_000, minFrequency: 5, exactLimit: 10_000, seed: 1, sliceRows: 5_000, topN: 10 } as const;

/** Profiles the tables of a source: see SourceProfile for what is measured and what is estimated. */
export async function profileSource(source: Source, options: ProfileOptions = {}): Promise<SourceProfile> {
  return (await profileSourceFacts(source, options)).profile;
}

/**
 * Called once per table with its column profiles while its reservoir sample is still in memory
 * (trimmed text per column, empties dropped), so a caller can judge more from the same sample
 * without a second pass.
 */
export type SampleInspector = (table: string, columns: ColumnProfile[], sample: string[][]) => void;

/**
 * The profile together with the streamed statistics behind it (exact value counts up to the
 * exact limit, sketches beyond it), for callers that count more than the profile shows, such as
 * the readiness assessment (orphan rows, duplicate identifiers, code coverage). The statistics
 * hold values and never leave the process.
 */
export async function profileSourceFacts(source: Source, options: ProfileOptions = {}, inspect?: SampleInspector): Promise<{ profile: SourceProfile; facts: TableFacts[] }> {
  const o: Resolved = { ...PROFILE_DEFAULTS, ...definedOnly(options) };
  checkOptions(o);
  const schema = await source.introspect();
  const tables = pickTables(schema.tables, options.tables);
  const facts: TableFacts[] = [];
  const sampledRows = new Map<string, number>();
  const problems = new Map<string, SourceProblem[]>();
  for (const info of tables) {
    const { fact, sampled, problems: found } = await scanTable(source, info, o, inspect);
    facts.push(fact);
    sampledRows.set(info.name, sampled);
    if (found) problems.set(info.name, found);
  }
  const keys = new Map(facts.map((f) => [f.name, candidateKeys(f)]));
  const chosen = new Map(facts.map((f) => [f.name, chosenKey(keys.get(f.name)!)]));
  const fks = foreignKeyCandidates(facts, chosen);
  const out: TableProfile[] = facts.map((f) => ({
    name: f.name,
    rows: f.rows,
    sampled: sampledRows.get(f.name)!,
    sample_estimated: sampledRows.get(f.name)! < f.rows,
    declared_primary_key: f.declaredPrimaryKey,
    columns: f.profiles,
    candidate_keys: keys.get(f.name)!,
    foreign_keys: fks.get(f.name) ?? [],
    ...(problems.has(f.name) ? { source_problems: problems.get(f.name) } : {}),
  }));
  const profile: SourceProfile = {
    profile_version: 1,
    source: source.displayUrl,
    options: { sample: o.sample, min_frequency: o.minFrequency, exact_limit: o.exactLimit, seed: o.seed },
    tables: out,
  };
  return { profile, facts };
}

type Resolved = ProfileOptions & { sample: number; minFrequency: number; exactLimit: number; seed: number; sliceRows: number; topN: number };

async function scanTable(source: Source, info: TableInfo, o: Resolved, inspect: SampleInspector | undefined): Promise<{ fact: TableFacts; sampled: number; problems?: SourceProblem[] }> {
  const names = info.columns.map((c) => c.name);
  const stats = info.columns.map(() => new ColumnStats(o.exactLimit, undefined, o.minFrequency));
  // One PRNG stream per table: adding a table to --tables does not change another table's sample.
  const reservoir = new Reservoir<Value[]>(o.sample, o.seed, hashName(info.name));
  const problems = new SourceProblemTally();
  let rows = 0;
  for await (const slice of source.read(info.name, { columns: names, sliceRows: o.sliceRows, signal: o.signal })) {
    if (slice.problems) problems.add(slice.problems);
    for (const row of slice.rows) {
      for (let i = 0; i < stats.length; i++) stats[i].add(row[i]);
      if (reservoir.wants()) reservoir.offer(row.map((v) => (typeof v === 'string' ? detachedString(v) : v)));
      else reservoir.offer(row);
    }
    rows += slice.rows.length;
    o.onProgress?.(info.name, rows);
  }
  const sample = reservoir.items;
  const texts = info.columns.map((_, i) => sample.map((r) => (r[i] === null || r[i] === undefined ? '' : textOf(r[i] as Value).trim())).filter((v) => v.length > 0));
  const profiles = info.columns.map((col, i) =>
    profileColumn({
      info: col,
      stats: stats[i],
      sample: texts[i],
      sampled: sample.length < rows,
      minFrequency: o.minFrequency,
      topN: o.topN,
    }),
  );
  inspect?.(info.name, profiles, texts);
  const found = problems.result();
  return {
    fact: { name: info.name, rows, columns: info.columns, stats, profiles, declaredPrimaryKey: info.primaryKey, declaredForeignKeys: info.foreignKeys },
    sampled: sample.length,
    ...(found.length ? { problems: found } : {}),
  };
}

function pickTables(all: TableInfo[], wanted: string[] | undefined): TableInfo[] {
  if (!wanted || wanted.length === 0) return all;
  const byName = new Map(all.map((t) => [t.name.toLowerCase(), t]));
  const missing = wanted.filter((w) => !byName.has(w.toLowerCase()));
  if (missing.length > 0) {
    throw new FerryError('usage', 'profile.unknown_table', `the source has no table(s) ${missing.join(', ')}; it has ${all.map((t) => t.name).join(', ') || 'no tables'}`);
  }
  return wanted.map((w) => byName.get(w.toLowerCase())!);
}

function checkOptions(o: Resolved): void {
  const whole = (name: string, v: number, min: number) => {
    if (!Number.isSafeInteger(v) || v < min) throw new FerryError('usage', 'profile.bad_option', `${name} must be a whole number of at least ${min}, got ${v}`);
  };
  whole('sample', o.sample, 1);
  whole('min frequency', o.minFrequency, 1);
  whole('exact limit', o.exactLimit, 1);
  whole('slice rows', o.sliceRows, 1);
  whole('top values', o.topN, 0);
  if (!Number.isSafeInteger(o.seed)) throw new FerryError('usage', 'profile.bad_option', `seed must be an integer, got ${o.seed}`);
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function hashName(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 31) + name.charCodeAt(i)) | 0;
  return h >>> 0;
}
