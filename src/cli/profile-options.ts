/**
 * The options shared by the commands that profile a source (`profile`, `suggest`, `contract
 * pin`), apart from the profiler itself, so registering a command does not load the profiler.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { FerryError } from '../errors.js';
import type { ProfileOptions } from '../profile/types.js';
import { printJson, type CliIO } from './io.js';

/** Flags shared by the commands that profile a source. */
export interface ProfileFlags {
  tables?: string;
  sample?: number;
  minFrequency?: number;
  seed?: number;
}

/** Parses a whole-number flag of at least `min`. */
export function wholeNumber(flag: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min) throw new FerryError('usage', 'cli.bad_number', `${flag} must be a whole number of at least ${min}, got "${value}"`);
    return n;
  };
}

/** Adds --tables, --sample, --min-frequency and --seed to a command. */
export function profileOptions(cmd: Command): Command {
  return cmd
    .option('--tables <names>', 'comma-separated tables to profile (default all)')
    .option('--sample <n>', 'rows per table sampled (seeded reservoir) for pattern classes and inferred types', wholeNumber('--sample', 1))
    .option('--min-frequency <k>', 'hide top values seen fewer than K times, and min/max held by fewer than K rows (rare values can identify a person)', wholeNumber('--min-frequency', 1), 5)
    .option('--seed <n>', 'seed of the sampler: the same source and seed give the same profile', wholeNumber('--seed', 0), 1);
}

/** The profiler options the shared flags stand for. */
export function profilerOptions(flags: ProfileFlags): ProfileOptions {
  return {
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
}

/** Prints a report as JSON (`--json`) or text, after writing its HTML page to `--html FILE` when asked. */
export async function printReport<T>(io: CliIO, flags: { json?: boolean; html?: string }, report: T, text: (r: T) => string, html: (r: T) => string): Promise<void> {
  if (flags.html) await writeFile(resolve(io.cwd, flags.html), html(report));
  if (flags.json) printJson(io, report);
  else {
    io.out(text(report));
    if (flags.html) io.out(`\nwrote ${flags.html}`);
  }
}
