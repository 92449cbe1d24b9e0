/**
 * Restoring a backup into a target: the backup is verified completely first, then every
 * table's exact contents are written back in one transaction where the engine has one (SQLite,
 * PostgreSQL; MariaDB commits implicitly around DDL, so recreating a dropped table or dropping
 * a created one happens outside it). Tables the backup found absent but that exist now were
 * created since (typically by the run): they are listed, and dropped only when asked.
 */
import { parseConnectorUrl } from '../connectors/url.js';
import { FerryError } from '../errors.js';
import type { BackupStore } from './config.js';
import { openRestore } from './engines/index.js';
import type { BackupKind } from './manifest.js';
import { checkedManifest, readTables } from './verify.js';

export const RESTORE_FORMAT = 'ferry.backup-restore/v1';

export interface RestoreOptions {
  store: BackupStore;
  backupId: string;
  targetUrl: string;
  /** False: verify and report what a restore would do, write nothing. */
  execute: boolean;
  /** Drop tables that did not exist at backup time but do now. */
  dropCreated?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface RestoreReport {
  format: typeof RESTORE_FORMAT;
  backupId: string;
  kind: BackupKind;
  target: string;
  executed: boolean;
  tables: Array<{ table: string; rows: number; recreated: boolean }>;
  /** Tables absent at backup time that exist now, and whether they were dropped. */
  created: string[];
  droppedCreated: boolean;
}

/** Verifies backup `backupId`, then (with `execute`) restores it into the target. */
export async function restoreBackup(o: RestoreOptions): Promise<RestoreReport> {
  const manifest = await checkedManifest(o.store, o.backupId);
  const url = parseConnectorUrl(o.targetUrl, o.env);
  if (url.kind !== manifest.target.kind) {
    throw new FerryError('usage', 'backup.kind_mismatch', `backup ${o.backupId} holds ${manifest.target.kind} tables; it cannot be restored into a ${url.kind} target`);
  }
  // The whole backup is proven before the target is touched: a damaged one changes nothing.
  await readTables(o.store, manifest, async (_t, data) => {
    for await (const _ of data) void _;
  });
  const session = await openRestore(url);
  try {
    const present = await session.existing(manifest.tables.map((t) => t.name));
    const created = manifest.tables.filter((t) => t.absent && present.has(t.name)).map((t) => t.name);
    const tables = manifest.tables.filter((t) => !t.absent).map((t) => ({ table: t.name, rows: t.rows, recreated: !present.has(t.name) }));
    const report: RestoreReport = { format: RESTORE_FORMAT, backupId: o.backupId, kind: manifest.target.kind, target: url.display, executed: o.execute, tables, created, droppedCreated: false };
    if (!o.execute) return report;
    const restoring = manifest.tables.filter((t) => !t.absent);
    try {
      await session.begin(restoring, present);
      await readTables(o.store, manifest, async (table, data) => {
        if (table.absent) return;
        const rows = await session.load(table, present.has(table.name), data);
        if (rows !== table.rows) {
          throw new FerryError('run', 'backup.restore_mismatch', `restoring ${table.name} wrote ${rows} row(s) where the backup holds ${table.rows}; nothing was committed`);
        }
      });
      if (o.dropCreated) for (const t of created) await session.drop(t);
      await session.commit();
    } catch (err) {
      await session.abort();
      throw err;
    }
    return { ...report, droppedCreated: Boolean(o.dropCreated) && created.length > 0 };
  } finally {
    await session.close();
  }
}

/** A plain-text summary for terminals. */
export function formatRestore(r: RestoreReport): string {
  const lines = [r.executed ? `backup ${r.backupId} restored into ${r.target}` : `backup ${r.backupId} verified; it can be restored into ${r.target}; nothing was changed (add --yes to do it)`];
  for (const t of r.tables) lines.push(`  ${t.table}: ${t.rows} row(s)${t.recreated ? ' (table recreated)' : ''}`);
  if (r.created.length > 0) {
    lines.push(
      r.droppedCreated
        ? `  dropped tables created since the backup: ${r.created.join(', ')}`
        : `  tables created since the backup, left in place (add --drop-created to drop them): ${r.created.join(', ')}`,
    );
  }
  return lines.join('\n');
}
