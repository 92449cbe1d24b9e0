/**
 * Upload retention: uploads older than the policy's age are removed, each recorded as
 * `upload:expired` (ids only) before its files go, so the trail never misses a removal. The
 * server sweeps when it starts and then periodically on an unref'd timer that `stop` clears.
 * Half-written upload directories a crash left behind (`upl_….tmp`) are removed too.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AuditEventInput } from '../audit/log.js';
import { listUploads, projectDir, removeUpload } from './uploads.js';

const DAY_MS = 86_400_000;
/** A temporary upload directory older than this is a crash's leftover, not an upload in progress. */
const STALE_TMP_MS = 3_600_000;
const TMP_DIR = /^upl_[0-9a-f]{24}\.tmp$/;
const SAFE_PROJECT = /^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$/;
/** The actor recorded for removals nobody asked for. */
export const RETENTION_ACTOR = 'system:upload-retention';

export interface RetentionOptions {
  dataDir: string;
  audit: { append(input: AuditEventInput): Promise<unknown> };
  retentionDays: number;
  /** The time to judge ages against (default now). */
  now?: Date;
}

/** Removes every upload older than `retentionDays`; returns the ids removed. */
export async function sweepExpiredUploads(o: RetentionOptions): Promise<string[]> {
  const now = (o.now ?? new Date()).getTime();
  const cutoff = now - o.retentionDays * DAY_MS;
  const removed: string[] = [];
  for (const projectId of await projectIds(o.dataDir)) {
    const dir = projectDir(o.dataDir, projectId);
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (!TMP_DIR.test(name)) continue;
      const s = await stat(path.join(dir, name)).catch(() => null);
      if (s && now - s.mtimeMs > STALE_TMP_MS) await rm(path.join(dir, name), { recursive: true, force: true });
    }
    for (const u of await listUploads(o.dataDir, projectId)) {
      const created = Date.parse(u.createdAt);
      if (!(created < cutoff)) continue;
      await o.audit.append({ type: 'upload:expired', actor: RETENTION_ACTOR, orgId: u.orgId ?? null, projectId, payload: { uploadId: u.id, retentionDays: o.retentionDays } });
      await removeUpload(o.dataDir, projectId, u.id);
      removed.push(u.id);
    }
  }
  return removed;
}

async function projectIds(dataDir: string): Promise<string[]> {
  try {
    return (await readdir(path.join(dataDir, 'uploads'))).filter((n) => SAFE_PROJECT.test(n));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

export interface RetentionSweeper {
  /** Resolves when the sweep in progress (if any) has finished. */
  settled(): Promise<void>;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/** Sweeps now and every `intervalMs` (default hourly) until stopped; a failed sweep is reported and retried next time. */
export function startUploadRetention(o: Omit<RetentionOptions, 'now'> & { intervalMs?: number; onError: (err: unknown) => void }): RetentionSweeper {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const sweep = () => {
    // One sweep at a time: a slow disk must not stack sweeps up.
    running = running.then(async () => {
      if (stopped) return;
      await sweepExpiredUploads(o).then(
        () => undefined,
        (err: unknown) => o.onError(err),
      );
    });
  };
  sweep();
  const timer = setInterval(sweep, o.intervalMs ?? 3_600_000);
  timer.unref();
  return {
    settled: () => running,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
