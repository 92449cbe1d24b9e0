/**
 * The backup events of the audit trail: ids, table names, counts and digests only (never a
 * path beyond the backup id, never a value).
 */
import type { AuditEventMap } from '../audit/events.js';
import type { AuditLog } from '../audit/log.js';
import type { Retention } from './config.js';
import type { BackupManifest } from './manifest.js';
import type { RestoreReport } from './restore.js';

/** Who the events are recorded as, and for which tenant (a CLI action has neither org nor project). */
export interface BackupAudit {
  log: AuditLog;
  actor: string;
  orgId?: string | null;
  projectId?: string | null;
}

async function append<K extends 'backup:taken' | 'backup:skipped' | 'backup:restored' | 'backup:pruned'>(a: BackupAudit, type: K, payload: AuditEventMap[K]): Promise<void> {
  await a.log.append({ type, actor: a.actor, orgId: a.orgId ?? null, projectId: a.projectId ?? null, payload } as Parameters<AuditLog['append']>[0]);
}

/** Records a backup just taken. */
export function auditTaken(a: BackupAudit, m: BackupManifest): Promise<void> {
  return append(a, 'backup:taken', {
    backupId: m.id,
    runId: m.runId,
    syncId: m.syncId,
    contractDigest: m.contractDigest,
    kind: m.target.kind,
    tables: m.tables.map((t) => ({ table: t.name, absent: t.absent, rows: t.rows, sha256: t.sha256 })),
    bytes: m.data.bytes,
    dataDigest: m.data.sha256,
  });
}

/** Records a run that writes without a backup, and why. */
export function auditSkipped(a: BackupAudit, payload: AuditEventMap['backup:skipped']): Promise<void> {
  return append(a, 'backup:skipped', payload);
}

/** Records an executed restore. */
export function auditRestored(a: BackupAudit, r: RestoreReport): Promise<void> {
  return append(a, 'backup:restored', { backupId: r.backupId, kind: r.kind, tables: r.tables.map((t) => ({ table: t.table, rows: t.rows })), created: r.created, droppedCreated: r.droppedCreated });
}

/** Records backups deleted by retention (nothing when none were). */
export async function auditPruned(a: BackupAudit, deleted: readonly BackupManifest[], retention: Retention): Promise<void> {
  if (deleted.length === 0) return;
  await append(a, 'backup:pruned', { backupIds: deleted.map((m) => m.id), keep: retention.keep ?? null, keepDays: retention.keepDays ?? null });
}
