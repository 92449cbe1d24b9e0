/** Shared helpers for the synth tests: temporary directories, CSV reading, hashing. */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll } from 'vitest';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A fresh temporary directory removed after the file's tests. */
export async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'ferry-synth-'));
  dirs.push(d);
  return d;
}

/** Reads `<dir>/<table>.csv` (UTF-8) into records keyed by header. */
export async function readTable(dir: string, table: string): Promise<Record<string, string>[]> {
  return parse(await readFile(path.join(dir, `${table}.csv`)), { columns: true, relax_column_count: false }) as Record<string, string>[];
}

/** SHA-256 of every file in a directory, by file name. */
export async function hashDir(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await readdir(dir)).sort())
    out[f] = createHash('sha256')
      .update(await readFile(path.join(dir, f)))
      .digest('hex');
  return out;
}

/** The parsed defects.json of a CSV output directory. */
export async function readManifest(file: string) {
  return JSON.parse(await readFile(file, 'utf8')) as import('../../src/synth/manifest.js').DefectManifest;
}
