/**
 * `ferry profile SOURCE_URL`: what the legacy data really holds, per table and column. Thin:
 * parses flags, calls profileSource, prints text, JSON (the SourceProfile, docs/profiling.md)
 * or a self-contained HTML page.
 */
import { openSource } from '../connectors/registry.js';
import { profileSource } from '../profile/profile.js';
import { formatProfileHtml, formatProfileText } from '../profile/report.js';
import type { SourceProfile } from '../profile/types.js';
import type { CliIO } from './io.js';
import type { Register } from './main.js';
import { printReport, profileOptions, profilerOptions, type ProfileFlags } from './profile-options.js';

/** Opens `url` and profiles it with the shared flags. */
export async function profileUrl(url: string, flags: ProfileFlags): Promise<SourceProfile> {
  const source = await openSource(url);
  try {
    return await profileSource(source, profilerOptions(flags));
  } finally {
    await source.close();
  }
}

async function profile(url: string, flags: ProfileFlags & { json?: boolean; html?: string }, io: CliIO): Promise<number> {
  await printReport(io, flags, await profileUrl(url, flags), formatProfileText, formatProfileHtml);
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
