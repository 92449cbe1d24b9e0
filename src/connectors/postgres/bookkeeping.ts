/**
 * Queries on Ferry's bookkeeping tables in a PostgreSQL target: runs, checkpoints and
 * quarantine records. Writes take a client so they join the caller's transaction.
 */
import type { ClientBase } from 'pg';
import type { Checkpoint, QuarantineRecord, RunRecord } from '../connector.js';
import { encodeCopyRows, escapeCopyText, type FieldEncoder } from './copy-text.js';
import { copyIn } from './copy-in.js';
import { qualified } from './quote.js';

const QUARANTINE_COLUMNS = 'run_id, source_table, source_key, target_table, rule, reason_code, message';
const text: FieldEncoder = (v) => escapeCopyText(String(v));
const QUARANTINE_ENCODERS: FieldEncoder[] = Array(7).fill(text);

/** Bookkeeping statements bound to one schema. */
export class Bookkeeping {
  private readonly runs: string;
  private readonly checkpointsTable: string;
  private readonly quarantineTable: string;

  constructor(schema: string) {
    this.runs = qualified(schema, '_ferry_runs');
    this.checkpointsTable = qualified(schema, '_ferry_checkpoints');
    this.quarantineTable = qualified(schema, '_ferry_quarantine');
  }

  /**
   * Inserts the run, or puts an existing run back to the given status when resuming (keeping
   * its original start). Returns false when the run exists under another contract digest.
   */
  async beginRun(c: ClientBase, run: RunRecord): Promise<boolean> {
    const res = await c.query(
      `INSERT INTO ${this.runs} AS r (run_id, contract_digest, started_at, finished_at, status) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (run_id) DO UPDATE SET status = EXCLUDED.status, finished_at = NULL
       WHERE r.contract_digest = EXCLUDED.contract_digest`,
      [run.runId, run.contractDigest, run.startedAt, run.finishedAt ?? null, run.status],
    );
    return res.rowCount === 1;
  }

  /** The run record, or undefined. */
  async getRun(c: ClientBase, runId: string): Promise<RunRecord | undefined> {
    const res = await c.query(`SELECT run_id, contract_digest, started_at, finished_at, status FROM ${this.runs} WHERE run_id = $1`, [runId]);
    const r = res.rows[0];
    if (!r) return undefined;
    const run: RunRecord = { runId: r.run_id, contractDigest: r.contract_digest, startedAt: r.started_at, status: r.status };
    if (r.finished_at !== null) run.finishedAt = r.finished_at;
    return run;
  }

  /** Sets the final status; returns false when the run is unknown. */
  async finishRun(c: ClientBase, runId: string, status: RunRecord['status']): Promise<boolean> {
    const res = await c.query(`UPDATE ${this.runs} SET status = $2, finished_at = $3 WHERE run_id = $1`, [runId, status, new Date().toISOString()]);
    return res.rowCount === 1;
  }

  /** Inserts or replaces a table's checkpoint. */
  async saveCheckpoint(c: ClientBase, cp: Checkpoint): Promise<void> {
    await c.query(
      `INSERT INTO ${this.checkpointsTable} (run_id, table_name, row_offset, loaded, quarantined, excluded, done, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (run_id, table_name) DO UPDATE SET row_offset = EXCLUDED.row_offset, loaded = EXCLUDED.loaded,
         quarantined = EXCLUDED.quarantined, excluded = EXCLUDED.excluded, done = EXCLUDED.done, updated_at = EXCLUDED.updated_at`,
      [cp.runId, cp.table, cp.offset, cp.loaded, cp.quarantined, cp.excluded, cp.done, new Date().toISOString()],
    );
  }

  /** Every checkpoint of a run, by table name. */
  async checkpoints(c: ClientBase, runId: string): Promise<Checkpoint[]> {
    const res = await c.query(
      `SELECT table_name, row_offset::text AS row_offset, loaded::text AS loaded, quarantined::text AS quarantined, excluded::text AS excluded, done
         FROM ${this.checkpointsTable} WHERE run_id = $1 ORDER BY table_name`,
      [runId],
    );
    return res.rows.map((r) => ({
      runId,
      table: r.table_name,
      offset: Number(r.row_offset),
      loaded: Number(r.loaded),
      quarantined: Number(r.quarantined),
      excluded: Number(r.excluded),
      done: r.done,
    }));
  }

  /** Appends quarantine records with one COPY. */
  async addQuarantine(c: ClientBase, records: readonly QuarantineRecord[]): Promise<void> {
    if (records.length === 0) return;
    const rows = records.map((q) => [q.runId, q.sourceTable, q.sourceKey, q.targetTable, q.rule, q.reasonCode, q.message]);
    await copyIn(c, `COPY ${this.quarantineTable} (${QUARANTINE_COLUMNS}) FROM STDIN`, encodeCopyRows(rows, QUARANTINE_ENCODERS));
  }

  /** One page of a run's quarantine records after id `after`, in insertion order. */
  async quarantinePage(c: ClientBase, runId: string, after: string, limit: number): Promise<{ last: string; records: QuarantineRecord[] }> {
    const res = await c.query(
      `SELECT id::text AS id, ${QUARANTINE_COLUMNS} FROM ${this.quarantineTable} WHERE run_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
      [runId, after, limit],
    );
    const records = res.rows.map((r) => ({
      runId: r.run_id,
      sourceTable: r.source_table,
      sourceKey: r.source_key,
      targetTable: r.target_table,
      rule: r.rule,
      reasonCode: r.reason_code,
      message: r.message,
    }));
    return { last: res.rows.length ? res.rows[res.rows.length - 1].id : after, records };
  }
}
