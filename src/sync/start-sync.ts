/**
 * `ferry sync start`: preflight, then (a new sync) the capture's consistent point and a snapshot
 * run read at exactly that point, then the stream of every later source transaction through the
 * same contract; or (`resume`) the stream again from the position the target holds. The sync's
 * record in the target says where it is at every step, so a crash anywhere leaves a sync that
 * `ferry sync status` explains and `--resume` or `ferry sync stop` can act on.
 */
import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit/log.js';
import type { ChangeCapture } from '../connectors/capture.js';
import type { Source, SyncLedger, SyncRecord, Target } from '../connectors/connector.js';
import { openSource, openTarget } from '../connectors/registry.js';
import { contractDigest } from '../contract/canonical.js';
import { contractOf, type ContractSource } from '../contract/load.js';
import type { LoadedContract, Tier } from '../contract/model.js';
import type { RunEventListener } from '../engine/events.js';
import { newRunId } from '../engine/run.js';
import { mappedTargetDefs } from '../engine/target-defs.js';
import { FerryError, issue } from '../errors.js';
import { crosswalkVersions } from '../lineage/crosswalks.js';
import { checkBackupAllowed, type RunBackup } from '../backup/before-run.js';
import { governedRun } from '../run/governed-run.js';
import type { RunReport } from '../run/report.js';
import { ChangeApplier } from './change-applier.js';
import { capturedTables, openSyncCapture, type SyncMethod } from './open-capture.js';
import { parseSyncCounts } from './sync-counts.js';
import { isLive, parseProgress, STALE_BEATS, type SyncProgress } from './sync-progress.js';
import { streamChanges, type AppliedUnit, type StreamEnd } from './stream-loop.js';
import { MISSED_BEATS, streamerGone } from './streamer-liveness.js';

/** Default heartbeat of a streaming process (progress, lag, requested state). */
export const HEARTBEAT_MS = 2_000;

export type SyncStartOptions = ContractSource & {
  sourceUrl: string;
  targetUrl: string;
  /** `log` (PostgreSQL logical replication, MySQL binlog) or `watermark` (change columns); default: the source's log when it has one. */
  method?: SyncMethod;
  /** Continue this sync from the position its target holds instead of starting a new one. */
  resume?: string;
  /** The release tier whose gates the snapshot run is judged by (default pre_production). */
  tier?: Tier;
  partitions?: number;
  /** Tables with fewer source rows than this stay whole in the snapshot (default MIN_PARTITION_ROWS). */
  minPartitionRows?: number;
  concurrency?: number;
  batchSize?: number;
  /** Per-row lineage for the snapshot and every applied change (default true). */
  lineage?: boolean;
  /** Watermark syncs: seconds between polls. */
  pollSeconds?: number;
  heartbeatMs?: number;
  audit?: { log: AuditLog; actor: string };
  /** The backup the snapshot run takes before it writes (src/backup), as a run's. */
  backup?: RunBackup;
  signal?: AbortSignal;
  /** Hears the sync's id first, then its snapshot, applied units and heartbeats. */
  onEvent?: (e: SyncEvent) => void;
  /** Hears the snapshot run's progress. */
  onRunEvent?: RunEventListener;
  /** Tests: called after each unit committed and before it is acknowledged. */
  afterCommit?: (position: string) => Promise<void> | void;
};

export type SyncEvent =
  | { type: 'sync:id'; syncId: string; resumed: boolean }
  | { type: 'sync:snapshot'; report: RunReport }
  | { type: 'sync:streaming'; position: string }
  | { type: 'sync:applied'; unit: AppliedUnit }
  | { type: 'sync:progress'; progress: SyncProgress };

export interface SyncOutcome {
  syncId: string;
  end: StreamEnd;
  position: string;
  snapshot?: RunReport;
}

/** A fresh, sortable sync id. */
export function newSyncId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `sync-${stamp}-${randomBytes(3).toString('hex')}`;
}

/** The target's sync ledger, or the refusal of a target that cannot keep one. */
export function syncLedgerOf(target: Target): SyncLedger {
  if (!target.sync)
    throw new FerryError(
      'usage',
      'sync.target_unsupported',
      `${target.kind} targets cannot be synchronised (no transactional ledger to hold the position); sync into a PostgreSQL, MySQL/MariaDB or SQLite target`,
    );
  return target.sync;
}

/** Starts a new sync or resumes one; returns when the stream stops (signal, `ferry sync stop`, or a refusal, which throws). */
export async function startSync(o: SyncStartOptions): Promise<SyncOutcome> {
  const loaded = await contractOf(o);
  const digest = contractDigest(loaded);
  // A policy that demands a backup refuses a new sync before a slot or a ledger row exists.
  if (!o.resume) checkBackupAllowed(o.backup);
  const capture = await openSyncCapture(o.method, o.sourceUrl, loaded, { pollSeconds: o.pollSeconds });
  const tables = capturedTables(capture, loaded.contract);
  let target: Target | undefined;
  try {
    target = await openTarget(o.targetUrl);
    const ledger = syncLedgerOf(target);
    await target.ensureSchema(mappedTargetDefs(loaded.contract), { create: true });
    const ctx: SyncContext = { o, loaded, digest, tables, capture, target, ledger };
    return o.resume ? await resumeSync(ctx, o.resume) : await newSync(ctx);
  } finally {
    await Promise.allSettled([capture.close(), target?.close()]);
  }
}

interface SyncContext {
  o: SyncStartOptions;
  loaded: LoadedContract;
  digest: string;
  tables: string[];
  capture: ChangeCapture;
  target: Target;
  ledger: SyncLedger;
}

async function newSync(c: SyncContext): Promise<SyncOutcome> {
  const { o, capture, ledger } = c;
  const findings = await capture.preflight(c.tables);
  if (findings.length > 0) {
    throw new FerryError(
      'usage',
      'sync.preflight_failed',
      `the source cannot be synchronised as it stands (${findings.length} problem(s)); nothing was created:\n${findings.map((f) => `  ${f.code}${f.table ? ` (${f.table})` : ''}: ${f.message}`).join('\n')}`,
      findings.map((f) => issue(f.code, f.table ? `source.tables.${f.table}` : 'source', f.message)),
    );
  }
  const now = new Date();
  const syncId = newSyncId(now);
  // Recorded before anything exists at the source, so a crash from here on leaves a sync that `ferry sync stop` can clean up.
  await ledger.beginSync({ syncId, contractDigest: c.digest, method: capture.kind, source: capture.displayUrl, state: 'snapshot', startedAt: now.toISOString(), updatedAt: now.toISOString() });
  o.onEvent?.({ type: 'sync:id', syncId, resumed: false });
  try {
    const start = await capture.begin(syncId, c.tables);
    let snapshot: RunReport;
    let applier: ChangeApplier;
    const streamRunId = newRunId(new Date());
    try {
      await ledger.updateSync(syncId, { position: start.position });
      snapshot = await governedRun({
        audit: o.audit ? { log: o.audit.log, actor: o.audit.actor } : undefined,
        backup: o.backup,
        syncId,
        run: {
          contract: c.loaded,
          sourceUrl: o.sourceUrl,
          targetUrl: o.targetUrl,
          openSourceWith: () => start.openSnapshot(),
          tier: o.tier,
          partitions: o.partitions,
          minPartitionRows: o.minPartitionRows,
          concurrency: o.concurrency,
          batchSize: o.batchSize,
          lineage: o.lineage,
          signal: o.signal,
          onEvent: o.onRunEvent,
        },
      });
      o.onEvent?.({ type: 'sync:snapshot', report: snapshot });
      if (snapshot.status !== 'succeeded' && snapshot.status !== 'failed_gate') {
        throw new FerryError(
          'run',
          'sync.snapshot_failed',
          `the snapshot run ${snapshot.runId} ended ${snapshot.status}; the sync cannot stream from a partial snapshot: stop it (ferry sync stop ${syncId}) and start a new one`,
        );
      }
      // Lookups are loaded at the consistent point too, so the first changes are evaluated against exactly the rows before them.
      applier = await createApplier(c, syncId, streamRunId, await start.openSnapshot(), snapshot.startedAt.slice(0, 10));
    } finally {
      await start.release();
    }
    await c.target.beginRun({ runId: streamRunId, contractDigest: c.digest, startedAt: new Date().toISOString(), status: 'running', crosswalks: crosswalkVersions(c.loaded) });
    await ledger.updateSync(syncId, { snapshotRunId: snapshot.runId, streamRunId, state: 'streaming' });
    await audit(c, 'sync:started', { syncId, contractDigest: c.digest, method: capture.kind, tables: c.tables, snapshotRunId: snapshot.runId, resumed: false });
    const r = await stream(c, syncId, start.position, applier);
    return { syncId, ...r, snapshot };
  } catch (err) {
    await failed(c, syncId, err);
    throw err;
  }
}

async function resumeSync(c: SyncContext, syncId: string): Promise<SyncOutcome> {
  const { o, ledger } = c;
  const found = await ledger.getSync(syncId);
  if (!found) throw new FerryError('not_found', 'sync.unknown', `sync ${syncId} is not recorded in the target ${c.target.displayUrl}; check the id and --target`);
  const { record, gone } = await lastStreamerGone(c, found, o.heartbeatMs ?? HEARTBEAT_MS);
  checkResumable(record, c.digest, o.heartbeatMs ?? HEARTBEAT_MS, gone);
  o.onEvent?.({ type: 'sync:id', syncId, resumed: true });
  try {
    const run = await c.target.getRun(record.streamRunId!);
    // After a restart the lookups come from the live source: rows evaluated before the stream
    // catches up may see a lookup row a later change brings; the cutover's reconciliation proves the end state.
    const live = await openSource(o.sourceUrl);
    const applier = await createApplier(c, syncId, record.streamRunId!, live, (run?.startedAt ?? record.startedAt).slice(0, 10), parseSyncCounts(record.counts));
    await ledger.updateSync(syncId, { state: 'streaming', error: '' });
    await audit(c, 'sync:started', { syncId, contractDigest: c.digest, method: c.capture.kind, tables: c.tables, snapshotRunId: record.snapshotRunId ?? null, resumed: true });
    return { syncId, ...(await stream(c, syncId, record.position!, applier)) };
  } catch (err) {
    await failed(c, syncId, err);
    throw err;
  }
}

/**
 * Whether the process behind a recent heartbeat is provably gone (killed: it could not clear its
 * heartbeat). When the source shows nobody reading the capture but the heartbeat is too recent to
 * prove anything, waits until the streamer has missed MISSED_BEATS beats and looks once more.
 */
async function lastStreamerGone(c: SyncContext, record: SyncRecord, heartbeatMs: number): Promise<{ record: SyncRecord; gone: boolean }> {
  for (let look = 0; ; look++) {
    const progress = parseProgress(record.progress);
    if (record.state === 'failed' || !progress || !isLive(progress, heartbeatMs)) return { record, gone: false };
    // A source that cannot be asked right now proves nothing: the heartbeat decides, as without this check.
    const readerActive = await c.capture.readerActive?.(record.syncId).catch(() => undefined);
    if (streamerGone({ progress, heartbeatMs, readerActive })) return { record, gone: true };
    if (readerActive !== false || look > 0) return { record, gone: false };
    await sleep(MISSED_BEATS * heartbeatMs - (Date.now() - Date.parse(progress.heartbeatAt)) + 100, c.o.signal);
    record = (await c.ledger.getSync(record.syncId)) ?? record;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, Math.max(0, ms));
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Refuses to resume a sync that has nothing consistent to continue from, or is streamed elsewhere.
 * `streamerGone`: the process behind a recent heartbeat is known to be dead (lastStreamerGone).
 */
export function checkResumable(record: SyncRecord, digest: string, heartbeatMs: number, streamerGone = false): void {
  const id = record.syncId;
  if (record.contractDigest !== digest) {
    throw new FerryError(
      'conflict',
      'sync.digest_mismatch',
      `sync ${id} streams contract ${record.contractDigest.slice(0, 12)}…, not ${digest.slice(0, 12)}…; resume it with the same contract, or stop it and start a new sync`,
    );
  }
  if (record.state === 'snapshot' || !record.position || !record.streamRunId) {
    throw new FerryError(
      'conflict',
      'sync.snapshot_unfinished',
      `sync ${id} never finished its snapshot, so there is no consistent point to stream from: stop it (ferry sync stop ${id}) and start a new sync`,
    );
  }
  if (record.state === 'stopped' || record.state === 'cut_over' || record.state === 'stopping') {
    throw new FerryError('conflict', 'sync.finished', `sync ${id} is ${record.state.replace('_', ' ')}; its capture is gone or going, so start a new sync`);
  }
  if (record.state !== 'failed' && !streamerGone && isLive(parseProgress(record.progress), heartbeatMs)) {
    const p = parseProgress(record.progress)!;
    throw new FerryError(
      'conflict',
      'sync.already_streaming',
      `sync ${id} is being streamed by another process (pid ${p.pid}${p.host ? ` on ${p.host.split('/')[0]}` : ''}, last heartbeat ${p.heartbeatAt}); stop that one first, or, if it was killed, resume again once its heartbeat is ${(STALE_BEATS * heartbeatMs) / 1000} s old`,
    );
  }
}

async function createApplier(c: SyncContext, syncId: string, runId: string, source: Source, day: string, counts?: ReturnType<typeof parseSyncCounts>): Promise<ChangeApplier> {
  const targetRows = await openSource(c.o.targetUrl);
  try {
    return await ChangeApplier.create({ loaded: c.loaded, syncId, runId, source, targetRows, lineage: c.o.lineage ?? true, today: () => day, counts, openSource: () => openSource(c.o.sourceUrl) });
  } finally {
    await Promise.allSettled([targetRows.close(), source.close()]);
  }
}

async function stream(c: SyncContext, syncId: string, from: string, applier: ChangeApplier): Promise<{ end: StreamEnd; position: string }> {
  const { o } = c;
  o.onEvent?.({ type: 'sync:streaming', position: from });
  const r = await streamChanges({
    syncId,
    capture: c.capture,
    tables: c.tables,
    from,
    ledger: c.ledger,
    applier,
    signal: o.signal,
    heartbeatMs: o.heartbeatMs ?? HEARTBEAT_MS,
    afterCommit: o.afterCommit,
    onApplied: (unit) => o.onEvent?.({ type: 'sync:applied', unit }),
    onProgress: (progress) => o.onEvent?.({ type: 'sync:progress', progress }),
  });
  // No heartbeat any more: whoever asked the stream to stop sees it has.
  await c.ledger.updateSync(syncId, { progress: '' });
  if (r.end === 'signal' || r.end === 'ended') {
    // The capture stays: the sync resumes from the target's position (ferry sync start --resume).
    await audit(c, 'sync:stopped', { syncId, reason: 'interrupted', position: r.position });
  }
  return r;
}

async function failed(c: SyncContext, syncId: string, err: unknown): Promise<void> {
  const code = err instanceof FerryError ? err.code : 'sync.failed';
  const message = err instanceof FerryError ? err.message : 'the sync stopped on an unexpected error';
  const record = await c.ledger.getSync(syncId).catch(() => undefined);
  await c.ledger.updateSync(syncId, { state: 'failed', error: JSON.stringify({ code, message }), progress: '' }).catch(() => undefined);
  await audit(c, 'sync:failed', { syncId, code, position: record?.position ?? null }).catch(() => undefined);
}

async function audit(c: SyncContext, type: 'sync:started' | 'sync:stopped' | 'sync:failed', payload: Record<string, unknown>): Promise<void> {
  if (!c.o.audit) return;
  await c.o.audit.log.append({ type, actor: c.o.audit.actor, orgId: null, projectId: null, payload } as Parameters<AuditLog['append']>[0]);
}
