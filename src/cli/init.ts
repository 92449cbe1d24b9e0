/**
 * `ferry init DIR`: scaffolds a project with a starter contract that validates as written, so
 * an analyst starts from something that works and edits towards their own system.
 */
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { FerryError } from '../errors.js';
import { contractName, scaffoldFiles } from '../contract/scaffold.js';
import type { CliIO } from './io.js';
import type { Register } from './main.js';

interface InitFlags {
  force?: boolean;
  name?: string;
}

/** Writes the starter files into `dir`; refuses a non-empty directory unless `force`. */
export async function initProject(dir: string, flags: InitFlags, io: CliIO): Promise<string[]> {
  const root = resolve(io.cwd, dir);
  const info = await stat(root).catch(() => undefined);
  if (info && !info.isDirectory()) throw new FerryError('usage', 'init.not_a_directory', `${dir} exists and is not a directory`);
  if (info && !flags.force && (await readdir(root)).length > 0)
    throw new FerryError('usage', 'init.not_empty', `${dir} is not empty; choose a new directory, or use --force to write the starter files into it (files with the same names are overwritten)`);
  const name = flags.name ?? contractName(basename(root));
  if (!/^[A-Za-z_][A-Za-z0-9_$#]*$/.test(name)) throw new FerryError('usage', 'init.bad_name', `--name '${name}' is not an identifier; use letters, digits and underscores, not starting with a digit`);

  const written: string[] = [];
  for (const [path, content] of Object.entries(scaffoldFiles(name))) {
    const full = join(root, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
    written.push(relative(io.cwd, full) || path);
  }
  return written;
}

export const register: Register = (program: Command, io, setExit) => {
  program
    .command('init')
    .description('create a new migration project: a starter contract, a crosswalk, .env.example and a README')
    .argument('<dir>', 'directory to create (must be empty or missing)')
    .option('--force', 'write into a non-empty directory, overwriting starter files of the same name')
    .option('--name <name>', 'contract name (default: derived from the directory name)')
    .action(async (dir: string, flags: InitFlags) => {
      const written = await initProject(dir, flags, io);
      for (const f of written) io.out(`created ${f}`);
      io.out(`next: edit ${join(dir, 'contract.yaml')}, then run: ferry contract validate ${join(dir, 'contract.yaml')}`);
      setExit(0);
    });
};
