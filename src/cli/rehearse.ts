/**
 * `ferry rehearse`: the dress rehearsal in one command — pilot dry run, full governed run with
 * gates and reconciliation — and the printable sign-off pack, written even when a step fails.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { backupStoreOf } from '../backup/config.js';
import { TIERS, type Tier } from '../contract/model.js';
import { DEFAULT_BATCH_SIZE, MIN_PARTITION_ROWS } from '../engine/run.js';
import { EXIT_CODES, FerryError } from '../errors.js';
import { renderPackHtml } from '../rehearse/pack-html.js';
import { DEFAULT_PILOT_PATIENTS, rehearse } from '../rehearse/rehearse.js';
import { seedOf } from '../review/sample.js';
import { printJson, type CliIO } from './io.js';
import type { Register } from './main.js';
import { createProgress } from './progress.js';
import { exitCodeFor, openGovernance, positiveInt, withInterrupt } from './run.js';

interface RehearseFlags {
  source?: string;
  target?: string;
  tier: Tier;
  out: string;
  pilot: number;
  pilotTable?: string;
  sample?: number;
  seed?: string;
  stratify?: string;
  json?: boolean;
  project?: string;
  user?: string;
  org?: string;
  store?: string;
  batchSize: number;
  concurrency: number;
  partitions: number;
  partitionMinRows: number;
  lineage: boolean;
  backup: boolean;
  backupDir?: string;
}

async function rehearseCommand(contract: string, flags: RehearseFlags, io: CliIO): Promise<number> {
  const sourceUrl = flags.source ?? io.env.FERRY_SOURCE_URL;
  const targetUrl = flags.target ?? io.env.FERRY_TARGET_URL;
  if (!sourceUrl) throw new FerryError('usage', 'cli.no_source', 'no source: give --source URL or set FERRY_SOURCE_URL');
  if (!targetUrl) throw new FerryError('usage', 'cli.no_target', 'no target: a rehearsal loads its target; give --target URL or set FERRY_TARGET_URL');
  if (flags.sample !== undefined && !flags.lineage) {
    throw new FerryError('usage', 'rehearse.sample_needs_lineage', '--sample reads the run’s lineage to find each patient’s rows; drop --no-lineage, or leave out --sample and draw the sample later');
  }
  if (flags.sample === undefined && flags.stratify !== undefined) throw new FerryError('usage', 'rehearse.stratify_needs_sample', '--stratify shapes the --sample draw; give --sample N too');
  const out = path.resolve(io.cwd, flags.out);
  const backupStore = flags.backup ? backupStoreOf({ dir: flags.backupDir, env: io.env, cwd: io.cwd }) : undefined;
  const { governance, project, close } = await openGovernance(io, flags);
  const progress = createProgress(io, Boolean(flags.json));
  let result: Awaited<ReturnType<typeof rehearse>>;
  try {
    result = await withInterrupt((signal) =>
      rehearse({
        contractFile: path.resolve(io.cwd, contract),
        sourceUrl,
        targetUrl,
        tier: flags.tier,
        pilotPatients: flags.pilot,
        pilotTable: flags.pilotTable,
        sample: flags.sample === undefined ? undefined : { patients: flags.sample, seed: seedOf(flags.seed), stratify: flags.stratify },
        engine: {
          batchSize: flags.batchSize,
          concurrency: flags.concurrency,
          partitions: flags.partitions,
          minPartitionRows: flags.partitionMinRows,
          lineage: flags.lineage,
          countTotals: io.isTTY && !flags.json,
        },
        governance: { ...governance, backup: { store: backupStore, skip: !flags.backup, notice: (line) => io.err(line) } },
        project,
        onStep: flags.json ? undefined : (line) => io.err(line),
        onEvent: progress.listener,
        signal,
      }),
    );
  } finally {
    progress.stop();
    await close();
  }
  const { pack, decisive, failure, unrecorded, sample, samplingError } = result;
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, renderPackHtml(pack));
  const exit = decisive.report ? exitCodeFor(decisive.report) : failure ? EXIT_CODES[failure.kind] : EXIT_CODES.run;
  if (flags.json) {
    printJson(io, {
      out,
      outcome: pack.outcome,
      headline: pack.headline,
      contract: pack.contract,
      tier: pack.tier,
      pilot: { runId: pack.pilot?.report?.runId ?? null, status: pack.pilot?.report?.status ?? null, error: pack.pilot?.error ?? null },
      run: { runId: pack.full.report?.runId ?? null, status: pack.full.report?.status ?? null, error: pack.full.error ?? null, skipped: pack.full.skipped },
      governed: pack.governance.governed,
      sample: sample ? { reviewId: sample.reviewId, seed: sample.sample.seed, patients: sample.sample.patients.length } : null,
      samplingError,
      exitCode: exit,
    });
  } else {
    io.out(pack.headline);
    io.out(`wrote the sign-off pack ${out} (contract digest ${pack.contract.digest.slice(0, 12)}${pack.full.report ? `, run ${pack.full.report.runId}` : ''})`);
  }
  if (unrecorded) throw unrecorded;
  return exit;
}

export const register: Register = (program: Command, io, setExit) => {
  program
    .command('rehearse')
    .description('dress rehearsal: pilot dry run, full run with gates and reconciliation, then the printable sign-off pack (written even when a step fails)')
    .argument('<contract>', 'contract YAML file')
    .option('--source <url>', 'source URL: csv:DIR, ndjson:DIR, sqlite:FILE, postgres://…, mysql://… (default $FERRY_SOURCE_URL)')
    .option('--target <url>', 'target URL, same forms (default $FERRY_TARGET_URL)')
    .addOption(new Option('--tier <tier>', 'release tier whose quality thresholds gate both runs').choices(TIERS).default('pre_production'))
    .option('--out <file>', 'where to write the sign-off pack (self-contained HTML; print it to PDF from a browser)', 'signoff-pack.html')
    .addOption(
      new Option('--pilot <n>', 'patients in the pilot dry run: the first N rows of the root table and every row linked to them').argParser(positiveInt('--pilot')).default(DEFAULT_PILOT_PATIENTS),
    )
    .option('--pilot-table <table>', 'root source table of the pilot (default: the table most others reference)')
    .addOption(
      new Option('--sample <n>', "after the full run, draw n patients for the clinicians' sampling review (stored as the project's review with --project; needs lineage)").argParser(
        positiveInt('--sample'),
      ),
    )
    .option('--seed <n>', 'seed of the --sample draw: the same seed over the same run gives the same patients (default: random, shown in the pack)')
    .option('--stratify <table>', "with --sample: strata from this source table's rows only (default: every table linked to the patient)")
    .option('--json', 'print a JSON summary (outcome, run ids, statuses, exit code) instead of progress and the headline')
    .option('--project <id>', 'run under the project’s release gates, record both runs, and put its approvals and runs in the pack (acts as $FERRY_TOKEN or --user/$FERRY_USER with $FERRY_PASSWORD)')
    .option('--user <name>', 'control plane user for --project (password from $FERRY_PASSWORD)')
    .option('--org <slug>', "that user's org for --project (default $FERRY_ORG)")
    .option('--store <url>', 'control store for the audit trail: sqlite:FILE or postgres://… (default $FERRY_DATABASE_URL, else sqlite:.ferry/ferry.db)')
    .option('--no-lineage', 'do not record per-row lineage (source key → target key or reason) in the target')
    .option('--backup-dir <dir>', 'back up the target tables the full run writes into this directory first, encrypted with $FERRY_BACKUP_KEY (default $FERRY_BACKUP_DIR)')
    .option('--no-backup', 'write without taking a backup first, even when a backup directory is configured (recorded in the audit trail)')
    .addOption(new Option('--batch-size <n>', 'rows per committed batch').argParser(positiveInt('--batch-size')).default(DEFAULT_BATCH_SIZE))
    .addOption(new Option('--concurrency <n>', 'partitions loaded at once').argParser(positiveInt('--concurrency')).default(2))
    .addOption(new Option('--partitions <n>', 'cut each large table into about n key ranges that load in parallel').argParser(positiveInt('--partitions')).default(1))
    .addOption(new Option('--partition-min-rows <n>', 'with --partitions: tables with fewer source rows load whole').argParser(positiveInt('--partition-min-rows')).default(MIN_PARTITION_ROWS))
    .action(async (contract: string, flags: RehearseFlags) => setExit(await rehearseCommand(contract, flags, io)));
};
