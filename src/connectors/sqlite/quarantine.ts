/**
 * Quarantine records into a SQLite target with one prepared insert per record, inside the
 * caller's transaction: the per-database path beside the shared SQL ledger (../sql-ledger/runs.ts).
 */
import type Database from 'better-sqlite3';
import type { QuarantineRecord } from '../connector.js';

const INSERT = 'INSERT INTO _ferry_quarantine (run_id, source_table, source_key, target_table, rule, reason_code, message) VALUES (?, ?, ?, ?, ?, ?, ?)';

/** Appends quarantine records; call inside the batch's (or change unit's) transaction. */
export function addQuarantine(db: Database.Database, records: readonly QuarantineRecord[]): void {
  if (records.length === 0) return;
  const ins = db.prepare(INSERT);
  for (const r of records) ins.run(r.runId, r.sourceTable, r.sourceKey, r.targetTable, r.rule, r.reasonCode, r.message);
}
