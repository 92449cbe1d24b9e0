/**
 * The options shared by the commands that profile a source (`profile`, `suggest`, `contract
 * pin`), apart from the profiler itself, so registering a command does not load the profiler.
 */
import type { Command } from 'commander';
import { FerryError } from '../errors.js';

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
