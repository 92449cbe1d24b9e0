/**
 * `ferry backup list|verify|restore|prune`: a thin shell over src/backup. The directory and
 * key are the operator's (flags and environment); restore and prune are recorded in the audit trail.
 */
import type { Command } from 'commander';
import { localActor } from '../audit/actor.js';
import { AuditLog } from '../audit/log.js';
import { openConfiguredStore } from '../audit/open-store.js';
import { auditPruned, auditRestored } from '../backup/audit.js';
import { requireBackupDir, requireBackupStore, retentionOf } from '../backup/config.js';
import type { BackupManifest } from '../backup/manifest.js';
import { formatRestore, restoreBackup } from '../backup/restore.js';
import { listBackups, pruneBackups } from '../backup/store.js';
import { verifyBackup } from '../backup/verify.js';
import { FerryError } from '../errors.js';
import { printJson, type CliIO } from './io.js';
import type { Register } from './main.js';

interface DirFlags {
  backupDir?: string;
  json?: boolean;
}

interface RestoreFlags extends DirFlags {
  target?: string;
  yes?: boolean;
  dropCreated?: boolean;
  store?: string;
}

interface PruneFlags extends DirFlags {
  keep?: string;
  keepDays?: string;
  store?: string;
}

const STORE_HELP = 'control store for the audit trail: sqlite:FILE or postgres://… (default $FERRY_DATABASE_URL, else sqlite:.ferry/ferry.db)';
const DIR_HELP = 'the backup directory (default $FERRY_BACKUP_DIR)';

function rowsOf(m: BackupManifest): number {
  return m.tables.reduce((n, t) => n + t.rows, 0);
}

async function listCommand(flags: DirFlags, io: CliIO): Promise<number> {
  const dir = requireBackupDir({ dir: flags.backupDir, env: io.env, cwd: io.cwd });
  const { backups, damaged } = await listBackups({ dir });
  if (flags.json) {
    printJson(io, {
      format: 'ferry.backup-list/v1',
      backups: backups.map((m) => ({
        id: m.id,
        createdAt: m.createdAt,
        target: m.target,
        runId: m.runId,
        syncId: m.syncId,
        contractDigest: m.contractDigest,
        tables: m.tables.map((t) => ({ table: t.name, absent: t.absent, rows: t.rows })),
        rows: rowsOf(m),
        bytes: m.data.bytes,
      })),
      damaged,
    });
    return 0;
  }
  if (backups.length === 0 && damaged.length === 0) io.out('no backups');
  for (const m of backups) {
    io.out(
      `${m.id}  ${m.createdAt}  ${m.target.display}  ${m.tables.length} table(s)  ${rowsOf(m)} row(s)  ${m.data.bytes} bytes${m.runId ? `  run ${m.runId}` : ''}${m.syncId ? `  sync ${m.syncId}` : ''}`,
    );
  }
  for (const id of damaged) io.out(`${id}  (manifest unreadable: ferry backup verify ${id})`);
  return 0;
}

async function verifyCommand(id: string, flags: DirFlags, io: CliIO): Promise<number> {
  const store = requireBackupStore({ dir: flags.backupDir, env: io.env, cwd: io.cwd });
  const report = await verifyBackup(store, id);
  if (flags.json) printJson(io, report);
  else {
    io.out(`backup ${id}: OK — manifest authentic, data.enc intact, every table's checksum matches`);
    for (const t of report.tables) io.out(`  ${t.table}: ${t.absent ? 'absent at backup time' : `${t.rows} row(s)`}  sha256 ${t.sha256}`);
  }
  return 0;
}

async function restoreCommand(id: string, flags: RestoreFlags, io: CliIO): Promise<number> {
  const store = requireBackupStore({ dir: flags.backupDir, env: io.env, cwd: io.cwd });
  const targetUrl = flags.target ?? io.env.FERRY_TARGET_URL;
  if (!targetUrl) throw new FerryError('usage', 'cli.no_target', 'no target: give --target URL or set FERRY_TARGET_URL');
  // Opened first: a restore that cannot be recorded in the audit trail must not happen.
  const control = flags.yes ? await openConfiguredStore({ flag: flags.store, env: io.env, cwd: io.cwd }) : undefined;
  try {
    const report = await restoreBackup({ store, backupId: id, targetUrl, execute: Boolean(flags.yes), dropCreated: flags.dropCreated, env: io.env });
    if (control) await auditRestored({ log: new AuditLog(control), actor: localActor(io.env) }, report);
    if (flags.json) printJson(io, report);
    else io.out(formatRestore(report));
    return 0;
  } finally {
    await control?.close();
  }
}

async function pruneCommand(flags: PruneFlags, io: CliIO): Promise<number> {
  const dir = requireBackupDir({ dir: flags.backupDir, env: io.env, cwd: io.cwd });
  const retention = retentionOf({ keep: flags.keep, keepDays: flags.keepDays, env: io.env });
  if (retention.keep === undefined && retention.keepDays === undefined) {
    throw new FerryError('usage', 'backup.no_retention', 'no retention policy: give --keep N and/or --keep-days D (or set FERRY_BACKUP_KEEP / FERRY_BACKUP_KEEP_DAYS)');
  }
  const control = await openConfiguredStore({ flag: flags.store, env: io.env, cwd: io.cwd });
  try {
    const deleted = await pruneBackups({ dir }, retention, new Date());
    await auditPruned({ log: new AuditLog(control), actor: localActor(io.env) }, deleted, retention);
    if (flags.json) printJson(io, { format: 'ferry.backup-prune/v1', deleted: deleted.map((m) => m.id), retention });
    else io.out(deleted.length === 0 ? 'nothing to prune' : `pruned ${deleted.length} backup(s): ${deleted.map((m) => m.id).join(', ')}`);
    return 0;
  } finally {
    await control.close();
  }
}

export const register: Register = (program: Command, io, setExit) => {
  const backup = program.command('backup').description('the encrypted backups Ferry takes of a target before a run writes to it (docs/operations.md#backups)');
  backup
    .command('list')
    .description('list the backups in the backup directory, newest first')
    .option('--backup-dir <dir>', DIR_HELP)
    .option('--json', 'print JSON')
    .action(async (flags: DirFlags) => setExit(await listCommand(flags, io)));
  backup
    .command('verify')
    .description("check a backup completely: its key, its manifest's MAC, data.enc's digest, the AES-GCM tag and every table's checksum")
    .argument('<id>', 'the backup (see ferry backup list)')
    .option('--backup-dir <dir>', DIR_HELP)
    .option('--json', 'print JSON')
    .action(async (id: string, flags: DirFlags) => setExit(await verifyCommand(id, flags, io)));
  backup
    .command('restore')
    .description("verify a backup, then put every table it holds back to its exact contents at backup time, in one transaction where the target's engine allows")
    .argument('<id>', 'the backup (see ferry backup list)')
    .option('--target <url>', 'the target to restore into (default $FERRY_TARGET_URL)')
    .option('--yes', 'really restore; without it Ferry only verifies and prints what it would do')
    .option('--drop-created', 'also drop tables that did not exist when the backup was taken')
    .option('--backup-dir <dir>', DIR_HELP)
    .option('--json', 'print the JSON restore report')
    .option('--store <url>', STORE_HELP)
    .action(async (id: string, flags: RestoreFlags) => setExit(await restoreCommand(id, flags, io)));
  backup
    .command('prune')
    .description('delete backups the retention policy expires (per target: beyond the newest N, or older than D days)')
    .option('--keep <n>', 'keep the newest N backups of each target (default $FERRY_BACKUP_KEEP)')
    .option('--keep-days <d>', 'keep backups younger than D days (default $FERRY_BACKUP_KEEP_DAYS)')
    .option('--backup-dir <dir>', DIR_HELP)
    .option('--json', 'print JSON')
    .option('--store <url>', STORE_HELP)
    .action(async (flags: PruneFlags) => setExit(await pruneCommand(flags, io)));
};
