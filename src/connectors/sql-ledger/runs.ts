/**
 * Runs, checkpoints and quarantine reads in `_ferry_runs`, `_ferry_checkpoints` and
 * `_ferry_quarantine`, the same for every SQL target (see statements.ts for how they run).
 * Quarantine writes stay with each target: PostgreSQL copies them in, MySQL sizes multi-row
 * INSERTs to its packet limit, SQLite reuses one prepared insert.
 */
import type { Checkpoint, QuarantineRecord, RunRecord } from '../connector.js';
import type { SqlLedgerDialect } from './dialect.js';
import type { LedgerOp, Stmt } from './statements.js';

/** Outcome of recording a run start. */
export type BeginOutcome = 'started' | 'resumed' | 'digest_mismatch';

const CHECKPOINT_VALUES = ['row_offset', 'loaded', 'quarantined', 'excluded', 'done', 'updated_at'];

/** The run ledger's statements for one dialect (and, for PostgreSQL, one schema). */
export class SqlRunLedger {
  private readonly runs: string;
  private readonly checkpointTable: string;
  private readonly quarantineTable: string;
  private readonly saveCheckpointSql: string;

  constructor(private readonly d: SqlLedgerDialect) {
    this.runs = d.table('_ferry_runs');
    this.checkpointTable = d.table('_ferry_checkpoints');
    this.quarantineTable = d.table('_ferry_quarantine');
    const p = (n: number) => d.param(n);
    this.saveCheckpointSql = `INSERT INTO ${this.checkpointTable} (run_id, table_name, ${CHECKPOINT_VALUES.join(', ')})
       VALUES (${[1, 2, 3, 4, 5, 6, 7, 8].map(p).join(', ')}) ${d.upsert(['run_id', 'table_name'], CHECKPOINT_VALUES)}`;
  }

  /**
   * Inserts the run with its plan, or puts an existing run with the same digest back to its
   * status, leaving its stored plan (and report) as they are; call inside a transaction.
   */
  *beginRun(run: RunRecord): LedgerOp<BeginOutcome> {
    const p = (n: number) => this.d.param(n);
    const { rows } = yield this.stmt(`SELECT contract_digest FROM ${this.runs} WHERE run_id = ${p(1)}${this.d.forUpdate}`, [run.runId]);
    if (rows.length === 0) {
      yield this.stmt(`INSERT INTO ${this.runs} (run_id, contract_digest, started_at, finished_at, status, run_plan) VALUES (${[1, 2, 3, 4, 5, 6].map(p).join(', ')})`, [
        run.runId,
        run.contractDigest,
        run.startedAt,
        run.finishedAt ?? null,
        run.status,
        run.plan ?? null,
      ]);
      return 'started';
    }
    if (rows[0].contract_digest !== run.contractDigest) return 'digest_mismatch';
    // The plan is not rewritten: a resumed run must continue with the partitions it started with.
    yield this.stmt(`UPDATE ${this.runs} SET status = ${p(1)}, finished_at = NULL WHERE run_id = ${p(2)}`, [run.status, run.runId]);
    return 'resumed';
  }

  /** The run record, or undefined. */
  *getRun(runId: string): LedgerOp<RunRecord | undefined> {
    // Every column: a ledger not yet upgraded (rollback and reconcile read without preparing it) has no run_report or run_plan.
    const { rows } = yield this.stmt(`SELECT * FROM ${this.runs} WHERE run_id = ${this.d.param(1)}`, [runId]);
    const r = rows[0];
    if (!r) return undefined;
    const run: RunRecord = { runId, contractDigest: String(r.contract_digest), startedAt: String(r.started_at), status: r.status as RunRecord['status'] };
    if (r.finished_at !== null && r.finished_at !== undefined) run.finishedAt = String(r.finished_at);
    if (r.run_report !== null && r.run_report !== undefined) run.report = String(r.run_report);
    if (r.run_plan !== null && r.run_plan !== undefined) run.plan = String(r.run_plan);
    return run;
  }

  /** Sets the status (and, when given, the stored report); returns false when the run is unknown. */
  *finishRun(runId: string, status: RunRecord['status'], report?: string): LedgerOp<boolean> {
    const p = (n: number) => this.d.param(n);
    // Looked up first: MySQL counts only rows a write actually changed, not rows it matched.
    const { rows } = yield this.stmt(`SELECT 1 AS found FROM ${this.runs} WHERE run_id = ${p(1)}`, [runId]);
    if (rows.length === 0) return false;
    const now = new Date().toISOString();
    if (report === undefined) yield this.stmt(`UPDATE ${this.runs} SET status = ${p(1)}, finished_at = ${p(2)} WHERE run_id = ${p(3)}`, [status, now, runId]);
    else yield this.stmt(`UPDATE ${this.runs} SET status = ${p(1)}, finished_at = ${p(2)}, run_report = ${p(3)} WHERE run_id = ${p(4)}`, [status, now, report, runId]);
    return true;
  }

  /** Inserts or replaces a table's checkpoint; joins the caller's transaction. */
  *saveCheckpoint(cp: Checkpoint): LedgerOp<void> {
    yield this.stmt(this.saveCheckpointSql, [cp.runId, cp.table, cp.offset, cp.loaded, cp.quarantined, cp.excluded, this.d.bool(cp.done), new Date().toISOString()]);
  }

  /** Every checkpoint of a run, by table name. */
  *checkpoints(runId: string): LedgerOp<Checkpoint[]> {
    const { rows } = yield this.stmt(`SELECT table_name, row_offset, loaded, quarantined, excluded, done FROM ${this.checkpointTable} WHERE run_id = ${this.d.param(1)} ORDER BY table_name`, [runId]);
    return rows.map((r) => ({
      runId,
      table: String(r.table_name),
      offset: Number(r.row_offset),
      loaded: Number(r.loaded),
      quarantined: Number(r.quarantined),
      excluded: Number(r.excluded),
      done: r.done === true || Number(r.done) === 1,
    }));
  }

  /** One page of a run's quarantine records after id `after`, in insertion order (keyset pages keep memory flat). */
  *quarantinePage(runId: string, after: string, limit: number): LedgerOp<{ last: string; records: QuarantineRecord[] }> {
    const p = (n: number) => this.d.param(n);
    const { rows } = yield this.stmt(
      `SELECT id, source_table, source_key, target_table, rule, reason_code, message FROM ${this.quarantineTable}
        WHERE run_id = ${p(1)} AND id > ${p(2)} ORDER BY id LIMIT ${p(3)}`,
      [runId, after, limit],
    );
    const records = rows.map((r) => ({
      runId,
      sourceTable: String(r.source_table),
      sourceKey: String(r.source_key),
      targetTable: String(r.target_table),
      rule: String(r.rule),
      reasonCode: String(r.reason_code),
      message: String(r.message),
    }));
    return { last: rows.length ? String(rows[rows.length - 1].id) : after, records };
  }

  private stmt(sql: string, params: unknown[]): Stmt {
    return { sql, params };
  }
}
