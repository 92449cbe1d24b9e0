/**
 * Records a rollback in the audit trail (`run:rolled_back`) in the control store, the way a
 * CLI run records its own events: ids and counts only.
 */
import { AuditLog } from '../audit/log.js';
import type { AuditRecord } from '../audit/chain.js';
import type { Store } from '../control/db.js';
import type { RollbackReport } from './rollback.js';

/** Appends `run:rolled_back` for an executed rollback. */
export function auditRollback(store: Store, actor: string, report: RollbackReport): Promise<AuditRecord> {
  return new AuditLog(store).append({
    type: 'run:rolled_back',
    actor,
    payload: { runId: report.runId, tables: report.tables.map((t) => ({ table: t.table, deleted: t.deleted, restored: t.restored })) },
  });
}
