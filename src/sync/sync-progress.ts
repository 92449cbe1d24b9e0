/**
 * What a streaming sync process reports at every heartbeat (SyncRecord.progress): liveness,
 * the source's head and how far behind the applied position is. `ferry sync status`, the
 * server and a cutover read it from the target, so none of them needs the streaming process.
 */
import { z } from 'zod';

/** A heartbeat's stored shape (also the API's). */
export const progressSchema = z.object({
  heartbeatAt: z.string(),
  pid: z.number().int(),
  /** The machine (and PID namespace) `pid` belongs to: a resume on the same one can see whether that process still runs. */
  host: z.string().optional(),
  head: z.string().nullable(),
  lagBytes: z.number().nullable(),
  lagSeconds: z.number(),
  pendingTransactions: z.number().int(),
  appliedPerSecond: z.number(),
  lastArrivalAt: z.string(),
});

export type SyncProgress = z.infer<typeof progressSchema>;

/** The stored form of a heartbeat. */
export function encodeProgress(p: SyncProgress): string {
  return JSON.stringify(p);
}

/** A stored heartbeat, or undefined when there is none (no process has streamed yet). */
export function parseProgress(text: string | undefined): SyncProgress | undefined {
  if (!text) return undefined;
  const parsed = progressSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}

/** Heartbeats older than this many intervals mean no process is streaming the sync. */
export const STALE_BEATS = 5;

/** True when the last heartbeat is recent enough that a process is streaming the sync. */
export function isLive(p: SyncProgress | undefined, heartbeatMs: number, now = Date.now()): boolean {
  return p !== undefined && now - Date.parse(p.heartbeatAt) < STALE_BEATS * heartbeatMs;
}
