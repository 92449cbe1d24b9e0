/**
 * The backup a writing run (or a sync's snapshot run) takes before its first write: of every
 * target table the contract maps, after preflight passed and before the target is opened for
 * writing. The undo log stays the fast way back; this is the safety net for a target that was
 * also changed by something else.
 */
import { FerryError } from '../errors.js';
import { auditPruned, auditSkipped, auditTaken, type BackupAudit } from './audit.js';
import { BACKUP_DIR_ENV, type BackupPolicy, type BackupStore, type Retention } from './config.js';
import type { BackupManifest } from './manifest.js';
import { pruneBackups } from './store.js';
import { takeBackup } from './take.js';

/** How a run goes about backups: the operator's store (if any), `--no-backup`, the project's policy. */
export interface RunBackup {
  /** The operator's backup store; undefined when none is configured. */
  store?: BackupStore;
  /** `--no-backup`: write without one (audited). */
  skip?: boolean;
  /** The project's policy: may require a backup and override retention. */
  policy?: BackupPolicy;
  /** One line for whoever runs it (the CLI prints it). */
  notice?: (line: string) => void;
  now?: () => Date;
}

/** What the run is about to write. */
export interface BackupTarget {
  targetUrl: string;
  tables: readonly string[];
  contractDigest: string;
  runId?: string | null;
  syncId?: string | null;
  /** A resumed run: its backup was taken when it first started. */
  resumed?: boolean;
  audit?: BackupAudit;
}

/** Refuses, before anything connects, a run that its project's policy requires a backup for when none can be taken. */
export function checkBackupAllowed(b: RunBackup | undefined): void {
  if (!b?.policy?.required) return;
  if (b.skip) throw new FerryError('forbidden', 'backup.required', "this project's backup policy requires a backup before every run: --no-backup is not allowed here");
  if (!b.store) {
    throw new FerryError(
      'usage',
      'backup.required',
      `this project's backup policy requires a backup before every run, and no backup store is configured: set ${BACKUP_DIR_ENV} and FERRY_BACKUP_KEY (operator)`,
    );
  }
}

/** The retention that applies: the project's policy where it sets one, else the operator's. */
export function effectiveRetention(store: BackupStore, policy: BackupPolicy | undefined): Retention {
  return { keep: policy?.keepLast ?? store.retention.keep, keepDays: policy?.keepDays ?? store.retention.keepDays };
}

/** Takes the pre-write backup, or records why there is none; then applies retention. */
export async function backupBeforeWrite(b: RunBackup, t: BackupTarget): Promise<BackupManifest | undefined> {
  checkBackupAllowed(b);
  const ids = { runId: t.runId ?? null, syncId: t.syncId ?? null, contractDigest: t.contractDigest };
  const skipped = async (reason: 'no_backup_flag' | 'not_configured' | 'resumed', line?: string): Promise<undefined> => {
    if (line) b.notice?.(line);
    if (t.audit) await auditSkipped(t.audit, { reason, ...ids });
    return undefined;
  };
  if (t.resumed) return skipped('resumed');
  if (b.skip) return skipped('no_backup_flag', 'backup: skipped (--no-backup); this run can be undone only from its undo log');
  if (!b.store) return skipped('not_configured', `backup: none taken, no backup store is configured (set ${BACKUP_DIR_ENV} and FERRY_BACKUP_KEY)`);
  let manifest: BackupManifest;
  try {
    manifest = await takeBackup({ store: b.store, targetUrl: t.targetUrl, tables: t.tables, ...ids, now: b.now });
  } catch (err) {
    if (err instanceof FerryError) throw new FerryError(err.kind, err.code, `the backup before the run failed, nothing was written: ${err.message}`, err.issues, { cause: err });
    // A driver's message can quote a value or a host: the cause stays on the error, not in its text.
    throw new FerryError('run', 'backup.failed', `the backup before the run failed (${(err as NodeJS.ErrnoException).code ?? 'error'}); nothing was written to the target`, [], { cause: err });
  }
  if (t.audit) await auditTaken(t.audit, manifest);
  const rows = manifest.tables.reduce((n, x) => n + x.rows, 0);
  b.notice?.(`backup: ${manifest.id} taken (${manifest.tables.length} table(s), ${rows} row(s), ${manifest.data.bytes} bytes)`);
  const retention = effectiveRetention(b.store, b.policy);
  const pruned = await pruneBackups(b.store, retention, (b.now ?? (() => new Date()))(), manifest.id);
  if (t.audit) await auditPruned(t.audit, pruned, retention);
  return manifest;
}
