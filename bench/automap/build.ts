/**
 * Builds the benchmark's source data sets deterministically: the synthetic PAS exactly as
 * `ferry synth` writes it, the same rows renamed and reformatted into the "camel" and "terse"
 * vendors' conventions, the "nordic" and "fhir" vendors (held out in round 2), the
 * "millennium" and "clarity" vendors (held out in round 3), the round-4 held-out "ipm" and
 * "openmrs" vendors and the round-5 held-out "vendor5a" and "vendor5b" vendors
 * (bench/automap/vendors-round5.ts), the round-6 held-out "vendor6a" and "vendor6b" vendors
 * (bench/automap/vendors-round6.ts) from synthetic PAS rows of their own seeds, and the Synthea
 * CSV sample kept in bench/automap/data/synthea (Apache-2.0, see its NOTICE.md).
 */
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { generateToCsv } from '../../src/synth/generate.js';
import { LEGACY_TABLES } from '../../src/synth/schema.js';
import { compileDateFormat } from '../../src/contract/date-format.js';
import { CAMEL, TERSE, type Vendor } from './vendors.js';
import { FHIR, NORDIC } from './vendors-heldout.js';
import { CLARITY, MILLENNIUM } from './vendors-round3.js';
import { IPM, OPENMRS } from './vendors-round4.js';
import { VENDOR5A, VENDOR5B } from './vendors-round5.js';
import { VENDOR6A, VENDOR6B } from './vendors-round6.js';

export const SYNTHEA_DIR = process.env.FERRY_SYNTHEA_DIR ?? path.join(path.dirname(new URL(import.meta.url).pathname), 'data', 'synthea');
const SYNTHEA_TABLES = ['patients', 'encounters', 'conditions', 'procedures', 'medications', 'observations', 'allergies', 'organizations', 'providers', 'immunizations', 'careplans'];
const SEED = 7;
const PATIENTS = 300;

/**
 * Writes the data sets `wanted` accepts (default all) under `dir` and returns each one's connector
 * URL (synthea omitted when its files are absent). Tuning runs build the training split only, so
 * held-out data is never generated where the tuner works.
 */
export async function buildDatasets(dir: string, wanted: (schema: string) => boolean = () => true): Promise<Record<string, string>> {
  const pas = path.join(dir, 'pas');
  await generateToCsv({ dir: pas, seed: SEED, patients: PATIENTS });
  // The PAS rows are every vendor's starting point; they are a data set of their own only when wanted.
  const out: Record<string, string> = wanted('pas') ? { pas: `csv:${pas}` } : {};
  for (const v of [CAMEL, TERSE, NORDIC, FHIR, MILLENNIUM, CLARITY, IPM, OPENMRS, VENDOR5A, VENDOR5B, VENDOR6A, VENDOR6B]) {
    if (!wanted(v.name)) continue;
    let from = pas;
    if (v.seed !== undefined && v.seed !== SEED) {
      from = path.join(dir, `pas-seed-${v.seed}`);
      await generateToCsv({ dir: from, seed: v.seed, patients: PATIENTS });
    }
    out[v.name] = `csv:${await rewrite(from, path.join(dir, v.name), v)}`;
  }
  if (wanted('synthea') && (await exists(path.join(SYNTHEA_DIR, 'patients.csv')))) {
    const target = path.join(dir, 'synthea');
    await mkdir(target, { recursive: true });
    for (const t of SYNTHEA_TABLES) await writeFile(path.join(target, `${t}.csv`), await readFile(path.join(SYNTHEA_DIR, `${t}.csv`)));
    out.synthea = `csv:${target}`;
  }
  return out;
}

const DDMMYYYY = compileDateFormat('dd/mm/yyyy');

async function rewrite(from: string, to: string, v: Vendor): Promise<string> {
  await mkdir(to, { recursive: true });
  const out = v.dateFormat === 'dd/mm/yyyy' ? null : compileDateFormat(v.dateFormat);
  for (const table of LEGACY_TABLES) {
    const spec = v.tables[table.name];
    if (!spec) continue;
    const values = v.values?.[table.name] ?? {};
    const rows = parse(await readFile(path.join(from, `${table.name}.csv`)), { relaxColumnCount: false }) as string[][];
    const header = rows[0];
    const keep = header.map((h, i) => ({ i, name: spec.columns[h] })).filter((k): k is { i: number; name: string } => typeof k.name === 'string');
    const extras = Object.entries(v.extras[table.name] ?? {});
    const dateCols = new Set(table.columns.filter((c) => c.description.includes('dd/mm/yyyy')).map((c) => c.name));
    const body = rows.slice(1).map((r, n) => [
      ...keep.map(({ i }) => {
        let cell = r[i];
        if (dateCols.has(header[i]) && out && cell) cell = out.format(DDMMYYYY.parse(cell.trim(), 30) ?? '') ?? cell;
        if (v.unpad) cell = cell.trim();
        const write = values[header[i]];
        return write ? write(cell, n) : cell;
      }),
      ...extras.map(([, fill]) => fill(n)),
    ]);
    const text = stringify([[...keep.map((k) => k.name), ...extras.map(([name]) => name)], ...body]);
    await writeFile(path.join(to, `${spec.name}.csv`), text);
  }
  return to;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
