/**
 * The backup directory: one folder per backup (`DIR/<id>/manifest.json` and `data.enc`),
 * listing, reading and retention. A backup is written under a hidden name and renamed into
 * place once complete, so a listing never shows half a backup.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { FerryError } from '../errors.js';
import type { BackupStore, Retention } from './config.js';
import { parseManifest, type BackupManifest } from './manifest.js';

const ID = /^bk-[0-9]{8}-[0-9]{6}-[0-9a-f]{8}$/;
const DAY_MS = 86_400_000;

/** A fresh, sortable backup id: time plus randomness. */
export function newBackupId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `bk-${stamp}-${randomBytes(4).toString('hex')}`;
}

/** The folder of backup `id`; an id that is not one Ferry makes is refused before it can name a path. */
export function backupPath(store: Pick<BackupStore, 'dir'>, id: string): string {
  if (!ID.test(id)) throw new FerryError('usage', 'backup.bad_id', `"${id.slice(0, 80)}" is not a backup id (they look like bk-20260101-120000-0a1b2c3d; see ferry backup list)`);
  return path.join(store.dir, id);
}

/** Reads and parses a backup's manifest (not yet checked against the key). */
export async function readManifest(store: Pick<BackupStore, 'dir'>, id: string): Promise<BackupManifest> {
  const dir = backupPath(store, id);
  let text: string;
  try {
    text = await readFile(path.join(dir, 'manifest.json'), 'utf8');
  } catch {
    throw new FerryError('not_found', 'backup.unknown', `no backup ${id} in the backup directory; see ferry backup list`);
  }
  return parseManifest(text, id);
}

/** Every complete backup in the directory, newest first. A folder with an unreadable manifest is listed by `damaged`. */
export async function listBackups(store: Pick<BackupStore, 'dir'>): Promise<{ backups: BackupManifest[]; damaged: string[] }> {
  const entries = await readdir(store.dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw new FerryError('connection', 'backup.dir_unreadable', `the backup directory cannot be read (${err.code ?? 'error'}); check FERRY_BACKUP_DIR / --backup-dir and its permissions`);
  });
  const backups: BackupManifest[] = [];
  const damaged: string[] = [];
  for (const id of entries
    .filter((e) => ID.test(e))
    .sort()
    .reverse()) {
    try {
      backups.push(await readManifest(store, id));
    } catch {
      damaged.push(id);
    }
  }
  // Ids carry the time to the second only: two backups within one second are ordered by their manifests' times.
  return { backups: backups.sort(newestFirst), damaged };
}

/** Newest first by creation time (milliseconds), then by id. */
function newestFirst(a: BackupManifest, b: BackupManifest): number {
  return a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1;
}

/** Which backup a retention group belongs to: one target, so one target's policy never deletes another's only backup. */
function groupOf(m: BackupManifest): string {
  return `${m.target.kind} ${m.target.display}`;
}

/**
 * The backups `retention` would delete: per target, beyond the newest `keep` or older than
 * `keepDays`; never `keepId`. With `keepId`, only that backup's own target is considered: a
 * project's retention, applied after its run's backup, never reaches another target's backups
 * (another project's or another tenant's, in a store the operator shares between them).
 */
export function expired(backups: readonly BackupManifest[], retention: Retention, now: Date, keepId?: string): BackupManifest[] {
  if (retention.keep === undefined && retention.keepDays === undefined) return [];
  const kept = keepId === undefined ? undefined : backups.find((m) => m.id === keepId);
  const only = kept ? groupOf(kept) : undefined;
  const seen = new Map<string, number>();
  const out: BackupManifest[] = [];
  // Newest first, so the first `keep` of each group are the ones kept.
  for (const m of [...backups].sort(newestFirst)) {
    if (only !== undefined && groupOf(m) !== only) continue;
    const rank = seen.get(groupOf(m)) ?? 0;
    seen.set(groupOf(m), rank + 1);
    if (m.id === keepId) continue;
    const tooMany = retention.keep !== undefined && rank >= retention.keep;
    const tooOld = retention.keepDays !== undefined && now.getTime() - Date.parse(m.createdAt) > retention.keepDays * DAY_MS;
    if (tooMany || tooOld) out.push(m);
  }
  return out;
}

/** Deletes what `retention` expires and returns the deleted backups. */
export async function pruneBackups(store: Pick<BackupStore, 'dir'>, retention: Retention, now: Date, keepId?: string): Promise<BackupManifest[]> {
  const { backups } = await listBackups(store);
  const doomed = expired(backups, retention, now, keepId);
  for (const m of doomed) await rm(backupPath(store, m.id), { recursive: true, force: true });
  return doomed;
}
