/**
 * Lineage and run numbers in a MySQL/MariaDB target. Each run gets a small integer `run_no`
 * (`_ferry_run_ids`, with the crosswalk versions recorded once per run); every batch's lineage
 * is written with multi-row INSERTs inside the batch's transaction. Lookup indexes are built
 * by the first `ferry lineage` question, not maintained during loads nobody has queried yet.
 */
import mysql from 'mysql2';
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { LineageBatch, LineageEntry, LineageQuery, RunRecord, Value } from '../connector.js';
import { MYSQL_LEDGER_DIALECT } from '../sql-ledger/dialect.js';
import { SqlLineageLedger } from '../sql-ledger/lineage.js';
import { runOp } from '../sql-ledger/statements.js';
import { mysqlExec } from './ledger-store.js';
import { insertStatements, type InsertShape } from './insert.js';

const escape = (v: Value) => mysql.escape(v);
const LINEAGE_SHAPE: InsertShape = {
  head: 'INSERT INTO `_ferry_lineage` (run_no, source_table, source_key, target_table, outcome, target_key, reason_code) VALUES ',
  tail: '',
  escapers: Array(7).fill(escape),
};

/** Lineage statements over the shared SQL ledger's run numbers. */
export class MysqlLineage {
  private readonly shared = new SqlLineageLedger(MYSQL_LEDGER_DIALECT);

  /** Gives the run its number (once; a resumed run keeps it) and records its crosswalk versions. */
  async register(c: PoolConnection, run: RunRecord): Promise<void> {
    await runOp(this.shared.register(run), mysqlExec(c));
  }

  /** The run's number. */
  runNo(c: PoolConnection, runId: string): Promise<number> {
    return runOp(this.shared.runNo(runId), mysqlExec(c));
  }

  /** Appends one batch's lineage with as few INSERTs as the packet limit allows, inside the caller's transaction. */
  async write(c: PoolConnection, runNo: number, targetTable: string, batch: LineageBatch, maxBytes: number): Promise<void> {
    if (batch.rows.length === 0) return;
    const rows = batch.rows.map(([sourceKey, outcome, targetKey, reason]) => [runNo, batch.sourceTable, sourceKey, targetTable, outcome, targetKey, reason]);
    for (const sql of insertStatements(LINEAGE_SHAPE, rows, maxBytes)) await c.query(sql);
  }

  /** Lineage records matching the query, oldest run first; builds the lookup indexes on first use. */
  async query(c: PoolConnection, q: LineageQuery): Promise<LineageEntry[]> {
    const [present] = await c.query<RowDataPacket[]>("SELECT index_name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = '_ferry_lineage'");
    const have = new Set(present.map((r) => String(r.index_name ?? r.INDEX_NAME)));
    if (!have.has('_ferry_lineage_target')) await c.query('CREATE INDEX `_ferry_lineage_target` ON `_ferry_lineage` (target_table, target_key(191))');
    if (!have.has('_ferry_lineage_source')) await c.query('CREATE INDEX `_ferry_lineage_source` ON `_ferry_lineage` (source_table, source_key(191))');
    return runOp(this.shared.query(q), mysqlExec(c));
  }
}
