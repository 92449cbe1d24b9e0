/**
 * Quarantine records into a MySQL/MariaDB target with multi-row INSERTs sized to the packet
 * limit, in the batch's transaction: the per-database fast path beside the shared SQL ledger
 * (../sql-ledger/runs.ts).
 */
import mysql from 'mysql2';
import type { PoolConnection } from 'mysql2/promise';
import type { QuarantineRecord } from '../connector.js';
import { insertStatements, type InsertShape } from './insert.js';

const QUARANTINE_SHAPE: InsertShape = {
  head: 'INSERT INTO `_ferry_quarantine` (run_id, source_table, source_key, target_table, rule, reason_code, message) VALUES ',
  tail: '',
  escapers: Array(7).fill((v: string) => mysql.escape(v)),
};

/** Appends quarantine records with as few statements as the packet limit allows. */
export async function addQuarantine(c: PoolConnection, records: readonly QuarantineRecord[], maxBytes: number): Promise<void> {
  if (records.length === 0) return;
  const rows = records.map((q) => [q.runId, q.sourceTable, q.sourceKey, q.targetTable, q.rule, q.reasonCode, q.message]);
  for (const sql of insertStatements(QUARANTINE_SHAPE, rows, maxBytes)) await c.query(sql);
}
