/**
 * `ferry synth`: seeded synthetic legacy PAS data with a manifest of injected defects, or with
 * `--wide` a schema as broad as a real PAS plus a draft contract skeleton. Thin: parses flags,
 * calls src/synth, prints.
 */
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { FerryError } from '../errors.js';
import { cleanRates, loadDefectProfile, uniformRates, type DefectRates } from '../synth/defects.js';
import { generateTo, type SynthSummary } from '../synth/generate.js';
import { generateWide } from '../synth/wide.js';
import { printJson, type CliIO } from './io.js';
import type { Register } from './main.js';

interface SynthFlags {
  seed: string;
  patients: string;
  out: string;
  defects?: string;
  profile?: string;
  clean?: boolean;
  manifest?: string;
  json?: boolean;
  wide?: boolean;
  tables: string;
  fields: string;
}

function integer(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new FerryError('usage', 'cli.bad_number', `${flag} must be a whole number of at least ${min}, got "${value}"`);
  return n;
}

async function chooseRates(flags: SynthFlags, io: CliIO): Promise<DefectRates> {
  const chosen = [flags.defects !== undefined, flags.profile !== undefined, flags.clean === true].filter(Boolean).length;
  if (chosen > 1) throw new FerryError('usage', 'synth.conflicting_defects', 'choose one of --defects RATE, --profile FILE or --clean');
  if (flags.profile !== undefined) return loadDefectProfile(path.resolve(io.cwd, flags.profile));
  if (flags.defects !== undefined) return uniformRates(Number(flags.defects));
  return cleanRates();
}

function progressBar(io: CliIO, total: number): { update(done: number): void; stop(): void } {
  if (!io.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar({ format: ' synth |{bar}| {percentage}% {value}/{total} patients | ETA {eta_formatted}', hideCursor: true }, cliProgress.Presets.shades_classic);
  bar.start(total, 0);
  return { update: (done) => bar.update(done), stop: () => bar.stop() };
}

function printSummary(io: CliIO, s: SynthSummary, out: string): void {
  const rows = Object.values(s.tables).reduce((a, b) => a + b, 0);
  const defects = Object.values(s.defects).reduce((a, b) => a + b, 0);
  io.out(`ferry synth: ${s.patients} patients, ${rows} rows in ${Object.keys(s.tables).length} tables → ${out} (${(s.elapsedMs / 1000).toFixed(1)} s)`);
  for (const [t, n] of Object.entries(s.tables)) io.out(`  ${t.padEnd(10)} ${n}`);
  io.out(`defects: ${defects} injected → ${s.manifest}`);
  for (const [k, n] of Object.entries(s.defects)) if (n > 0) io.out(`  ${k.padEnd(24)} ${n}`);
}

async function synth(flags: SynthFlags, io: CliIO): Promise<number> {
  const seed = integer('--seed', flags.seed, Number.MIN_SAFE_INTEGER);
  if (flags.wide) {
    const dir = flags.out.replace(/^csv:/i, '');
    const s = await generateWide({ seed, dir: path.resolve(io.cwd, dir), tables: integer('--tables', flags.tables, 1), fields: integer('--fields', flags.fields, 1) });
    if (flags.json) printJson(io, s);
    else
      io.out(
        `ferry synth --wide: ${s.sourceTables} source tables / ${s.sourceFields} fields (${s.rows} rows) and a draft contract of ${s.targetTables} target tables / ${s.targetFields} fields → ${s.contract}`,
      );
    return 0;
  }
  const patients = integer('--patients', flags.patients, 1);
  const rates = await chooseRates(flags, io);
  // File outputs resolve against the CLI's working directory, as every other path does.
  const resolved = flags.out.replace(/^(csv|sqlite):([^?]*)/i, (_m, kind: string, p: string) => `${kind}:${path.resolve(io.cwd, p)}`);
  const bar = progressBar(io, patients);
  let summary: SynthSummary;
  try {
    summary = await generateTo(resolved, { seed, patients, rates, manifest: flags.manifest && path.resolve(io.cwd, flags.manifest), onProgress: (done) => bar.update(done) }, io.cwd);
  } finally {
    bar.stop();
  }
  if (flags.json) {
    const { seed: s, patients: p, tables, defects, manifest, elapsedMs } = summary;
    printJson(io, { seed: s, patients: p, tables, defects, manifest, elapsedMs });
  } else {
    printSummary(io, summary, flags.out);
  }
  return 0;
}

/** Registers `ferry synth`. */
export const register: Register = (program: Command, io: CliIO, setExit) => {
  program
    .command('synth')
    .description('generate seeded synthetic legacy PAS data with a manifest of injected defects (defects.json)')
    .requiredOption('--out <url>', 'csv:DIR[?encoding=windows-1252], sqlite:FILE, postgres://… or mysql://… (with --wide: a directory)')
    .option('--seed <n>', 'seed: the same seed and options give byte-identical output', '1')
    .option('--patients <n>', 'patients to generate', '2000')
    .option('--defects <rate>', 'inject every defect kind with this probability per eligible record (0–1)')
    .option('--profile <file>', 'YAML defect profile with per-kind rates (see examples/legacy-pas/defects.yaml)')
    .option('--clean', 'inject no defects (the default when neither --defects nor --profile is given)')
    .option('--manifest <file>', 'where to write defects.json (default: DIR/defects.json for CSV, ./defects.json otherwise)')
    .option('--json', 'print a JSON summary')
    .option('--wide', 'scale mode: a wide source schema with a few rows per table plus a draft contract skeleton')
    .option('--tables <n>', 'scale mode: source tables', '417')
    .option('--fields <n>', 'scale mode: source fields', '5387')
    .action(async (flags: SynthFlags) => setExit(await synth(flags, io)));
};
