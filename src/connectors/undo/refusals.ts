/**
 * Why a run cannot be rolled back, in one place for every target kind: each message says
 * what to do instead.
 */
import { FerryError } from '../../errors.js';

/** Refuses runs that cannot be rolled back because of their status. */
export function refuseStatus(runId: string, status: string): void {
  if (status === 'rolled_back') throw new FerryError('conflict', 'rollback.already_rolled_back', `run ${runId} was already rolled back; there is nothing left to undo`);
  if (status === 'running') {
    throw new FerryError(
      'conflict',
      'rollback.run_active',
      `run ${runId} is still recorded as running; if its process was killed, finish it with \`ferry run … --resume ${runId}\` (or resume and cancel it with Ctrl-C), then roll it back`,
    );
  }
}

/** The error for a run unknown to the target. */
export function unknownRun(runId: string, where: string): FerryError {
  return new FerryError('not_found', 'rollback.run_unknown', `run ${runId} is not recorded in ${where}; check the run id and the --target URL`);
}

/** The error for a run whose rows a later run has changed since. */
export function laterRuns(runId: string, later: Array<{ runId: string; rows?: number }>): FerryError {
  const list = later.map((l) => (l.rows === undefined ? l.runId : `${l.runId} (${l.rows} row(s))`)).join(', ');
  return new FerryError(
    'conflict',
    'rollback.touched_later',
    `later run(s) ${list} changed rows that run ${runId} wrote, so undoing ${runId} alone would overwrite their work; roll back the later run(s) first, newest first, then ${runId}`,
  );
}

/** The error for a run that wrote rows but kept no undo log (it ran before rollback existed). */
export function noUndo(runId: string): FerryError {
  return new FerryError('conflict', 'rollback.no_undo_log', `run ${runId} wrote rows but recorded no undo log, so it cannot be rolled back exactly; restore the target from a backup`);
}

/** The error for a table that changed shape (or vanished) since the run. */
export function tableChanged(runId: string, table: string): FerryError {
  return new FerryError('conflict', 'rollback.table_changed', `table ${table} no longer exists with a primary key, so run ${runId} cannot be undone there; restore it from a backup`);
}

/** The error for a run that streams a sync's changes: it records no undo log, so it can never be rolled back. */
export function syncStream(runId: string, syncId: string): FerryError {
  return new FerryError(
    'conflict',
    'rollback.sync_stream',
    `run ${runId} records the changes sync ${syncId} streamed, which keep no undo log, so it cannot be rolled back; to undo a sync, roll back its snapshot run once the sync is stopped, or restore the target from a backup`,
  );
}

/** The error for a run that loaded the snapshot of a sync still streaming (or not yet cut over). */
export function syncActive(runId: string, syncId: string, state: string): FerryError {
  return new FerryError(
    'conflict',
    'rollback.sync_active',
    `run ${runId} loaded the snapshot of sync ${syncId}, which is ${state}; changes it streams build on that snapshot, so stop the sync first (or finish its cutover), then roll the run back`,
  );
}
