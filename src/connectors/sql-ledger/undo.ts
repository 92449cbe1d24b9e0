/**
 * The part of a rollback every SQL target shares: find the run and its number, refuse what
 * cannot be undone exactly (unknown run, wrong status, no undo log, rows a later run changed
 * since) and list the tables to undo; then mark the run rolled back. Capturing before-images
 * and putting rows back stays with each target, where the fast paths were measured.
 */
import { laterRuns, noUndo, refuseStatus, syncActive, syncStream, unknownRun } from '../undo/refusals.js';
import type { SqlLedgerDialect } from './dialect.js';
import type { LedgerOp } from './statements.js';

/** Where a target's undo log says which keys each run touched, when `_ferry_undo` alone does not. */
export interface UndoRelations {
  /** Rows (run_no, table_name, key) of every key each run touched. */
  touched: string;
  /** Rows (table_name) of tables run `param(1)` touched; may repeat a name. */
  tables: string;
}

/** What a rollback works through once it is allowed. */
export interface RollbackPlan {
  runNo: number;
  /** Tables the run touched, by name. */
  tables: string[];
}

/** The shared rollback steps for one dialect. */
export class SqlUndoLedger {
  private readonly runs: string;
  private readonly runIds: string;
  private readonly checkpointTable: string;
  private readonly relations: UndoRelations;

  /** `runLock` locks the run's row in a query that LEFT JOINs its number (PostgreSQL needs `FOR UPDATE OF r`). */
  constructor(
    private readonly d: SqlLedgerDialect,
    private readonly runLock: string,
    relations?: UndoRelations,
  ) {
    this.runs = d.table('_ferry_runs');
    this.runIds = d.table('_ferry_run_ids');
    this.checkpointTable = d.table('_ferry_checkpoints');
    const undo = d.table('_ferry_undo');
    this.relations = relations ?? { touched: `SELECT run_no, table_name, ${d.column('key')} FROM ${undo}`, tables: `SELECT table_name FROM ${undo} WHERE run_no = ${d.param(1)}` };
  }

  /** Checks run `runId` may be rolled back and lists its tables; `where` names the target in errors. Call inside the rollback's transaction. */
  *plan(runId: string, where: string): LedgerOp<RollbackPlan> {
    const p = (n: number) => this.d.param(n);
    const run = (yield { sql: `SELECT r.status, i.run_no FROM ${this.runs} r LEFT JOIN ${this.runIds} i ON i.run_id = r.run_id WHERE r.run_id = ${p(1)}${this.runLock}`, params: [runId] }).rows[0];
    if (!run) throw unknownRun(runId, where);
    // Before the status: a stream run stays `running` while its sync streams, and that is not something a resume can finish.
    yield* this.refuseSyncs(runId);
    refuseStatus(runId, String(run.status));
    if (run.run_no === null || run.run_no === undefined) throw noUndo(runId);
    const runNo = Number(run.run_no);
    const key = this.d.column('key');
    const later = (yield {
      sql: `SELECT i.run_id, count(*) AS n FROM (${this.relations.touched}) a
              JOIN (${this.relations.touched}) b ON b.table_name = a.table_name AND b.${key} = a.${key} AND b.run_no > a.run_no
              JOIN ${this.runIds} i ON i.run_no = b.run_no JOIN ${this.runs} r ON r.run_id = i.run_id
             WHERE a.run_no = ${p(1)} AND r.status <> 'rolled_back' GROUP BY i.run_no, i.run_id ORDER BY i.run_no`,
      params: [runNo],
    }).rows;
    if (later.length > 0)
      throw laterRuns(
        runId,
        later.map((l) => ({ runId: String(l.run_id), rows: Number(l.n) })),
      );
    const tables = (yield { sql: `SELECT DISTINCT table_name FROM (${this.relations.tables}) t ORDER BY table_name`, params: [runNo] }).rows.map((r) => String(r.table_name));
    if (tables.length === 0) {
      // No undo entries: fine for a run that loaded nothing, a refusal for one that predates the undo log.
      const loaded = (yield { sql: `SELECT coalesce(sum(loaded), 0) AS n FROM ${this.checkpointTable} WHERE run_id = ${p(1)}`, params: [runId] }).rows[0];
      if (Number(loaded.n) > 0) throw noUndo(runId);
    }
    return { runNo, tables };
  }

  /** Refuses a run a sync streams under, and the snapshot run of a sync not stopped or cut over (ledger version 4 on). */
  private *refuseSyncs(runId: string): LedgerOp<void> {
    if ((yield this.d.hasTable('_ferry_syncs')).rows.length === 0) return;
    const p = (n: number) => this.d.param(n);
    const { rows } = yield {
      sql: `SELECT sync_id, state, stream_run_id FROM ${this.d.table('_ferry_syncs')} WHERE stream_run_id = ${p(1)} OR snapshot_run_id = ${p(2)} ORDER BY sync_id`,
      params: [runId, runId],
    };
    const stream = rows.find((r) => r.stream_run_id === runId);
    if (stream) throw syncStream(runId, String(stream.sync_id));
    const active = rows.find((r) => r.state !== 'stopped' && r.state !== 'cut_over');
    if (active) throw syncActive(runId, String(active.sync_id), String(active.state));
  }

  /** Marks the run rolled back; in the rollback's transaction, after its tables are undone. */
  *markRolledBack(runId: string): LedgerOp<void> {
    yield { sql: `UPDATE ${this.runs} SET status = 'rolled_back', finished_at = ${this.d.param(1)} WHERE run_id = ${this.d.param(2)}`, params: [new Date().toISOString(), runId] };
  }
}
