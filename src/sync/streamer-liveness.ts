/**
 * Is the process behind a sync's last heartbeat still streaming? A process killed with SIGKILL
 * (or by the OOM killer, or a power cut) cannot clear its heartbeat, and waiting for the
 * heartbeat to go stale would hold a resume up for STALE_BEATS intervals. A resume may go ahead
 * sooner only when the streamer is provably gone; two live streamers must still be refused.
 */
import { readlinkSync } from 'node:fs';
import os from 'node:os';
import type { SyncProgress } from './sync-progress.js';

/** How many heartbeat intervals a streamer may miss before an idle capture counts as proof it is gone. */
export const MISSED_BEATS = 2;

let host: string | undefined;

/** This machine and PID namespace: two processes with the same pid in different containers must not be mistaken for each other. */
export function processHost(): string {
  if (host === undefined) {
    let ns = '';
    try {
      ns = readlinkSync('/proc/self/ns/pid');
    } catch {
      // Not Linux: the host name alone.
    }
    host = ns ? `${os.hostname()}/${ns}` : os.hostname();
  }
  return host;
}

/** True when no process with this pid runs on this machine (a process we may not signal still runs). */
export function pidGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export interface StreamerEvidence {
  /** The last heartbeat the sync's record holds. */
  progress: SyncProgress;
  heartbeatMs: number;
  /** Whether the source has a client reading the sync's capture (undefined: it cannot tell). */
  readerActive: boolean | undefined;
  now?: number;
}

/**
 * True when the streamer that wrote `progress` is provably gone: it beat from this machine and
 * its pid no longer runs, or it has missed MISSED_BEATS heartbeats and the source says nobody
 * reads the capture (a live streamer holds its replication connection for as long as it beats).
 * A pid reused by another process, or a source that cannot tell, errs on the side of "alive".
 */
export function streamerGone(e: StreamerEvidence): boolean {
  if (e.progress.host === processHost() && e.progress.pid !== process.pid && pidGone(e.progress.pid)) return true;
  const age = (e.now ?? Date.now()) - Date.parse(e.progress.heartbeatAt);
  return e.readerActive === false && age > MISSED_BEATS * e.heartbeatMs;
}
