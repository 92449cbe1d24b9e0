/**
 * A governed run, the one workflow the CLI and the server share: release gate check (before
 * anything connects) → the run with its quality gate, progress and audit listeners →
 * reconciliation → the gate decision in the audit trail → the run record in the project.
 */
import type { AuditLog } from '../audit/log.js';
import { backupBeforeWrite, checkBackupAllowed, type RunBackup } from '../backup/before-run.js';
import { contractDigest } from '../contract/canonical.js';
import { contractOf } from '../contract/load.js';
import { mappedTargetDefs } from '../engine/target-defs.js';
import { FerryError } from '../errors.js';
import { runAuditTrail } from './audit-trail.js';
import { migrate, type MigrateOptions } from './migrate.js';
import { checkRelease, recordRelease, type ReleaseContext } from './release-gate.js';
import type { RunReport } from './report.js';

export interface GovernedRunOptions {
  /** The run itself: contract, source and target URLs, engine options and the progress listener. */
  run: MigrateOptions;
  /** Records the run in this audit trail as `actor` (in `orgId` and `projectId` when given). */
  audit?: { log: AuditLog; actor: string; orgId?: string | null; projectId?: string | null };
  /** Enforces the release gate of this project and records the run there. */
  release?: ReleaseContext;
  /**
   * The id the audit trail and the run record know the run by (the server's API id); by default
   * the engine's. Without it, a run that fails before its report (drift, connection) is not recorded, having no id.
   */
  runId?: string;
  /** Backups before the run writes (src/backup): without it the run takes none and records nothing about one. */
  backup?: RunBackup;
  /** The sync whose snapshot this run is, for the backup's manifest and audit event. */
  syncId?: string;
}

/** Runs under the release gate, audit trail and run record that `o` asks for, and returns the report. */
export async function governedRun(o: GovernedRunOptions): Promise<RunReport> {
  const loaded = await contractOf(o.run);
  const digest = contractDigest(loaded);
  const tier = o.run.tier ?? 'pre_production';
  const dryRun = o.run.dryRun ?? false;
  const targetUrl = o.run.targetUrl;
  const backup = o.backup && !dryRun && targetUrl ? o.backup : undefined;
  // A policy that demands a backup refuses the run before anything connects.
  checkBackupAllowed(backup);
  if (o.release) await checkRelease(o.release, digest, tier, dryRun);

  const audit = o.audit ? runAuditTrail({ ...o.audit, tier, runId: o.runId }) : undefined;
  const progress = o.run.onEvent;
  const onEvent: MigrateOptions['onEvent'] =
    audit || progress
      ? (e) => {
          progress?.(e);
          audit?.listener(e);
        }
      : undefined;
  let report: RunReport | undefined;
  let failure: unknown;
  try {
    const beforeWrite =
      backup && targetUrl
        ? async () => {
            const tables = mappedTargetDefs(loaded.contract).map((d) => d.name);
            await backupBeforeWrite(backup, { targetUrl, tables, contractDigest: digest, runId: o.runId ?? null, syncId: o.syncId ?? null, resumed: Boolean(o.run.resume), audit: o.audit });
          }
        : undefined;
    report = await migrate({ ...o.run, contract: loaded, contractFile: undefined, onEvent, beforeWrite });
  } catch (err) {
    failure = err;
  }
  // Both the trail and the record are attempted whatever happened to the other.
  let unrecorded: unknown;
  try {
    await audit?.finish(report);
  } catch (err) {
    unrecorded = err;
  }
  const runId = o.runId ?? report?.runId;
  if (o.release && runId) {
    try {
      await recordRelease(o.release, { runId, digest, tier, dryRun, status: report?.status ?? (o.run.signal?.aborted ? 'cancelled' : 'failed'), report: report ?? null });
    } catch (err) {
      unrecorded ??= err;
    }
  }
  // The run's own failure is what the caller must see first; a run that did finish keeps its report.
  if (failure !== undefined) throw failure;
  if (unrecorded !== undefined) throw new RunNotRecordedError(report!, unrecorded);
  return report!;
}

/** A run that finished but whose audit events or run record could not be written: the report is kept, the record is missing. */
export class RunNotRecordedError extends FerryError {
  constructor(
    readonly report: RunReport,
    cause: unknown,
  ) {
    super(
      'run',
      'run.not_recorded',
      `run ${report.runId} finished (${report.status}) but could not be recorded in the control store${cause instanceof FerryError ? ` (${cause.message})` : ''}; the target and the report are intact, but release gates do not count the run: fix the store, then run again`,
      [],
      { cause },
    );
  }
}
