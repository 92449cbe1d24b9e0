/**
 * The setup most suggestion tests share: a legacy export written as one CSV file per table in
 * a fresh temporary directory, profiled as `ferry profile` would (sample 500), and the
 * suggestions for a target DDL.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openSource } from '../../src/connectors/registry.js';
import { parseDdl } from '../../src/profile/ddl.js';
import { profileSource } from '../../src/profile/profile.js';
import { suggestMappings, type SuggestResult } from '../../src/profile/suggest.js';
import type { SourceProfile } from '../../src/profile/types.js';
import { tempDir } from '../helpers/tmp.js';

/** Writes each table's lines (header first) as NAME.csv in a fresh directory and profiles it; `cleanup` removes the directory. */
export async function profileCsvExport(files: Record<string, readonly string[]>): Promise<{ profile: SourceProfile; dir: string; cleanup: () => Promise<void> }> {
  const t = await tempDir();
  const dir = path.join(t.dir, 'export');
  await mkdir(dir);
  for (const [name, lines] of Object.entries(files)) await writeFile(path.join(dir, `${name}.csv`), lines.join('\n') + '\n');
  const source = await openSource(`csv:${dir}`);
  try {
    return { profile: await profileSource(source, { sample: 500 }), dir, cleanup: t.cleanup };
  } finally {
    await source.close();
  }
}

/** profileCsvExport, then the suggestions for `ddl`. */
export async function suggestForCsvExport(files: Record<string, readonly string[]>, ddl: string): Promise<{ result: SuggestResult; cleanup: () => Promise<void> }> {
  const { profile, cleanup } = await profileCsvExport(files);
  return { result: suggestMappings(profile, parseDdl(ddl)), cleanup };
}
