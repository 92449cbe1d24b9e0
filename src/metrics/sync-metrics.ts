/**
 * A streaming sync (`ferry sync start`) in the process's metrics: its snapshot run like any
 * other run, then the lag its own heartbeat measures (seconds and bytes behind the source's
 * head) and the transactions it applies, under the sync's id.
 */
import type { RunEvent } from '../engine/events.js';
import type { SyncEvent } from '../sync/start-sync.js';
import type { FerryMetrics } from './registry.js';
import { trackRun, type RunTracker } from './run-metrics.js';

/** Listeners for `startSync`'s `onEvent` and `onRunEvent`; `tier` is the snapshot's gate tier. */
export function syncMetrics(m: FerryMetrics, tier: string): { onEvent(e: SyncEvent): void; onRunEvent(e: RunEvent): void } {
  let syncId: string | null = null;
  let snapshot: RunTracker | null = null;
  return {
    onRunEvent(e) {
      // A sync outside the control plane has no project: its runs carry an empty project label.
      if (e.type === 'run:started') snapshot = trackRun(m, { runId: e.runId, project: '', tier });
      snapshot?.onEvent(e);
    },
    onEvent(e) {
      switch (e.type) {
        case 'sync:id':
          syncId = e.syncId;
          return;
        case 'sync:snapshot':
          snapshot?.finish(e.report.status, e.report);
          snapshot = null;
          return;
        case 'sync:applied':
          if (syncId) m.syncAppliedTransactions.inc({ sync_id: syncId }, e.unit.transactions);
          return;
        case 'sync:progress':
          if (!syncId) return;
          m.syncLagSeconds.set({ sync_id: syncId }, e.progress.lagSeconds);
          if (e.progress.lagBytes === null) m.syncLagBytes.remove({ sync_id: syncId });
          else m.syncLagBytes.set({ sync_id: syncId }, e.progress.lagBytes);
          return;
        default:
          return;
      }
    },
  };
}
