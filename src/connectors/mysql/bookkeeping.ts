/**
 * Queries on Ferry's bookkeeping tables in a MySQL target: runs, checkpoints and quarantine
 * records. Writes take a connection so they join the caller's transaction.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { Checkpoint, QuarantineRecord, RunRecord } from '../connector.js';
import { insertStatements, type InsertShape } from './insert.js';
import mysql from 'mysql2';

const QUARANTINE_SHAPE: InsertShape = {
  head: 'INSERT INTO `_ferry_quarantine` (run_id, source_table, source_key, target_table, rule, reason_code, message) VALUES ',
  tail: '',
  escapers: Array(7).fill((v: string) => mysql.escape(v)),
};

/** Outcome of recording a run start. */
export type BeginOutcome = 'started' | 'resumed' | 'digest_mismatch';

/** Inserts the run, or puts an existing run with the same digest back to the given status. */
export async function beginRun(c: PoolConnection, run: RunRecord): Promise<BeginOutcome> {
  const [rows] = await c.query<RowDataPacket[]>('SELECT contract_digest FROM `_ferry_runs` WHERE run_id = ? FOR UPDATE', [run.runId]);
  if (rows.length === 0) {
    await c.query('INSERT INTO `_ferry_runs` (run_id, contract_digest, started_at, finished_at, status) VALUES (?, ?, ?, ?, ?)', [
      run.runId,
      run.contractDigest,
      run.startedAt,
      run.finishedAt ?? null,
      run.status,
    ]);
    return 'started';
  }
  if (rows[0].contract_digest !== run.contractDigest) return 'digest_mismatch';
  await c.query('UPDATE `_ferry_runs` SET status = ?, finished_at = NULL WHERE run_id = ?', [run.status, run.runId]);
  return 'resumed';
}

/** The run record, or undefined. */
export async function getRun(c: PoolConnection, runId: string): Promise<RunRecord | undefined> {
  const [rows] = await c.query<RowDataPacket[]>('SELECT run_id, contract_digest, started_at, finished_at, status FROM `_ferry_runs` WHERE run_id = ?', [runId]);
  const r = rows[0];
  if (!r) return undefined;
  const run: RunRecord = { runId: r.run_id, contractDigest: r.contract_digest, startedAt: r.started_at, status: r.status };
  if (r.finished_at !== null) run.finishedAt = r.finished_at;
  return run;
}

/** Sets the final status; returns false when the run is unknown. */
export async function finishRun(c: PoolConnection, runId: string, status: RunRecord['status']): Promise<boolean> {
  const [res] = await c.query<RowDataPacket[]>('SELECT 1 FROM `_ferry_runs` WHERE run_id = ?', [runId]);
  if (res.length === 0) return false;
  await c.query('UPDATE `_ferry_runs` SET status = ?, finished_at = ? WHERE run_id = ?', [status, new Date().toISOString(), runId]);
  return true;
}

/** Inserts or replaces a table's checkpoint. */
export async function saveCheckpoint(c: PoolConnection, cp: Checkpoint): Promise<void> {
  await c.query(
    `INSERT INTO \`_ferry_checkpoints\` (run_id, table_name, row_offset, loaded, quarantined, excluded, done, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON DUPLICATE KEY UPDATE row_offset = VALUES(row_offset), loaded = VALUES(loaded), quarantined = VALUES(quarantined),
       excluded = VALUES(excluded), done = VALUES(done), updated_at = VALUES(updated_at)`,
    [cp.runId, cp.table, cp.offset, cp.loaded, cp.quarantined, cp.excluded, cp.done, new Date().toISOString()],
  );
}

/** Every checkpoint of a run, by table name. */
export async function checkpoints(c: PoolConnection, runId: string): Promise<Checkpoint[]> {
  const [rows] = await c.query<RowDataPacket[]>(
    'SELECT table_name, row_offset, loaded, quarantined, excluded, done FROM `_ferry_checkpoints` WHERE run_id = ? ORDER BY table_name',
    [runId],
  );
  return rows.map((r) => ({
    runId,
    table: r.table_name,
    offset: Number(r.row_offset),
    loaded: Number(r.loaded),
    quarantined: Number(r.quarantined),
    excluded: Number(r.excluded),
    done: Number(r.done) === 1,
  }));
}

/** Appends quarantine records with as few statements as the packet limit allows. */
export async function addQuarantine(c: PoolConnection, records: readonly QuarantineRecord[], maxBytes: number): Promise<void> {
  if (records.length === 0) return;
  const rows = records.map((q) => [q.runId, q.sourceTable, q.sourceKey, q.targetTable, q.rule, q.reasonCode, q.message]);
  for (const sql of insertStatements(QUARANTINE_SHAPE, rows, maxBytes)) await c.query(sql);
}

/** One page of a run's quarantine records after id `after`, in insertion order. */
export async function quarantinePage(c: PoolConnection, runId: string, after: string, limit: number): Promise<{ last: string; records: QuarantineRecord[] }> {
  const [rows] = await c.query<RowDataPacket[]>(
    'SELECT id, run_id, source_table, source_key, target_table, rule, reason_code, message FROM `_ferry_quarantine` WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?',
    [runId, after, limit],
  );
  const records = rows.map((r) => ({
    runId: r.run_id,
    sourceTable: r.source_table,
    sourceKey: r.source_key,
    targetTable: r.target_table,
    rule: r.rule,
    reasonCode: r.reason_code,
    message: r.message,
  }));
  return { last: rows.length ? String(rows[rows.length - 1].id) : after, records };
}
