/**
 * `ferry sync status`: a sync as its target records it — state, position, lag, liveness,
 * running totals and the cutover record — read without the source or the streaming process.
 */
import type { SyncRecord } from '../connectors/connector.js';
import { openTarget } from '../connectors/registry.js';
import { FerryError } from '../errors.js';
import type { CutoverRecord } from './cutover.js';
import { HEARTBEAT_MS, syncLedgerOf } from './start-sync.js';
import { parseSyncCounts, type SyncCounts } from './sync-counts.js';
import { isLive, parseProgress, type SyncProgress } from './sync-progress.js';

export interface SyncStatus {
  syncId: string;
  state: SyncRecord['state'];
  method: string;
  source: string;
  contractDigest: string;
  startedAt: string;
  updatedAt: string;
  snapshotRunId: string | null;
  position: string | null;
  lastCommitAt: string | null;
  /** True when a process reported within the last few heartbeats. */
  streaming: boolean;
  lag: { bytes: number | null; seconds: number | null; pendingTransactions: number | null };
  progress: SyncProgress | null;
  counts: SyncCounts;
  error: { code: string; message: string } | null;
  cutover: CutoverRecord | null;
}

/** A stored sync as status reports it. */
export function statusOf(r: SyncRecord, now = Date.now()): SyncStatus {
  const progress = parseProgress(r.progress) ?? null;
  const streaming = isLive(progress ?? undefined, HEARTBEAT_MS, now);
  return {
    syncId: r.syncId,
    state: r.state,
    method: r.method,
    source: r.source,
    contractDigest: r.contractDigest,
    startedAt: r.startedAt,
    updatedAt: r.updatedAt,
    snapshotRunId: r.snapshotRunId ?? null,
    position: r.position ?? null,
    lastCommitAt: r.lastCommitAt ?? null,
    streaming,
    lag:
      streaming && progress ? { bytes: progress.lagBytes, seconds: progress.lagSeconds, pendingTransactions: progress.pendingTransactions } : { bytes: null, seconds: null, pendingTransactions: null },
    progress,
    counts: parseSyncCounts(r.counts),
    error: r.error ? (JSON.parse(r.error) as { code: string; message: string }) : null,
    cutover: r.cutover ? (JSON.parse(r.cutover) as CutoverRecord) : null,
  };
}

/** The status of one sync, or of every sync the target records (newest first). */
export async function syncStatus(targetUrl: string, syncId?: string): Promise<SyncStatus[]> {
  const target = await openTarget(targetUrl);
  try {
    const ledger = syncLedgerOf(target);
    if (!syncId) return (await ledger.listSyncs()).map((r) => statusOf(r));
    const r = await ledger.getSync(syncId);
    if (!r) throw new FerryError('not_found', 'sync.unknown', `sync ${syncId} is not recorded in the target ${target.displayUrl}; check the id and --target`);
    return [statusOf(r)];
  } finally {
    await target.close();
  }
}
