/**
 * `ferry sync cutover`: the rehearsable runbook that ends a sync. Confirm the source is frozen
 * (its head has not moved for the quiet period), stop the streaming process, drain what is
 * left to lag 0, then prove the target against the frozen source: the tier's quality gates over
 * every source row (an evaluation that writes nothing) and a full reconciliation of the target
 * as it now is. The cutover record (timings, final position, counts, and the rows quarantined
 * during the sync that need manual re-entry) goes into the sync's record and the audit trail;
 * only a cutover where everything matched drops the capture and ends the sync `cut_over`.
 */
import type { AuditLog } from '../audit/log.js';
import type { ChangeCapture } from '../connectors/capture.js';
import type { QuarantineRecord, Source, SyncRecord, Target } from '../connectors/connector.js';
import { openSource, openTarget } from '../connectors/registry.js';
import { contractDigest } from '../contract/canonical.js';
import { contractOf, type ContractSource } from '../contract/load.js';
import type { Tier } from '../contract/model.js';
import { FerryError } from '../errors.js';
import { reconcileRun } from '../reconcile/reconcile.js';
import type { ReconciliationReport } from '../reconcile/report.js';
import { foldReconciliation } from '../run/reconcile-step.js';
import { migrate } from '../run/migrate.js';
import { verdictOf } from '../run/quality-verdict.js';
import type { RunVerdict } from '../run/report.js';
import { ChangeApplier } from './change-applier.js';
import { capturedTables, openSyncCapture } from './open-capture.js';
import { HEARTBEAT_MS, syncLedgerOf } from './start-sync.js';
import { parseSyncCounts, type SyncCounts } from './sync-counts.js';
import { streamChanges } from './stream-loop.js';
import { waitForNoStreamer } from './stop-sync.js';

export type CutoverOptions = ContractSource & {
  syncId: string;
  sourceUrl: string;
  targetUrl: string;
  /** The tier whose gates decide (default pre_production). */
  tier?: Tier;
  /** The source counts as frozen once its head has not moved for this many seconds (default 10). */
  quietSeconds?: number;
  /** Give up waiting for the freeze after this many seconds (default 600). */
  freezeTimeoutSeconds?: number;
  /** Drained: nothing more arrived for this many milliseconds after the freeze (default 3,000). */
  drainIdleMs?: number;
  heartbeatMs?: number;
  audit?: { log: AuditLog; actor: string };
  signal?: AbortSignal;
  onStep?: (step: CutoverStep, detail: string) => void;
};

export type CutoverStep = 'freeze' | 'stop' | 'drain' | 'gates' | 'reconcile' | 'record';

/** The cutover record (SyncRecord.cutover): keys, counts and timings, never a row value. */
export interface CutoverRecord {
  syncId: string;
  matched: boolean;
  startedAt: string;
  frozenAt: string;
  drainedAt: string;
  finishedAt: string;
  /** From the confirmed freeze to the verdict: how long the switch-over window must be. */
  windowMs: number;
  quietSeconds: number;
  position: string;
  head: string;
  counts: SyncCounts;
  reconciliation: {
    status: 'match' | 'mismatch';
    tables: Array<{ table: string; expected: number; missing: number; extra: number; different: number }>;
    /** What did not match: a code and the table or business check it concerns. */
    mismatches: Array<{ code: string; table: string | null; check: string | null }>;
  };
  gate: { tier: Tier; verdict: RunVerdict; failing: Array<{ kpi: string; table: string | null }> };
  /** Rows quarantined during the sync and never loaded since: re-enter them by hand in the new system, or fix them at the source. */
  pending: Array<Pick<QuarantineRecord, 'sourceTable' | 'sourceKey' | 'targetTable' | 'rule' | 'reasonCode'>>;
}

/** Runs the cutover runbook; the record says whether everything matched (the CLI exits 0 only then). */
export async function cutover(o: CutoverOptions): Promise<CutoverRecord> {
  const startedAt = new Date();
  const loaded = await contractOf(o);
  const digest = contractDigest(loaded);
  const tier = o.tier ?? 'pre_production';
  const heartbeatMs = o.heartbeatMs ?? HEARTBEAT_MS;
  const target = await openTarget(o.targetUrl);
  let capture: ChangeCapture | undefined;
  try {
    const ledger = syncLedgerOf(target);
    const record = await ledger.getSync(o.syncId);
    if (!record) throw new FerryError('not_found', 'sync.unknown', `sync ${o.syncId} is not recorded in the target ${target.displayUrl}; check the id and --target`);
    if (record.contractDigest !== digest)
      throw new FerryError('conflict', 'sync.digest_mismatch', `sync ${o.syncId} streams another version of the contract; cut over with the contract it was started with`);
    if (record.state !== 'streaming' || !record.position || !record.streamRunId) {
      throw new FerryError('conflict', 'sync.not_streaming', `sync ${o.syncId} is ${record.state.replace('_', ' ')}; only a streaming sync can be cut over`);
    }
    capture = await openSyncCapture(record.method === 'watermark' ? 'watermark' : 'log', o.sourceUrl, loaded, {});
    const tables = capturedTables(capture, loaded.contract);

    o.onStep?.('freeze', `waiting until the source has written nothing for ${o.quietSeconds ?? 10} s`);
    const { head, frozenAt } = await confirmFreeze(capture, o.syncId, record.position, o);

    o.onStep?.('stop', 'stopping the streaming process');
    // Asked whether or not a process seems alive: one whose heartbeat is late still sees the request when it next beats.
    await ledger.updateSync(o.syncId, { state: 'stopping' });
    await waitForNoStreamer(ledger, o.syncId, heartbeatMs, o.signal);
    await ledger.updateSync(o.syncId, { state: 'cutting_over' });

    o.onStep?.('drain', 'applying the changes committed before the freeze');
    const current = (await ledger.getSync(o.syncId))!;
    const run = await target.getRun(current.streamRunId!);
    const day = (run?.startedAt ?? current.startedAt).slice(0, 10);
    const applier = await openApplier(o, loaded, current, day);
    const drained = await streamChanges({ syncId: o.syncId, capture, tables, from: current.position!, ledger, applier, signal: o.signal, heartbeatMs, drainIdleMs: o.drainIdleMs ?? 3_000 });
    if (drained.end === 'signal')
      throw new FerryError(
        'run',
        'sync.cutover_cancelled',
        `the cutover of sync ${o.syncId} was cancelled while draining; the sync is left cutting over: resume it (ferry sync start --resume) or run the cutover again`,
      );
    const drainedAt = new Date();

    o.onStep?.('gates', `evaluating every source row against the ${tier} gates`);
    const gateRun = await migrate({ contract: loaded, sourceUrl: o.sourceUrl, dryRun: true, tier, signal: o.signal, lineage: false });

    o.onStep?.('reconcile', 'reconciling the frozen source against the target');
    const rec = await reconcileAsOfNow(o, loaded, digest, current.streamRunId!, target, day);
    const reconciliation = {
      status: rec.status,
      tables: rec.tables.map((t) => ({ table: t.table, expected: t.counts.expected, missing: t.counts.missing, extra: t.counts.extra, different: t.counts.different })),
      mismatches: rec.mismatches.map((m) => ({ code: m.code, table: m.table ?? null, check: m.check ?? null })),
    };
    // As for a run: the reconciliation KPI (business checks included) goes before the tier's gates.
    const folded = foldReconciliation(gateRun, rec);
    const verdict = verdictOf(folded);
    const failing = (folded.quality?.gates ?? []).filter((g) => g.decision === 'fail').map((g) => ({ kpi: g.kpi, table: g.table }));

    o.onStep?.('record', 'writing the cutover record');
    const pending: CutoverRecord['pending'] = [];
    for await (const q of ledger.syncPending(o.syncId)) pending.push({ sourceTable: q.sourceTable, sourceKey: q.sourceKey, targetTable: q.targetTable, rule: q.rule, reasonCode: q.reasonCode });
    const finished = new Date();
    const after = (await ledger.getSync(o.syncId))!;
    // Every target row as the contract derives it from the frozen source, and the gates passed.
    const matched = rec.tables.every((t) => t.status === 'match') && verdict !== 'fail';
    const cut: CutoverRecord = {
      syncId: o.syncId,
      matched,
      startedAt: startedAt.toISOString(),
      frozenAt: frozenAt.toISOString(),
      drainedAt: drainedAt.toISOString(),
      finishedAt: finished.toISOString(),
      windowMs: finished.getTime() - frozenAt.getTime(),
      quietSeconds: o.quietSeconds ?? 10,
      position: drained.position,
      head,
      counts: parseSyncCounts(after.counts),
      reconciliation,
      gate: { tier, verdict, failing },
      pending,
    };
    if (matched) {
      await capture.drop(o.syncId);
      await target.finishRun(current.streamRunId!, 'succeeded');
    }
    // A cutover that did not match leaves the capture in place: fix, resume the stream, and cut over again.
    await ledger.updateSync(o.syncId, { state: matched ? 'cut_over' : 'streaming', cutover: JSON.stringify(cut), progress: '' });
    if (o.audit) {
      await o.audit.log.append({
        type: 'sync:cutover',
        actor: o.audit.actor,
        orgId: null,
        projectId: null,
        payload: {
          syncId: o.syncId,
          matched,
          windowMs: cut.windowMs,
          position: cut.position,
          reconciliation: reconciliation.status,
          verdict,
          pendingRows: pending.length,
          tables: Object.entries(cut.counts.tables).map(([table, t]) => ({ table, upserted: t.upserted, deleted: t.deleted, quarantined: t.quarantined })),
        },
      });
    }
    return cut;
  } finally {
    await Promise.allSettled([capture?.close(), target.close()]);
  }
}

/** Waits until the source's head stays put for the quiet period; returns that head and when the freeze was confirmed. */
async function confirmFreeze(capture: ChangeCapture, syncId: string, position: string, o: CutoverOptions): Promise<{ head: string; frozenAt: Date }> {
  const quietMs = (o.quietSeconds ?? 10) * 1000;
  const deadline = Date.now() + (o.freezeTimeoutSeconds ?? 600) * 1000;
  let head = (await capture.lag(syncId, position)).head;
  let since = Date.now();
  for (;;) {
    o.signal?.throwIfAborted();
    if (Date.now() - since >= quietMs) return { head, frozenAt: new Date() };
    if (Date.now() > deadline) {
      throw new FerryError(
        'run',
        'sync.not_frozen',
        `the source kept changing: its head did not stay put for ${quietMs / 1000} s within ${o.freezeTimeoutSeconds ?? 600} s. Freeze the legacy system's writers (docs/sync.md, the cutover checklist) and run the cutover again; the sync goes on streaming`,
      );
    }
    await new Promise((r) => setTimeout(r, Math.min(1000, quietMs)));
    const now = (await capture.lag(syncId, position)).head;
    if (capture.comparePositions(now, head) !== 0) {
      head = now;
      since = Date.now();
    }
  }
}

async function openApplier(o: CutoverOptions, loaded: Awaited<ReturnType<typeof contractOf>>, record: SyncRecord, day: string): Promise<ChangeApplier> {
  const [source, targetRows] = await Promise.all([openSource(o.sourceUrl), openSource(o.targetUrl)]);
  try {
    return await ChangeApplier.create({
      loaded,
      syncId: record.syncId,
      runId: record.streamRunId!,
      source,
      targetRows,
      lineage: true,
      today: () => day,
      counts: parseSyncCounts(record.counts),
      openSource: () => openSource(o.sourceUrl),
    });
  } finally {
    await Promise.allSettled([source.close(), targetRows.close()]);
  }
}

async function reconcileAsOfNow(o: CutoverOptions, loaded: Awaited<ReturnType<typeof contractOf>>, digest: string, runId: string, target: Target, day: string): Promise<ReconciliationReport> {
  let source: Source | undefined;
  try {
    source = await openSource(o.sourceUrl);
    return await reconcileRun({ loaded, digest, runId, source, target, targetUrl: o.targetUrl, asOfNow: true, today: () => day, signal: o.signal });
  } finally {
    await source?.close();
  }
}
