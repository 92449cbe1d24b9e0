/**
 * `ferry contract pin CONTRACT --source URL`: profiles the source and writes its schema into
 * the contract as the pinned `source.tables`, keeping every comment and the rest of the file.
 * A contract that loaded before must still load afterwards, or nothing is written.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadContractText } from '../contract/load.js';
import { FerryError } from '../errors.js';
import { printJson, type CliIO } from './io.js';
import type { Register } from './main.js';
import { profileOptions, type ProfileFlags } from './profile-options.js';

interface PinFlags extends ProfileFlags {
  source?: string;
  json?: boolean;
}

async function pin(file: string, flags: PinFlags, io: CliIO): Promise<number> {
  const url = flags.source ?? io.env.FERRY_SOURCE_URL;
  if (!url) throw new FerryError('usage', 'cli.no_source', 'no source: give --source URL or set FERRY_SOURCE_URL');
  const full = resolve(io.cwd, file);
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FerryError('not_found', 'contract.unreadable', `${file}: cannot read the contract (${code === 'ENOENT' ? 'no such file' : (code ?? String(err))})`);
  }
  // The profiler and the connectors load here, not at start-up: `ferry contract validate`
  // registers this subcommand too and must not pay for them.
  const [{ profileUrl }, { pinIntoYaml }, { pinnedSourceTables }] = await Promise.all([import('./profile.js'), import('../profile/pin.js'), import('../profile/pinned-schema.js')]);
  const validBefore = await loads(text, file, dirname(full));
  const profile = await profileUrl(url, flags);
  const result = pinIntoYaml(text, pinnedSourceTables(profile), file);
  if (validBefore) {
    try {
      await loadContractText(result.text, file, dirname(full));
    } catch (err) {
      if (!(err instanceof FerryError)) throw err;
      throw new FerryError(
        'contract',
        'pin.breaks_contract',
        `${file}: pinning ${profile.source} would make the contract invalid, so nothing was written; the mappings read columns the source does not have — fix them or the source first`,
        err.issues,
      );
    }
  }
  await writeFile(full, result.text);
  if (flags.json) printJson(io, { file, source: profile.source, replaced: result.replaced, added: result.added, kept: result.kept });
  else {
    io.out(`pinned ${result.replaced.length + result.added.length} source table(s) from ${profile.source} into ${file} (${result.replaced.length} replaced, ${result.added.length} added)`);
    if (result.kept.length) io.out(`kept ${result.kept.length} pinned table(s) the source does not have: ${result.kept.join(', ')}`);
  }
  return 0;
}

async function loads(text: string, file: string, dir: string): Promise<boolean> {
  try {
    await loadContractText(text, file, dir);
    return true;
  } catch (err) {
    if (err instanceof FerryError) return false;
    throw err;
  }
}

export const register: Register = (program: Command, io, setExit) => {
  const group = program.commands.find((c) => c.name() === 'contract');
  if (!group) throw new Error('the contract command group must be registered before contract pin');
  profileOptions(
    group
      .command('pin')
      .description("profile a source and write its schema into the contract's pinned source.tables, keeping comments and layout")
      .argument('<contract>', 'contract YAML file')
      .option('--source <url>', 'source URL (default $FERRY_SOURCE_URL)'),
  )
    .option('--json', 'print { file, source, replaced, added, kept } as JSON')
    .action(async (file: string, flags: PinFlags) => setExit(await pin(file, flags, io)));
};
