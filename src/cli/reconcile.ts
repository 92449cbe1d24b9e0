/**
 * `ferry reconcile RUN_ID`: a thin shell over reconcileRecorded() in src/run/reconcile-recorded.ts,
 * which also records the gate decision the reconciliation makes in the run's record.
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { localActor } from '../audit/actor.js';
import { AuditLog } from '../audit/log.js';
import { openConfiguredStore } from '../audit/open-store.js';
import { EXIT_CODES, FerryError } from '../errors.js';
import { formatReconciliation } from '../reconcile/format.js';
import { runAuditTrail } from '../run/audit-trail.js';
import { qualityLines } from '../run/format-report.js';
import { reconcileRecorded, type RecordedReconciliation } from '../run/reconcile-recorded.js';
import type { RunReport } from '../run/report.js';
import { printJson, type CliIO } from './io.js';
import type { Register } from './main.js';
import { withInterrupt } from './run.js';

/**
 * Exit code when the target does not reconcile with the source (documented in
 * docs/reconciliation.md); a run whose gate fails after the reconciliation exits 6 instead.
 */
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
  store?: string;
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
  const { reconciliation, record } = await withInterrupt((signal) =>
    reconcileRecorded({
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
  if (flags.json) printJson(io, { ...reconciliation, run: runJson(runId, record) });
  else io.out([formatReconciliation(reconciliation), '', ...recordLines(runId, record)].join('\n'));
  // The gate decision the record now holds goes into the audit trail, as the run's own decision did.
  if (record.updated) await auditGate(io, flags.store, record.report);
  if (record.updated && record.report.status === 'failed_gate') return EXIT_CODES.gate;
  return reconciliation.status === 'match' ? 0 : EXIT_MISMATCH;
}

/** Appends the run's gate decision (gate:passed / gate:failed) to the configured control store's audit trail as the local actor. */
async function auditGate(io: CliIO, flag: string | undefined, report: RunReport): Promise<void> {
  const store = await openConfiguredStore({ flag, env: io.env, cwd: io.cwd });
  try {
    await runAuditTrail({ log: new AuditLog(store), actor: localActor(io.env), tier: report.quality?.tier ?? null }).finish(report);
  } finally {
    await store.close();
  }
}

/** The run's record after the reconciliation, as `--json` adds it under `run`. */
function runJson(runId: string, record: RecordedReconciliation['record']) {
  if (!record.updated) return { runId, updated: false, status: record.status, reason: record.reason };
  const r = record.report;
  return { runId, updated: true, previousStatus: record.previousStatus, status: r.status, verdict: r.verdict ?? null, error: r.error ?? null };
}

/** What the reconciliation did to the run's record and gate decision, for the terminal. */
function recordLines(runId: string, record: RecordedReconciliation['record']): string[] {
  if (!record.updated) {
    return record.reason === 'no_report'
      ? [`run ${runId} (${record.status}) stored no report in the target's ledger (an earlier Ferry recorded it): its record and gate decision are unchanged`]
      : [`run ${runId} is recorded as ${record.status}: only a run that finished loading has a gate decision to update, so its record is unchanged`];
  }
  const r = record.report;
  const change = record.previousStatus === r.status ? `${r.status} (unchanged)` : `${record.previousStatus} → ${r.status}`;
  return [`run ${runId}: ${change}, recorded in the target's ledger`, ...qualityLines(r), ...(r.error ? [`error ${r.error.code}: ${r.error.message}`] : [])];
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
    .option('--store <url>', 'control store whose audit trail records the gate decision: sqlite:FILE or postgres://… (default $FERRY_DATABASE_URL, else sqlite:.ferry/ferry.db)')
    .addOption(new Option('--slice-rows <n>', 'rows read from the source per slice').argParser(wholeNumber('--slice-rows', 1)).default(10_000))
    // The flag's earlier name, kept so scripts written against it still run.
    .addOption(new Option('--batch-size <n>').argParser(wholeNumber('--batch-size', 1)).hideHelp())
    .action(async (runId: string, flags: ReconcileFlags) => setExit(await reconcileCommand(runId, flags, io)));
};
