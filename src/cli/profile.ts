/**
 * `ferry profile SOURCE_URL`: what the legacy data really holds, per table and column. Thin:
 * parses flags, calls profileSource, prints text, JSON (the SourceProfile, docs/profiling.md)
 * or a self-contained HTML page.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { openSource } from '../connectors/registry.js';
import { profileSource } from '../profile/profile.js';
import { formatProfileHtml, formatProfileText } from '../profile/report.js';
import type { ProfileOptions, SourceProfile } from '../profile/types.js';
import { printJson, type CliIO } from './io.js';
import type { Register } from './main.js';
import { profileOptions, type ProfileFlags } from './profile-options.js';

/** Opens `url` and profiles it with the shared flags. */
export async function profileUrl(url: string, flags: ProfileFlags): Promise<SourceProfile> {
  const options: ProfileOptions = {
    tables: flags.tables
      ? flags.tables
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean)
      : undefined,
    sample: flags.sample,
    minFrequency: flags.minFrequency,
    seed: flags.seed,
  };
  const source = await openSource(url);
  try {
    return await profileSource(source, options);
  } finally {
    await source.close();
  }
}

async function profile(url: string, flags: ProfileFlags & { json?: boolean; html?: string }, io: CliIO): Promise<number> {
  const result = await profileUrl(url, flags);
  if (flags.html) await writeFile(resolve(io.cwd, flags.html), formatProfileHtml(result));
  if (flags.json) printJson(io, result);
  else {
    io.out(formatProfileText(result));
    if (flags.html) io.out(`\nwrote ${flags.html}`);
  }
  return 0;
}

export const register: Register = (program, io, setExit) => {
  profileOptions(
    program
      .command('profile')
      .description('profile a source: row counts, types, null/empty rates, distinct counts, patterns (NHS number, postcode, dates…), candidate keys and foreign keys')
      .argument('<source>', 'source URL: csv:DIR, ndjson:DIR, sqlite:FILE, postgres://…, mysql://…'),
  )
    .option('--json', 'print the profile as JSON (shape in docs/profiling.md)')
    .option('--html <file>', 'also write a self-contained HTML page to FILE')
    .action(async (url: string, flags: ProfileFlags & { json?: boolean; html?: string }) => setExit(await profile(url, flags, io)));
};
