/**
 * Sync records written straight into a target's ledger, as `ferry sync start` and `ferry sync
 * cutover` leave them, for tests of what reads them (the server's sync routes, the Syncs screen)
 * without running a source, a stream or a cutover.
 */
import { openTarget } from '../../src/connectors/registry.js';
import type { SyncRecord } from '../../src/connectors/connector.js';
import type { CutoverRecord } from '../../src/sync/cutover.js';
import { encodeProgress, type SyncProgress } from '../../src/sync/sync-progress.js';
import type { SyncCounts } from '../../src/sync/sync-counts.js';

/** A source address recorded in every sync here: it must never leave the server. */
export const SECRET_SOURCE = 'postgres://replicator@legacy-pas.trust-a.example:5432/pas_live';
/** A field a future (or foreign) progress report might carry beyond the schema: never shown either. */
export const SECRET_PROGRESS = 'slot-on-legacy-pas.trust-a.example';

export const STREAM_COUNTS: SyncCounts = {
  transactions: 12,
  changes: 41,
  tables: {
    person: { upserted: 30, deleted: 2, quarantined: 1, excluded: 0, truncated: 0, reasons: { 'rule.nhs_number': 1 } },
    address: { upserted: 8, deleted: 0, quarantined: 0, excluded: 0, truncated: 0, reasons: {} },
  },
};

/** A heartbeat at `now` (by default 1.5 s and 2,232 bytes behind), with one field beyond the schema. */
export function freshProgress(now = Date.now(), lagSeconds = 1.5): string {
  const p: SyncProgress & { slot: string } = {
    heartbeatAt: new Date(now).toISOString(),
    pid: 4242,
    head: '0/16B4000',
    lagBytes: 2232,
    lagSeconds,
    pendingTransactions: 3,
    appliedPerSecond: 20.5,
    lastArrivalAt: new Date(now - 500).toISOString(),
    slot: SECRET_PROGRESS,
  };
  return encodeProgress(p);
}

/** A cutover that matched, with two rows left for manual re-entry (keys and reason codes only). */
export function cutoverRecord(syncId: string): CutoverRecord {
  return {
    syncId,
    matched: true,
    startedAt: '2026-11-30T22:00:00.000Z',
    frozenAt: '2026-11-30T22:00:12.000Z',
    drainedAt: '2026-11-30T22:00:14.500Z',
    finishedAt: '2026-11-30T22:00:19.250Z',
    windowMs: 7250,
    quietSeconds: 10,
    position: '2026-11-30T21:59:58.000Z|person:1041',
    head: '2026-11-30T21:59:58.000Z|person:1041',
    counts: { transactions: 5, changes: 9, tables: { person: { upserted: 7, deleted: 0, quarantined: 2, excluded: 0, truncated: 0, reasons: { 'rule.nhs_number': 2 } } } },
    reconciliation: { status: 'match', tables: [{ table: 'person', expected: 1039, missing: 0, extra: 0, different: 0 }], mismatches: [] },
    gate: { tier: 'pre_production', verdict: 'pass', failing: [] },
    pending: [
      { sourceTable: 'PERSON', sourceKey: '1017', targetTable: 'person', rule: 'nhs_number', reasonCode: 'rule.nhs_number' },
      { sourceTable: 'PERSON', sourceKey: '1023', targetTable: 'person', rule: 'nhs_number', reasonCode: 'rule.nhs_number' },
    ],
  };
}

export interface SyncSpec {
  syncId: string;
  contractDigest: string;
  kind: 'streaming' | 'cut_over' | 'failed';
  /** When the sync started (orders the list, newest first). */
  startedAt: string;
}

/** Writes each sync into the target at `targetUrl` (preparing its ledger), as its process would have left it. */
export async function writeSyncs(targetUrl: string, specs: SyncSpec[]): Promise<void> {
  const target = await openTarget(targetUrl);
  try {
    await target.ensureSchema([], { create: true });
    const ledger = target.sync!;
    for (const s of specs) {
      const base: SyncRecord = {
        syncId: s.syncId,
        contractDigest: s.contractDigest,
        method: s.kind === 'cut_over' ? 'watermark' : 'postgres',
        source: SECRET_SOURCE,
        state: 'snapshot',
        startedAt: s.startedAt,
        updatedAt: s.startedAt,
      };
      await ledger.beginSync(base);
      if (s.kind === 'streaming') {
        await ledger.updateSync(s.syncId, { state: 'streaming', position: '0/16B3748', lastCommitAt: new Date().toISOString(), counts: JSON.stringify(STREAM_COUNTS), progress: freshProgress() });
      } else if (s.kind === 'cut_over') {
        const cut = cutoverRecord(s.syncId);
        // The last heartbeat is long stale: no process streams a cut-over sync.
        await ledger.updateSync(s.syncId, {
          state: 'cut_over',
          position: cut.position,
          counts: JSON.stringify(cut.counts),
          progress: freshProgress(Date.parse(cut.frozenAt)),
          cutover: JSON.stringify(cut),
        });
      } else {
        await ledger.updateSync(s.syncId, {
          state: 'failed',
          error: JSON.stringify({ code: 'sync.apply_foreign_key', message: 'applying the changes would break foreign key address_person_fk on table address; it was rolled back' }),
        });
      }
    }
  } finally {
    await target.close();
  }
}

/** Reports a heartbeat now for a streaming sync, `lagSeconds` behind (a live process reports every 2 s). */
export async function beat(targetUrl: string, syncId: string, lagSeconds = 1.5): Promise<void> {
  const target = await openTarget(targetUrl);
  try {
    await target.sync!.updateSync(syncId, { progress: freshProgress(Date.now(), lagSeconds) });
  } finally {
    await target.close();
  }
}
