/**
 * `ferry sync stop`: ends a sync for good. The streaming process (if one is alive) is asked to
 * stop through the sync's record and finishes the unit it is applying; then the capture is
 * removed at the source (PostgreSQL: the replication slot and publication, so the source stops
 * keeping WAL for it) and the sync is recorded `stopped`. The target keeps what was applied.
 */
import type { AuditLog } from '../audit/log.js';
import type { SyncLedger } from '../connectors/connector.js';
import { openTarget } from '../connectors/registry.js';
import { contractOf, type ContractSource } from '../contract/load.js';
import { FerryError } from '../errors.js';
import { openSyncCapture } from './open-capture.js';
import { HEARTBEAT_MS, syncLedgerOf } from './start-sync.js';
import { isLive, parseProgress } from './sync-progress.js';

export type StopSyncOptions = ContractSource & {
  syncId: string;
  sourceUrl: string;
  targetUrl: string;
  heartbeatMs?: number;
  audit?: { log: AuditLog; actor: string };
  signal?: AbortSignal;
};

/** Waits until no process streams the sync (it saw the request and stopped, or its heartbeat went stale). */
export async function waitForNoStreamer(ledger: SyncLedger, syncId: string, heartbeatMs: number, signal?: AbortSignal): Promise<void> {
  for (;;) {
    signal?.throwIfAborted();
    const r = await ledger.getSync(syncId);
    if (!r || !isLive(parseProgress(r.progress), heartbeatMs)) return;
    await new Promise((res) => setTimeout(res, Math.min(500, heartbeatMs)));
  }
}

/** Stops the streaming process, drops the capture at the source and records the sync `stopped`. */
export async function stopSync(o: StopSyncOptions): Promise<void> {
  const loaded = await contractOf(o);
  const heartbeatMs = o.heartbeatMs ?? HEARTBEAT_MS;
  const target = await openTarget(o.targetUrl);
  try {
    const ledger = syncLedgerOf(target);
    const record = await ledger.getSync(o.syncId);
    if (!record) throw new FerryError('not_found', 'sync.unknown', `sync ${o.syncId} is not recorded in the target ${target.displayUrl}; check the id and --target`);
    if (record.state === 'stopped' || record.state === 'cut_over') return;
    await ledger.updateSync(o.syncId, { state: 'stopping' });
    await waitForNoStreamer(ledger, o.syncId, heartbeatMs, o.signal);
    const capture = await openSyncCapture(record.method === 'watermark' ? 'watermark' : 'log', o.sourceUrl, loaded, {});
    try {
      await capture.drop(o.syncId);
    } finally {
      await capture.close();
    }
    if (record.streamRunId && (await target.getRun(record.streamRunId))?.status === 'running') await target.finishRun(record.streamRunId, 'cancelled');
    await ledger.updateSync(o.syncId, { state: 'stopped', progress: '' });
    await o.audit?.log.append({ type: 'sync:stopped', actor: o.audit.actor, orgId: null, projectId: null, payload: { syncId: o.syncId, reason: 'stopped', position: record.position ?? null } });
  } finally {
    await target.close();
  }
}
