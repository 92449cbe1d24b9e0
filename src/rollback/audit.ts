/**
 * Records a rollback in the audit trail (`run:rolled_back`) in the control store, the way a
 * CLI run records its own events: ids and counts only. A rollback made for a tenant (the HTTP
 * route) passes its org and project, so the event shows in that tenant's audit listing; a CLI
 * rollback has neither and is recorded unscoped.
 */
import { AuditLog } from '../audit/log.js';
import type { AuditRecord } from '../audit/chain.js';
import type { Store } from '../store/db.js';
import type { RollbackReport } from './rollback.js';

/** The tenant a rollback was made for. */
export interface RollbackScope {
  orgId: string;
  projectId: string;
}

/** Appends `run:rolled_back` for an executed rollback, to `log` or a new AuditLog over a store. */
export function auditRollback(log: Store | AuditLog, actor: string, report: Pick<RollbackReport, 'runId' | 'tables'>, scope?: RollbackScope): Promise<AuditRecord> {
  // The control plane's own log keeps its clock; a bare store (the CLI) gets the system clock.
  const audit = log instanceof AuditLog ? log : new AuditLog(log);
  return audit.append({
    type: 'run:rolled_back',
    actor,
    orgId: scope?.orgId ?? null,
    projectId: scope?.projectId ?? null,
    payload: { runId: report.runId, tables: report.tables.map((t) => ({ table: t.table, deleted: t.deleted, restored: t.restored })) },
  });
}
