/**
 * `ferry run` and `ferry demo`: flag parsing, progress and printing around `governedRun`.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { EXIT_CODES, FerryError } from '../errors.js';
import { AuditLog } from '../audit/log.js';
import { backupStoreOf } from '../backup/config.js';
import { localActor } from '../audit/actor.js';
import { openConfiguredStore } from '../audit/open-store.js';
import { DEFAULT_BATCH_SIZE, MIN_PARTITION_ROWS } from '../engine/run.js';
import { TIERS, type Tier } from '../contract/model.js';
import { formatReport } from '../run/format-report.js';
import { governedRun, RunNotRecordedError, type GovernedRunOptions } from '../run/governed-run.js';
import { renderQualityHtml } from '../run/html-report.js';
import type { RunReport } from '../run/report.js';
import type { Actor, ControlPlane } from '../control/plane.js';
import { cliActor, openPlane } from './control-session.js';
import { printJson, type CliIO } from './io.js';
import type { Register } from './main.js';
import { createProgress } from './progress.js';
import { runDemo } from './demo.js';
import { openPartitionQueue } from './worker.js';

/** A commander parser of a positive whole number for option `name`. */
export function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new FerryError('usage', 'cli.bad_number', `${name} must be a positive whole number`);
    return n;
  };
}

/** Exit code for a finished run's status. */
export function exitCodeFor(report: RunReport): number {
  switch (report.status) {
    case 'succeeded':
      return 0;
    case 'failed_gate':
      return EXIT_CODES.gate;
    case 'cancelled':
      return 130;
    default:
      return EXIT_CODES.run;
  }
}

/** Writes the report where `--report` asks. */
export async function writeReport(file: string, report: RunReport): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
}

/** Writes the self-contained HTML quality report where `--html` asks. */
export async function writeHtmlReport(file: string, report: RunReport): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, renderQualityHtml(report));
}

interface RunFlags {
  source?: string;
  target?: string;
  dryRun?: boolean;
  pilot?: number;
  pilotTable?: string;
  report?: string;
  html?: string;
  tier: Tier;
  json?: boolean;
  resume?: string;
  store?: string;
  batchSize: number;
  concurrency: number;
  partitions: number;
  partitionMinRows: number;
  queue?: string;
  lease?: number;
  /** Opt-in release gate: check canRun for this project before connecting, record the run after. */
  project?: string;
  user?: string;
  org?: string;
  /** Commander's negation of --no-lineage: false when the flag is given. */
  lineage: boolean;
  /** Commander's negation of --no-reconcile. */
  reconcile: boolean;
  /** Commander's negation of --no-backup. */
  backup: boolean;
  backupDir?: string;
}

/** Runs with an abort controller wired to Ctrl-C, so an interrupted run records `cancelled` and can resume. */
export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctl = new AbortController();
  const onSig = () => ctl.abort();
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  try {
    return await fn(ctl.signal);
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
}

/**
 * The trail and, with --project, the release gate the run goes under: as the logged-in Ferry
 * user in the project's org, else as the local account in the configured store. `close` logs
 * out and closes the store.
 */
export async function openGovernance(
  io: CliIO,
  flags: Pick<RunFlags, 'project' | 'store' | 'user' | 'org'>,
): Promise<{ governance: Partial<Pick<GovernedRunOptions, 'audit' | 'release'>>; project?: { plane: ControlPlane; actor: Actor; projectId: string }; close(): Promise<void> }> {
  if (!flags.project) {
    const store = await openConfiguredStore({ flag: flags.store, env: io.env, cwd: io.cwd });
    return { governance: { audit: { log: new AuditLog(store), actor: localActor(io.env) } }, close: () => store.close() };
  }
  const session = await openPlane(io, flags.store);
  try {
    const { actor, logout } = await cliActor(session.plane, io, flags.user, flags.org);
    const projectId = flags.project;
    return {
      governance: { audit: { log: session.plane.audit, actor: actor.userId, orgId: actor.orgId, projectId }, release: { plane: session.plane, actor, projectId } },
      project: { plane: session.plane, actor, projectId },
      async close() {
        try {
          await logout();
        } finally {
          await session.close();
        }
      },
    };
  } catch (err) {
    await session.close();
    throw err;
  }
}

async function runCommand(contract: string, flags: RunFlags, io: CliIO): Promise<number> {
  const sourceUrl = flags.source ?? io.env.FERRY_SOURCE_URL;
  const targetUrl = flags.target ?? io.env.FERRY_TARGET_URL;
  if (!sourceUrl) throw new FerryError('usage', 'cli.no_source', 'no source: give --source URL or set FERRY_SOURCE_URL');
  if (!targetUrl && !flags.dryRun) throw new FerryError('usage', 'cli.no_target', 'no target: give --target URL, set FERRY_TARGET_URL, or use --dry-run');
  if (flags.queue && (flags.dryRun || flags.pilot)) throw new FerryError('usage', 'cli.queue_unsupported', 'a dry run or a pilot runs in one process: leave out --queue');
  // Read before anything connects: a directory without a key is a usage error, not a run without a backup.
  const backupStore = flags.backup ? backupStoreOf({ dir: flags.backupDir, env: io.env, cwd: io.cwd }) : undefined;
  const queue = flags.queue ? await openPartitionQueue(flags.queue, io.env) : undefined;
  const { governance, close } = await openGovernance(io, flags).catch(async (err: unknown) => {
    await queue?.stop({ graceful: false });
    throw err;
  });
  const progress = createProgress(io, Boolean(flags.json));
  let report: RunReport;
  let unrecorded: RunNotRecordedError | undefined;
  try {
    report = await withInterrupt((signal) =>
      governedRun({
        ...governance,
        backup: { store: backupStore, skip: !flags.backup, notice: (line) => io.err(line) },
        run: {
          contractFile: path.resolve(io.cwd, contract),
          sourceUrl,
          targetUrl,
          dryRun: flags.dryRun,
          pilot: flags.pilot ? { patients: flags.pilot, table: flags.pilotTable } : undefined,
          resume: flags.resume,
          batchSize: flags.batchSize,
          concurrency: flags.concurrency,
          partitions: flags.partitions,
          minPartitionRows: flags.partitionMinRows,
          queue,
          leaseSeconds: flags.lease,
          tier: flags.tier,
          lineage: flags.lineage,
          reconcile: flags.reconcile,
          countTotals: io.isTTY && !flags.json,
          signal,
          onEvent: progress.listener,
        },
      }),
    );
  } catch (err) {
    // A run that finished but could not be recorded still has a report to write and show.
    if (!(err instanceof RunNotRecordedError)) throw err;
    unrecorded = err;
    report = err.report;
  } finally {
    progress.stop();
    await close();
    await queue?.stop({ graceful: true, timeoutMs: 10_000 });
  }
  if (flags.report) await writeReport(path.resolve(io.cwd, flags.report), report);
  if (flags.html) await writeHtmlReport(path.resolve(io.cwd, flags.html), report);
  if (flags.json) printJson(io, report);
  else io.out(formatReport(report));
  if (unrecorded) throw unrecorded;
  return exitCodeFor(report);
}

export const register: Register = (program: Command, io, setExit) => {
  program
    .command('run')
    .description('run a migration: every source row ends loaded or quarantined with a reason')
    .argument('<contract>', 'contract YAML file')
    .option('--source <url>', 'source URL: csv:DIR, ndjson:DIR, sqlite:FILE, postgres://…, mysql://… (default $FERRY_SOURCE_URL)')
    .option('--target <url>', 'target URL, same forms (default $FERRY_TARGET_URL)')
    .option('--dry-run', 'do everything except write to the target')
    .option('--pilot <n>', 'migrate a consistent subset: the first N rows of the root (patient) table and every row linked to them', positiveInt('--pilot'))
    .option('--pilot-table <table>', 'root source table for --pilot (default: the table most others reference)')
    .option('--resume <runId>', 'continue a killed or failed run from its last committed batch')
    .option('--report <file>', 'write the JSON run report to FILE')
    .option('--html <file>', 'write the self-contained HTML quality report to FILE')
    .addOption(new Option('--tier <tier>', 'release tier whose quality thresholds gate the run').choices(TIERS).default('pre_production'))
    .option('--json', 'print the JSON run report instead of the summary')
    .option('--no-reconcile', 'skip the end-of-run reconciliation of source against target (ferry reconcile RUN does it later)')
    .option('--no-lineage', 'do not record per-row lineage (source key → target key or reason) in the target')
    .option('--backup-dir <dir>', 'back up the target tables the run writes into this directory first, encrypted with $FERRY_BACKUP_KEY (default $FERRY_BACKUP_DIR; docs/operations.md#backups)')
    .option('--no-backup', 'write without taking a backup first, even when a backup directory is configured (recorded in the audit trail)')
    .option(
      '--project <id>',
      'enforce release gates: refuse unless this contract digest may run in --tier for the project, and record the run (acts as $FERRY_TOKEN or --user/$FERRY_USER with $FERRY_PASSWORD)',
    )
    .option('--user <name>', 'control plane user for --project (password from $FERRY_PASSWORD)')
    .option('--org <slug>', "that user's org for --project (default $FERRY_ORG)")
    .option('--store <url>', 'control store for the audit trail: sqlite:FILE or postgres://… (default $FERRY_DATABASE_URL, else sqlite:.ferry/ferry.db)')
    .addOption(new Option('--batch-size <n>', 'rows per committed batch').argParser(positiveInt('--batch-size')).default(DEFAULT_BATCH_SIZE))
    .addOption(new Option('--concurrency <n>', 'partitions loaded at once: of one table, or of tables foreign keys do not order').argParser(positiveInt('--concurrency')).default(2))
    .option('--queue <url>', 'load the partitions on `ferry worker` processes through this PostgreSQL job queue instead of here (docs/distributed.md)')
    .addOption(new Option('--lease <seconds>', 'with --queue: how long a worker may hold a partition before another takes it over').argParser(positiveInt('--lease')))
    .addOption(
      new Option('--partitions <n>', 'cut each large table with one integer or text key into about n key ranges that load in parallel (docs/distributed.md)')
        .argParser(positiveInt('--partitions'))
        .default(1),
    )
    .addOption(new Option('--partition-min-rows <n>', 'with --partitions: tables with fewer source rows load whole').argParser(positiveInt('--partition-min-rows')).default(MIN_PARTITION_ROWS))
    .action(async (contract: string, flags: RunFlags) => setExit(await runCommand(contract, flags, io)));

  program
    .command('demo')
    .description('generate a small synthetic legacy PAS, migrate it with the example contract into SQLite, and print the summary')
    .option('--dir <dir>', 'working directory for the demo source and target', '.ferry/demo')
    .option('--patients <n>', 'synthetic patients to generate', positiveInt('--patients'), 200)
    .option('--seed <n>', 'random seed', (v) => Number(v), 42)
    .option('--json', 'print the JSON run report')
    .action(async (flags: { dir: string; patients: number; seed: number; json?: boolean }) => setExit(await runDemo(flags, io)));
};
