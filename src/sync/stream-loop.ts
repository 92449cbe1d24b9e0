/**
 * The streaming half of a sync: source transactions arrive from the capture, are turned into
 * change units through the contract, committed to the target together with their position,
 * and only then acknowledged to the source. A process killed anywhere in this loop restarts
 * from the position the target holds: a unit committed but not acknowledged is skipped by the
 * capture (it never yields a transaction at or before the start position), one not committed is
 * applied again.
 */
import type { ChangeCapture, ChangePosition, ChangeStream, SourceTransaction } from '../connectors/capture.js';
import type { SyncLedger } from '../connectors/connector.js';
import { FerryError } from '../errors.js';
import type { ChangeApplier } from './change-applier.js';
import { encodeProgress, type SyncProgress } from './sync-progress.js';
import { processHost } from './streamer-liveness.js';

/** Why a stream loop returned. */
export type StreamEnd = 'signal' | 'stopping' | 'drained' | 'ended';

export interface StreamLoopOptions {
  syncId: string;
  capture: ChangeCapture;
  tables: string[];
  /** The position the target holds: the stream starts after it. */
  from: ChangePosition;
  ledger: SyncLedger;
  applier: ChangeApplier;
  signal?: AbortSignal;
  /** At most this many transactions per change unit (default 1,000). */
  unitTransactions?: number;
  /** A unit closes once it holds this many row changes (default 20,000), so one unit's memory stays bounded. */
  unitChanges?: number;
  /** How often lag and liveness are recorded in the target and the sync's requested state is read (default 2 s). */
  heartbeatMs?: number;
  /** Return once nothing has arrived for this long and everything received is applied (a cutover's drain). */
  drainIdleMs?: number;
  /** Hears every applied unit: how many transactions and changes, and each transaction's commit-to-apply delay. */
  onApplied?: (a: AppliedUnit) => void;
  /** Hears every heartbeat's progress. */
  onProgress?: (p: SyncProgress) => void;
  /** Called after a unit committed and before it is acknowledged (tests use it to crash there). */
  afterCommit?: (position: ChangePosition) => Promise<void> | void;
}

export interface AppliedUnit {
  position: ChangePosition;
  transactions: number;
  changes: number;
  /** Milliseconds from each transaction's source commit to its target commit. */
  delaysMs: number[];
}

/** How long a capture still held by a stream that was just stopped (its server process exiting) is waited for. */
const IN_USE_WAIT_MS = 15_000;

/** Opens the capture's stream; a slot a stopped stream has not yet let go of is retried for a few seconds. */
async function openStream(o: StreamLoopOptions): Promise<ChangeStream> {
  const until = Date.now() + IN_USE_WAIT_MS;
  for (;;) {
    try {
      return await o.capture.stream(o.syncId, o.tables, o.from, o.signal);
    } catch (err) {
      if (!(err instanceof FerryError && err.code === 'sync.slot_in_use') || Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Streams, applies and acknowledges until stopped; returns the last applied position and why it returned. */
export async function streamChanges(o: StreamLoopOptions): Promise<{ position: ChangePosition; end: StreamEnd }> {
  const maxTx = o.unitTransactions ?? 1_000;
  const maxChanges = o.unitChanges ?? 20_000;
  const heartbeatMs = o.heartbeatMs ?? 2_000;
  let position = o.from;
  const queue: SourceTransaction[] = [];
  let wake: (() => void) | undefined;
  let resumePump: (() => void) | undefined;
  let pumpDone = false;
  let pumpError: unknown;
  let stopReason: StreamEnd | undefined;
  let lastArrival = Date.now();
  let appliedTx = 0;
  let since = Date.now();
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const stream: ChangeStream = await openStream(o);
  const stop = (reason: StreamEnd): void => {
    stopReason ??= reason;
    notify();
    resumePump?.();
  };
  const onAbort = (): void => stop('signal');
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) stop('signal');

  // The pump reads ahead while a unit commits, but never more than a few units' worth.
  const pump = (async () => {
    try {
      for await (const tx of stream) {
        queue.push(tx);
        lastArrival = Date.now();
        notify();
        while (queue.length >= maxTx * 4 && stopReason === undefined) await new Promise<void>((r) => (resumePump = r));
        if (stopReason !== undefined) break;
      }
    } catch (err) {
      pumpError = err;
    } finally {
      pumpDone = true;
      notify();
    }
  })();

  const heartbeat = async (): Promise<void> => {
    let lag: { head: string; bytes: number | null } | undefined;
    try {
      lag = await o.capture.lag(o.syncId, position);
    } catch {
      // The source being briefly unreachable must not stop the apply; the next beat retries.
    }
    const now = Date.now();
    const progress: SyncProgress = {
      heartbeatAt: new Date(now).toISOString(),
      pid: process.pid,
      host: processHost(),
      head: lag?.head ?? null,
      lagBytes: lag?.bytes ?? null,
      lagSeconds: queue.length > 0 ? Math.max(0, (now - queue[0].committedAt.getTime()) / 1000) : 0,
      pendingTransactions: queue.length,
      appliedPerSecond: Math.round((appliedTx * 1000) / Math.max(1, now - since)),
      lastArrivalAt: new Date(lastArrival).toISOString(),
    };
    appliedTx = 0;
    since = now;
    o.onProgress?.(progress);
    await o.ledger.updateSync(o.syncId, { progress: encodeProgress(progress) });
    const record = await o.ledger.getSync(o.syncId);
    if (record?.state === 'stopping') stop('stopping');
  };
  let beating: Promise<void> | undefined;
  let beatError: unknown;
  const timer = setInterval(() => {
    beating ??= heartbeat()
      .catch((err: unknown) => {
        beatError = err;
        stop('ended');
      })
      .finally(() => (beating = undefined));
  }, heartbeatMs);

  try {
    for (;;) {
      if (stopReason !== undefined && stopReason !== 'drained') break;
      if (queue.length === 0) {
        if (pumpDone) {
          if (pumpError !== undefined) throw pumpError;
          stopReason ??= 'ended';
          break;
        }
        if (o.drainIdleMs !== undefined && Date.now() - lastArrival >= o.drainIdleMs) {
          stopReason = 'drained';
          break;
        }
        await new Promise<void>((r) => {
          wake = r;
          if (o.drainIdleMs !== undefined) setTimeout(r, Math.max(50, o.drainIdleMs - (Date.now() - lastArrival))).unref();
        });
        continue;
      }
      const take: SourceTransaction[] = [];
      let changes = 0;
      while (queue.length > 0 && take.length < maxTx && (take.length === 0 || changes + queue[0].changes.length <= maxChanges)) {
        const tx = queue.shift()!;
        take.push(tx);
        changes += tx.changes.length;
      }
      resumePump?.();
      resumePump = undefined;
      const unit = await o.applier.unit(take);
      await o.ledger.applyChanges(unit);
      const committed = Date.now();
      position = unit.position;
      await o.afterCommit?.(position);
      await stream.acknowledge(position);
      appliedTx += take.length;
      o.onApplied?.({ position, transactions: take.length, changes, delaysMs: take.map((t) => committed - t.committedAt.getTime()) });
    }
  } finally {
    clearInterval(timer);
    o.signal?.removeEventListener('abort', onAbort);
    await stream.stop().catch(() => undefined);
    resumePump?.();
    await pump;
    await beating;
  }
  if (beatError !== undefined)
    throw beatError instanceof FerryError ? beatError : new FerryError('run', 'sync.ledger_failed', `the sync could not record its progress in the target: ${(beatError as Error).message}`);
  return { position, end: stopReason ?? 'ended' };
}
