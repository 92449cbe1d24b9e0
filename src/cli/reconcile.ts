/**
 * `ferry reconcile RUN_ID`: a thin shell over reconcile() in src/reconcile/open.ts.
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { FerryError } from '../errors.js';
import { reconcile } from '../reconcile/open.js';
import { formatReconciliation } from '../reconcile/format.js';
import type { ReconciliationReport } from '../reconcile/report.js';
import { printJson, type CliIO } from './io.js';
import type { Register } from './main.js';
import { withInterrupt } from './run.js';

/** Exit code when the target does not reconcile with the source (documented in docs/reconciliation.md). */
export const EXIT_MISMATCH = 10;

interface ReconcileFlags {
  contract: string;
  source?: string;
  target?: string;
  json?: boolean;
  maxExamples: number;
  pilot?: number;
  pilotTable?: string;
  sliceRows: number;
  /** Deprecated spelling of --slice-rows. */
  batchSize?: number;
}

function wholeNumber(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new FerryError('usage', 'cli.bad_number', `${name} must be a whole number of at least ${min}`);
    return n;
  };
}

async function reconcileCommand(runId: string, flags: ReconcileFlags, io: CliIO): Promise<number> {
  const sourceUrl = flags.source ?? io.env.FERRY_SOURCE_URL;
  const targetUrl = flags.target ?? io.env.FERRY_TARGET_URL;
  if (!sourceUrl) throw new FerryError('usage', 'cli.no_source', 'no source: give --source URL or set FERRY_SOURCE_URL');
  if (!targetUrl) throw new FerryError('usage', 'cli.no_target', 'no target: give --target URL or set FERRY_TARGET_URL');
  const report: ReconciliationReport = await withInterrupt((signal) =>
    reconcile({
      contractFile: path.resolve(io.cwd, flags.contract),
      runId,
      sourceUrl,
      targetUrl,
      maxExamples: flags.maxExamples,
      pilot: flags.pilot ? { patients: flags.pilot, table: flags.pilotTable } : undefined,
      sliceRows: flags.batchSize ?? flags.sliceRows,
      signal,
    }),
  );
  if (flags.json) printJson(io, report);
  else io.out(formatReconciliation(report));
  return report.status === 'match' ? 0 : EXIT_MISMATCH;
}

export const register: Register = (program: Command, io, setExit) => {
  program
    .command('reconcile')
    .description("prove a run: counts, whole-table row checksums, missing/extra/different rows by key, and the contract's business checks")
    .argument('<runId>', 'the run to reconcile (printed by `ferry run` and in its report)')
    .requiredOption('--contract <file>', 'the contract the run used')
    .option('--source <url>', 'source URL the run read (default $FERRY_SOURCE_URL)')
    .option('--target <url>', 'target URL the run wrote (default $FERRY_TARGET_URL)')
    .option('--json', 'print the JSON reconciliation report (ferry.reconciliation/v2)')
    .addOption(new Option('--max-examples <n>', 'example keys listed per row category').argParser(wholeNumber('--max-examples', 0)).default(20))
    .option('--pilot <n>', 'the --pilot N the run used, so the same subset is expected', wholeNumber('--pilot', 1))
    .option('--pilot-table <table>', 'the --pilot-table the run used')
    .addOption(new Option('--slice-rows <n>', 'rows read from the source per slice').argParser(wholeNumber('--slice-rows', 1)).default(10_000))
    // The flag's earlier name, kept so scripts written against it still run.
    .addOption(new Option('--batch-size <n>').argParser(wholeNumber('--batch-size', 1)).hideHelp())
    .action(async (runId: string, flags: ReconcileFlags) => setExit(await reconcileCommand(runId, flags, io)));
};
