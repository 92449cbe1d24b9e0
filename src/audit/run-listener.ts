/**
 * Turns the engine's run events into audit events. The engine emits synchronously and must
 * never wait on the store, so appends are queued in emission order and `flush()` waits for
 * them (and surfaces the first failure) once the run has finished.
 */
import type { RunEvent, RunEventListener, TableCounts } from '../engine/events.js';
import type { Tier } from '../contract/model.js';
import type { AuditEventInput, AuditLog } from './log.js';

export interface RunAuditContext {
  actor: string;
  orgId?: string | null;
  projectId?: string | null;
  /** Release tier the run targets, when it runs under one. */
  tier?: Tier | null;
}

export interface RunAuditListener {
  listener: RunEventListener;
  /** Waits for every queued append; rejects with the first append that failed. */
  flush(): Promise<void>;
}

/** A run event listener that records the run in the audit trail as `actor`. */
export function auditRunListener(log: AuditLog, ctx: RunAuditContext): RunAuditListener {
  let queue: Promise<void> = Promise.resolve();
  let failure: unknown;
  const totals: TableCounts = { read: 0, loaded: 0, quarantined: 0, excluded: 0 };
  const append = (input: AuditEventInput) => {
    queue = queue.then(async () => {
      if (failure !== undefined) return;
      try {
        await log.append(input);
      } catch (err) {
        failure = err;
      }
    });
  };
  const base = { actor: ctx.actor, orgId: ctx.orgId ?? null, projectId: ctx.projectId ?? null };
  const listener: RunEventListener = (e: RunEvent) => {
    switch (e.type) {
      case 'run:started':
        append({ ...base, type: 'run:started', payload: { runId: e.runId, contractDigest: e.contractDigest, tier: ctx.tier ?? null, tables: e.tables, resumed: e.resumed, dryRun: e.dryRun } });
        return;
      case 'batch:loaded':
        append({ ...base, type: 'batch:loaded', payload: { runId: e.runId, table: e.table, batchRows: e.batchRows, counts: { ...e.counts } } });
        return;
      case 'table:finished':
        for (const k of Object.keys(totals) as Array<keyof TableCounts>) totals[k] += e.counts[k];
        append({ ...base, type: 'table:finished', payload: { runId: e.runId, table: e.table, counts: { ...e.counts }, elapsedMs: Math.round(e.elapsedMs) } });
        return;
      case 'run:finished':
        append({ ...base, type: 'run:finished', payload: { runId: e.runId, status: e.status, elapsedMs: Math.round(e.elapsedMs), totals: { ...totals } } });
        return;
      case 'table:started':
        // Not audit-worthy on its own: table:finished records the outcome with its counts.
        return;
    }
  };
  return {
    listener,
    async flush() {
      await queue;
      if (failure !== undefined) throw failure;
    },
  };
}
