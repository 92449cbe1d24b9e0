/**
 * A run's audit trail: the engine's lifecycle events as they happen, then the gate decision
 * (`gate:passed` / `gate:failed`). Payloads hold ids, counts and KPI figures only.
 */
import type { AuditLog } from '../audit/log.js';
import { auditRunListener, type RunAuditContext } from '../audit/run-listener.js';
import type { RunEventListener } from '../engine/events.js';
import type { RunReport } from './report.js';

export interface RunAuditOptions extends RunAuditContext {
  log: AuditLog;
  /** The id the trail knows the run by, when the caller named it (the server's API id); else the engine's. */
  runId?: string;
}

export interface RunAuditTrail {
  listener: RunEventListener;
  /** Waits for every queued event, then appends the gate decision of a real run that reached the gate. */
  finish(report: RunReport | undefined): Promise<void>;
}

/** Starts recording one run in the audit trail. */
export function runAuditTrail(o: RunAuditOptions): RunAuditTrail {
  const audit = auditRunListener(o.log, o);
  const runId = o.runId;
  return {
    listener: runId ? (e) => audit.listener({ ...e, runId }) : audit.listener,
    async finish(report) {
      await audit.flush();
      const gates = report?.quality?.gates.filter((g) => g.decision === 'pass' || g.decision === 'warn' || g.decision === 'fail') ?? [];
      if (!report || report.dryRun || gates.length === 0) return;
      const failed = gates.filter((g) => g.decision === 'fail');
      // The decision, not the gates alone: a failing cross-check fails the run with every KPI gate passing.
      const gateFailed = report.quality?.decision === 'fail';
      const kpis = (failed.length > 0 ? failed : gates).map((g) => ({ kpi: g.kpi, table: g.table, measured: g.value, threshold: g.threshold.failBelow }));
      await o.log.append({
        actor: o.actor,
        orgId: o.orgId ?? null,
        projectId: o.projectId ?? null,
        type: gateFailed ? 'gate:failed' : 'gate:passed',
        payload: { runId: runId ?? report.runId, tier: o.tier ?? null, kpis },
      });
    },
  };
}
