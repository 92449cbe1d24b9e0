/**
 * The automap benchmark: profiles each labelled legacy schema, suggests mappings into the EPR
 * target DDL and scores them against the ground truth. Top-1 accuracy counts a target column as
 * right when the suggested source is the labelled one (or one of the labelled alternatives), or
 * when both are none. Precision at confidence ≥ 0.8 is over the suggestions an analyst would be
 * tempted to accept without looking: non-null sources at that confidence or above.
 *
 * Split (`SPLIT` below; docs/profiling.md has the rounds): every schema looked at in a round
 * becomes a training schema, and each round's fresh schemas, written without reading the matcher,
 * are held out until their one scoring. Now held out: "vendor6a" and "vendor6b"
 * (bench/automap/vendors-round6.ts, scored once in round 6).
 * Run: `node --import tsx bench/automap/run.ts`; `AUTOMAP_SPLIT=train` scores only the training
 * schemas (what tuning runs), `AUTOMAP_ERRORS=all|train|held-out|none` lists the misses.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { openSource } from '../../src/connectors/registry.js';
import { parseDdl } from '../../src/profile/ddl.js';
import { profileSource } from '../../src/profile/profile.js';
import { suggestMappings } from '../../src/profile/suggest.js';
import { buildDatasets } from './build.js';

const HERE = path.dirname(new URL(import.meta.url).pathname);

export const SPLIT: Record<string, 'train' | 'held-out'> = {
  pas: 'train',
  camel: 'train',
  terse: 'train',
  synthea: 'train',
  nordic: 'train',
  fhir: 'train',
  millennium: 'train',
  clarity: 'train',
  ipm: 'train',
  openmrs: 'train',
  vendor5a: 'train',
  vendor5b: 'train',
  vendor6a: 'held-out',
  vendor6b: 'held-out',
};

type Truth = Record<string, string | null | Array<string | null>>;

export interface SchemaScore {
  schema: string;
  split: 'train' | 'held-out';
  targets: number;
  correct: number;
  confident: number;
  confidentCorrect: number;
  errors: string[];
}

/** Scores one schema's suggestions against its ground truth. */
export async function scoreSchema(schema: string, url: string): Promise<SchemaScore> {
  const truth = JSON.parse(await readFile(path.join(HERE, 'truth', `${schema}.json`), 'utf8')) as Truth;
  const ddl = parseDdl(await readFile(path.join(HERE, 'target-epr.sql'), 'utf8'), 'target-epr.sql');
  const source = await openSource(url);
  try {
    const profile = await profileSource(source, { sample: 2000 });
    const { suggestions } = suggestMappings(profile, ddl);
    const s: SchemaScore = { schema, split: SPLIT[schema], targets: 0, correct: 0, confident: 0, confidentCorrect: 0, errors: [] };
    for (const sug of suggestions) {
      const expected = truth[sug.target];
      const ok = (Array.isArray(expected) ? expected : [expected ?? null]).includes(sug.source);
      s.targets++;
      if (ok) s.correct++;
      else s.errors.push(`${sug.target}: got ${sug.source ?? 'none'} (${sug.confidence}), expected ${JSON.stringify(expected ?? null)} | ${sug.reason}`);
      if (sug.source !== null && sug.confidence >= 0.8) {
        s.confident++;
        if (ok) s.confidentCorrect++;
      }
    }
    return s;
  } finally {
    await source.close();
  }
}

/** Runs the benchmark and returns its markdown section (the lead wires it into `npm run bench`). */
export async function benchAutomap(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-automap-'));
  try {
    const urls = await buildDatasets(dir);
    const scores: SchemaScore[] = [];
    for (const [schema, url] of Object.entries(urls)) scores.push(await scoreSchema(schema, url));
    return formatScores(scores);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The markdown table: per schema and per split. */
export function formatScores(scores: SchemaScore[]): string {
  const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`);
  const rows = scores.map((s) => `| ${s.schema} | ${s.split} | ${s.targets} | ${pct(s.correct, s.targets)} | ${pct(s.confidentCorrect, s.confident)} (${s.confident}) |`);
  for (const split of ['train', 'held-out'] as const) {
    const g = scores.filter((s) => s.split === split);
    if (g.length === 0) continue;
    const sum = (f: (s: SchemaScore) => number) => g.reduce((n, s) => n + f(s), 0);
    rows.push(
      `| **all ${split}** | ${split} | ${sum((s) => s.targets)} | **${pct(
        sum((s) => s.correct),
        sum((s) => s.targets),
      )}** | **${pct(
        sum((s) => s.confidentCorrect),
        sum((s) => s.confident),
      )}** (${sum((s) => s.confident)}) |`,
    );
  }
  return ['| schema | split | target columns | top-1 accuracy | precision at confidence ≥ 0.8 (suggestions) |', '| --- | --- | ---: | ---: | ---: |', ...rows].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(HERE, 'run.ts')) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-automap-'));
  try {
    const only = process.env.AUTOMAP_SPLIT;
    const urls = await buildDatasets(dir, (schema) => !only || SPLIT[schema] === only);
    const scores: SchemaScore[] = [];
    for (const [schema, url] of Object.entries(urls)) scores.push(await scoreSchema(schema, url));
    console.log(formatScores(scores));
    const show = process.env.AUTOMAP_ERRORS ?? 'train';
    for (const s of scores) if (show === 'all' || s.split === show) for (const e of s.errors) console.log(`  ${s.schema}: ${e}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
