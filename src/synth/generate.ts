/**
 * `ferry synth` as a library: generate N patients into CSV files or a database, with the defect
 * manifest alongside, and return a summary. Output depends only on the options: the same seed
 * and options give byte-identical files.
 */
import path from 'node:path';
import { openTarget } from '../connectors/registry.js';
import { parseConnectorUrl } from '../connectors/url.js';
import { csvConfig } from '../connectors/csv/config.js';
import { FerryError } from '../errors.js';
import { GenContext, type RowSink } from './context.js';
import { CsvSink, type CsvEncoding } from './csv-sink.js';
import { isoDate, isoToDays } from './dates.js';
import { cleanRates, DEFECT_KINDS, type DefectKind, type DefectRates } from './defects.js';
import { ManifestWriter } from './manifest.js';
import { generatePatient } from './patient.js';
import { buildPools } from './pools.js';
import { LEGACY_TABLES, toTargetTableDefs } from './schema.js';
import { TargetSink } from './target-sink.js';

export interface SynthOptions {
  seed: number;
  patients: number;
  /** Defect rates per kind; default none (clean). */
  rates?: DefectRates;
  /** The data set's "today" (ISO date): no clean event is later. Fixed by default for reproducibility. */
  asOf?: string;
  /** Called every few hundred patients and at the end. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface CsvSynthOptions extends SynthOptions {
  dir: string;
  encoding?: CsvEncoding;
  /** Manifest path; default `<dir>/defects.json`. */
  manifest?: string;
}

export interface SynthSummary {
  seed: number;
  patients: number;
  tables: Record<string, number>;
  defects: Record<DefectKind, number>;
  manifest: string;
  elapsedMs: number;
}

export const DEFAULT_AS_OF = '2025-06-30';
const PROGRESS_EVERY = 256;

type Sink = RowSink & { ready(): Promise<void> | undefined; rowCounts(): Record<string, number>; close(): Promise<void> };

function checkOptions(o: SynthOptions): void {
  if (!Number.isSafeInteger(o.seed)) throw new FerryError('usage', 'synth.bad_seed', `--seed must be an integer, got ${o.seed}`);
  if (!Number.isSafeInteger(o.patients) || o.patients < 1 || o.patients > 50_000_000) {
    throw new FerryError('usage', 'synth.bad_patients', `--patients must be an integer from 1 to 50,000,000, got ${o.patients}`);
  }
}

async function run(o: SynthOptions, sink: Sink, manifestFile: string): Promise<SynthSummary> {
  checkOptions(o);
  const started = performance.now();
  const rates = o.rates ?? cleanRates();
  const asOf = isoToDays(o.asOf ?? DEFAULT_AS_OF);
  const manifest = await ManifestWriter.open(manifestFile, { seed: o.seed, patients: o.patients, asOf: isoDate(asOf), rates });
  try {
    const ctx = new GenContext(o.seed, o.patients, asOf, rates, buildPools(o.seed), sink, manifest);
    for (let i = 0; i < o.patients; i++) {
      generatePatient(ctx, i);
      if ((i & (PROGRESS_EVERY - 1)) === PROGRESS_EVERY - 1) {
        o.signal?.throwIfAborted();
        const a = sink.ready();
        if (a) await a;
        const b = manifest.ready();
        if (b) await b;
        o.onProgress?.(i + 1, o.patients);
      }
    }
    await sink.close();
    await manifest.close();
  } catch (err) {
    manifest.destroy();
    throw err;
  }
  o.onProgress?.(o.patients, o.patients);
  const defects = Object.fromEntries(DEFECT_KINDS.map((k) => [k, manifest.counts[k]])) as Record<DefectKind, number>;
  return { seed: o.seed, patients: o.patients, tables: sink.rowCounts(), defects, manifest: manifestFile, elapsedMs: Math.round(performance.now() - started) };
}

/** Generates the legacy data set as CSV files in `options.dir`, with defects.json beside them. */
export async function generateToCsv(options: CsvSynthOptions): Promise<SynthSummary> {
  checkOptions(options);
  const dir = path.resolve(options.dir);
  const sink = await CsvSink.open(dir, LEGACY_TABLES, options.encoding ?? 'utf8');
  try {
    return await run(options, sink, path.resolve(options.manifest ?? path.join(dir, 'defects.json')));
  } catch (err) {
    sink.destroy();
    throw err;
  }
}

/** Generates the legacy data set into a database target (`sqlite:FILE`, `postgres://…`, `mysql://…`). */
export async function generateToTarget(spec: string, options: SynthOptions & { manifest: string }): Promise<SynthSummary> {
  checkOptions(options);
  const target = await openTarget(spec);
  try {
    const sink = await TargetSink.open(target, toTargetTableDefs(), `synth-${options.seed}`);
    return await run(options, sink, path.resolve(options.manifest));
  } finally {
    await target.close();
  }
}

/** Generates to any output URL: `csv:DIR[?encoding=windows-1252]` or a database target. */
export async function generateTo(out: string, options: SynthOptions & { manifest?: string }, cwd = process.cwd()): Promise<SynthSummary> {
  const url = parseConnectorUrl(out);
  if (url.kind === 'csv') {
    const cfg = csvConfig(url);
    if (cfg.delimiter !== ',' || cfg.quote !== '"') {
      throw new FerryError('usage', 'synth.csv_dialect', 'ferry synth writes comma-separated files with " quotes; drop the delimiter and quote options');
    }
    const encoding: CsvEncoding = cfg.encoding === 'utf8' ? 'utf8' : cfg.encoding === 'windows-1252' ? 'windows-1252' : unsupported(cfg.encoding);
    return generateToCsv({ ...options, dir: cfg.dir, encoding });
  }
  if (url.kind === 'ndjson') throw new FerryError('usage', 'synth.unsupported_output', 'ferry synth writes csv:DIR, sqlite:FILE, postgres://… or mysql://…, not ndjson');
  return generateToTarget(out, { ...options, manifest: options.manifest ?? path.resolve(cwd, 'defects.json') });
}

function unsupported(encoding: string): never {
  throw new FerryError('usage', 'synth.bad_encoding', `ferry synth writes CSV as utf8 or windows-1252, not ${encoding}`);
}
