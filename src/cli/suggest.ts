/**
 * `ferry suggest --source URL --target-ddl FILE.sql`: a suggested source column (or none) for
 * every target column, with confidence, reason and transform steps; `--contract OUT.yaml`
 * writes them as a draft contract whose fields are all `status: suggested`.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadContract } from '../contract/load.js';
import { FerryError } from '../errors.js';
import { parseDdl } from '../profile/ddl.js';
import { draftContractText } from '../profile/draft.js';
import { suggestMappings } from '../profile/suggest.js';
import { printJson, type CliIO } from './io.js';
import type { Register } from './main.js';
import { profileOptions, type ProfileFlags } from './profile-options.js';
import { profileUrl } from './profile.js';

interface SuggestFlags extends ProfileFlags {
  source?: string;
  targetDdl: string;
  contract?: string;
  name?: string;
  force?: boolean;
  json?: boolean;
}

async function suggest(flags: SuggestFlags, io: CliIO): Promise<number> {
  const url = flags.source ?? io.env.FERRY_SOURCE_URL;
  if (!url) throw new FerryError('usage', 'cli.no_source', 'no source: give --source URL or set FERRY_SOURCE_URL');
  const ddlFile = resolve(io.cwd, flags.targetDdl);
  let ddlText: string;
  try {
    ddlText = await readFile(ddlFile, 'utf8');
  } catch (err) {
    throw new FerryError('not_found', 'suggest.ddl_unreadable', `${flags.targetDdl}: cannot read the target DDL (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const ddl = parseDdl(ddlText, flags.targetDdl);
  if (ddl.length === 0) throw new FerryError('usage', 'suggest.no_tables', `${flags.targetDdl}: no CREATE TABLE statement found; give the target schema as PostgreSQL DDL`);
  const profile = await profileUrl(url, flags);
  const result = suggestMappings(profile, ddl);
  if (flags.contract) await writeDraft(flags, profile, ddl, result, io);
  if (flags.json) {
    printJson(io, { suggestions: result.suggestions.map((s) => ({ target: s.target, source: s.source, confidence: s.confidence, reason: s.reason, transforms: s.transforms })) });
    return 0;
  }
  const width = Math.max(...result.suggestions.map((s) => s.target.length));
  for (const s of result.suggestions) io.out(`${s.target.padEnd(width)}  ${(s.source ?? '(none)').padEnd(28)} ${s.confidence.toFixed(2)}  ${s.reason}`);
  const mapped = result.suggestions.filter((s) => s.source !== null).length;
  io.out(
    `\n${mapped} of ${result.suggestions.length} target columns have a suggested source; ${result.suggestions.filter((s) => s.source !== null && s.confidence >= 0.8).length} at confidence ≥ 0.8`,
  );
  if (flags.contract) io.out(`wrote draft contract ${flags.contract} (every field status: suggested)`);
  return 0;
}

async function writeDraft(
  flags: SuggestFlags,
  profile: Parameters<typeof draftContractText>[0],
  ddl: Parameters<typeof draftContractText>[1],
  result: Parameters<typeof draftContractText>[2],
  io: CliIO,
): Promise<void> {
  const out = resolve(io.cwd, flags.contract!);
  if (!flags.force && (await exists(out))) throw new FerryError('usage', 'suggest.contract_exists', `${flags.contract} already exists; choose another file or pass --force to overwrite it`);
  const name = flags.name ?? identifierFrom(basename(flags.targetDdl).replace(/\.[^.]*$/, ''));
  const text = draftContractText(profile, ddl, result, name);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, text);
  // The draft is only useful if it loads; failing here means a bug in the writer, not in the input.
  await loadContract(out);
}

function identifierFrom(s: string): string {
  const id = s.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1');
  return id.length > 0 ? `${id}_draft` : 'draft';
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

export const register: Register = (program: Command, io, setExit) => {
  profileOptions(
    program
      .command('suggest')
      .description('suggest a source column, confidence, reason and transform steps for every target column of a DDL file')
      .option('--source <url>', 'source URL (default $FERRY_SOURCE_URL)')
      .requiredOption('--target-ddl <file>', 'target schema as PostgreSQL CREATE TABLE statements'),
  )
    .option('--contract <file>', 'write a draft contract in which every field has status: suggested')
    .option('--name <name>', 'metadata.name of the draft contract (default from the DDL file name)')
    .option('--force', 'overwrite an existing draft contract')
    .option('--json', 'print {"suggestions":[{target, source, confidence, reason, transforms}]} in DDL order')
    .action(async (flags: SuggestFlags) => setExit(await suggest(flags, io)));
};
