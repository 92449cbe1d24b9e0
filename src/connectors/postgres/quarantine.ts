/**
 * Quarantine records into a PostgreSQL target by COPY, in the batch's transaction: the
 * per-database fast path beside the shared SQL ledger (../sql-ledger/runs.ts).
 */
import type { ClientBase } from 'pg';
import type { QuarantineRecord } from '../connector.js';
import { copyIn } from './copy-in.js';
import { encodeCopyRows, escapeCopyText, type FieldEncoder } from './copy-text.js';
import { qualified } from './quote.js';

const text: FieldEncoder = (v) => escapeCopyText(String(v));
const QUARANTINE_ENCODERS: FieldEncoder[] = Array(7).fill(text);

/** The COPY statement for `_ferry_quarantine` of a schema. */
export function quarantineCopySql(schema: string): string {
  return `COPY ${qualified(schema, '_ferry_quarantine')} (run_id, source_table, source_key, target_table, rule, reason_code, message) FROM STDIN`;
}

/** Appends quarantine records with one COPY (`copySql` from quarantineCopySql). */
export async function copyQuarantine(c: ClientBase, copySql: string, records: readonly QuarantineRecord[]): Promise<void> {
  if (records.length === 0) return;
  const rows = records.map((q) => [q.runId, q.sourceTable, q.sourceKey, q.targetTable, q.rule, q.reasonCode, q.message]);
  await copyIn(c, copySql, encodeCopyRows(rows, QUARANTINE_ENCODERS));
}
