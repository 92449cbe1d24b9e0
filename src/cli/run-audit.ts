/**
 * Records a CLI run in the audit trail: the engine's lifecycle events as they happen, then
 * the gate decision. Payloads hold ids, counts and KPI figures only.
 */
import { AuditLog } from '../audit/log.js';
import { localActor } from '../audit/actor.js';
import { auditRunListener } from '../audit/run-listener.js';
import { openConfiguredStore } from '../audit/open-store.js';
import type { Store } from '../store/db.js';
import type { Tier } from '../contract/model.js';
import type { RunEventListener } from '../engine/events.js';
import type { RunReport } from '../engine/report.js';
import type { CliIO } from './io.js';

export interface RunAudit {
  listener: RunEventListener;
  /** Appends the gate decision, waits for every queued event and closes the store. */
  finish(report: RunReport | undefined): Promise<void>;
}

/** Opens the control store (--store, FERRY_DATABASE_URL or .ferry/ferry.db) and returns a run audit recorder. */
export async function openRunAudit(io: CliIO, storeFlag: string | undefined, tier: Tier): Promise<RunAudit> {
  const store: Store = await openConfiguredStore({ flag: storeFlag, env: io.env, cwd: io.cwd });
  const log = new AuditLog(store);
  const actor = localActor(io.env);
  const audit = auditRunListener(log, { actor, tier });
  return {
    listener: audit.listener,
    async finish(report) {
      try {
        await audit.flush();
        const gates = report?.quality?.gates.filter((g) => g.decision === 'pass' || g.decision === 'warn' || g.decision === 'fail') ?? [];
        if (report && !report.dryRun && gates.length > 0) {
          const failed = gates.filter((g) => g.decision === 'fail');
          const kpis = (failed.length > 0 ? failed : gates).map((g) => ({ kpi: g.kpi, table: g.table, measured: g.value, threshold: g.threshold.failBelow }));
          await log.append({ actor, orgId: null, projectId: null, type: failed.length > 0 ? 'gate:failed' : 'gate:passed', payload: { runId: report.runId, tier, kpis } });
        }
      } finally {
        await store.close();
      }
    },
  };
}
