/**
 * `ferry demo` (`npm run demo`): the Quick start. Generates a small seeded synthetic legacy
 * PAS with a few injected defects, runs the example contract into an embedded SQLite target
 * and prints the per-table summary. Needs no database server.
 */
import { rm, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { formatReport } from '../run/format-report.js';
import { governedRun } from '../run/governed-run.js';
import { generateToCsv } from '../synth/generate.js';
import { uniformRates } from '../synth/defects.js';
import { printJson, type CliIO } from './io.js';
import { createProgress } from './progress.js';
import { exitCodeFor, writeHtmlReport, writeReport } from './run.js';

/** The example contract shipped with the package. */
export const EXAMPLE_CONTRACT = path.resolve(import.meta.dirname, '../../examples/legacy-pas/contract.yaml');

/** Runs the demo in `dir` and returns the exit code. */
export async function runDemo(flags: { dir: string; patients: number; seed: number; json?: boolean }, io: CliIO): Promise<number> {
  const dir = path.resolve(io.cwd, flags.dir);
  const sourceDir = path.join(dir, 'source');
  const targetFile = path.join(dir, 'target.db');
  // A fresh start every time: the demo shows one run, not an accumulation of them.
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const synth = await generateToCsv({ seed: flags.seed, patients: flags.patients, rates: uniformRates(0.01), dir: sourceDir });
  const rows = Object.values(synth.tables).reduce((a, b) => a + b, 0);
  const defects = Object.values(synth.defects).reduce((a, b) => a + b, 0);
  if (!flags.json) {
    io.out(
      `Generated a synthetic legacy PAS: ${synth.patients} patients, ${rows} rows in ${Object.keys(synth.tables).length} tables, ${defects} injected defects (manifest: ${path.relative(io.cwd, synth.manifest)})`,
    );
    io.out(`Running ${path.relative(io.cwd, EXAMPLE_CONTRACT)} into sqlite:${path.relative(io.cwd, targetFile)}\n`);
  }
  const progress = createProgress(io, Boolean(flags.json));
  let report;
  try {
    // No trail and no release gate: the demo's throwaway target is nobody's migration.
    report = await governedRun({
      run: { contractFile: EXAMPLE_CONTRACT, sourceUrl: `csv:${sourceDir}`, targetUrl: `sqlite:${targetFile}`, countTotals: io.isTTY && !flags.json, onEvent: progress.listener },
    });
  } finally {
    progress.stop();
  }
  await writeReport(path.join(dir, 'report.json'), report);
  await writeHtmlReport(path.join(dir, 'report.html'), report);
  if (flags.json) {
    printJson(io, report);
  } else {
    io.out(formatReport(report));
    io.out(
      `\nReports: ${path.relative(io.cwd, path.join(dir, 'report.json'))} and ${path.relative(io.cwd, path.join(dir, 'report.html'))} (open it in a browser). Quarantined rows (keys and reasons only) are in the _ferry_quarantine table of the target.`,
    );
  }
  // The demo injects defects on purpose, so a gate that catches them is the expected outcome,
  // not a failure of the demo: only a run that could not finish exits non-zero.
  if (report.status === 'failed_gate') {
    if (!flags.json) io.out('The quality gate caught defects the generator injected on purpose (see defects.json): this is what a failed gate looks like. `ferry run` exits 6 in this case.');
    return 0;
  }
  return exitCodeFor(report);
}
