/**
 * Lineage and run numbers in a MySQL/MariaDB target. Each run gets a small integer `run_no`
 * (`_ferry_run_ids`, with the crosswalk versions recorded once per run); every batch's lineage
 * is written with multi-row INSERTs inside the batch's transaction. Lookup indexes are built
 * by the first `ferry lineage` question, not maintained during loads nobody has queried yet.
 */
import mysql from 'mysql2';
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { CrosswalkVersion, LineageBatch, LineageEntry, LineageQuery, RunRecord, Value } from '../connector.js';
import { insertStatements, type InsertShape } from './insert.js';

const escape = (v: Value) => mysql.escape(v);
const LINEAGE_SHAPE: InsertShape = {
  head: 'INSERT INTO `_ferry_lineage` (run_no, source_table, source_key, target_table, outcome, target_key, reason_code) VALUES ',
  tail: '',
  escapers: Array(7).fill(escape),
};

const OUTCOMES = { L: 'loaded', Q: 'quarantined', X: 'excluded' } as const;

/** Lineage statements with a cache of run numbers. */
export class MysqlLineage {
  private readonly numbers = new Map<string, number>();

  /** Gives the run its number (once; a resumed run keeps it) and records its crosswalk versions. */
  async register(c: PoolConnection, run: RunRecord): Promise<void> {
    await c.query('INSERT INTO `_ferry_run_ids` (run_id, crosswalks) VALUES (?, ?) ON DUPLICATE KEY UPDATE run_id = run_id', [run.runId, JSON.stringify(run.crosswalks ?? [])]);
  }

  /** The run's number. */
  async runNo(c: PoolConnection, runId: string): Promise<number> {
    let n = this.numbers.get(runId);
    if (n === undefined) {
      const [rows] = await c.query<RowDataPacket[]>('SELECT run_no FROM `_ferry_run_ids` WHERE run_id = ?', [runId]);
      if (rows.length === 0) throw new Error(`run ${runId} has no run number`);
      n = Number(rows[0].run_no);
      this.numbers.set(runId, n);
    }
    return n;
  }

  /** Appends one batch's lineage with as few INSERTs as the packet limit allows, inside the caller's transaction. */
  async write(c: PoolConnection, runNo: number, targetTable: string, batch: LineageBatch, maxBytes: number): Promise<void> {
    if (batch.rows.length === 0) return;
    const rows = batch.rows.map(([sourceKey, outcome, targetKey, reason]) => [runNo, batch.sourceTable, sourceKey, targetTable, outcome, targetKey, reason]);
    for (const sql of insertStatements(LINEAGE_SHAPE, rows, maxBytes)) await c.query(sql);
  }

  /** Lineage records matching the query, oldest run first; builds the lookup indexes on first use. */
  async query(c: PoolConnection, q: LineageQuery): Promise<LineageEntry[]> {
    const [present] = await c.query<RowDataPacket[]>(
      "SELECT index_name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = '_ferry_lineage'",
    );
    const have = new Set(present.map((r) => String(r.index_name ?? r.INDEX_NAME)));
    if (!have.has('_ferry_lineage_target')) await c.query('CREATE INDEX `_ferry_lineage_target` ON `_ferry_lineage` (target_table, target_key(191))');
    if (!have.has('_ferry_lineage_source')) await c.query('CREATE INDEX `_ferry_lineage_source` ON `_ferry_lineage` (source_table, source_key(191))');
    const where = q.by === 'target' ? 'l.target_table = ? AND l.target_key = ?' : 'l.source_table = ? AND l.source_key = ?';
    const [rows] = await c.query<RowDataPacket[]>(
      `SELECT i.run_id, i.crosswalks, r.status, r.contract_digest, l.source_table, l.source_key, l.target_table, l.outcome, l.target_key, l.reason_code
         FROM \`_ferry_lineage\` l JOIN \`_ferry_run_ids\` i ON i.run_no = l.run_no LEFT JOIN \`_ferry_runs\` r ON r.run_id = i.run_id
        WHERE ${where} ORDER BY l.run_no, l.target_table`,
      [q.table, q.key],
    );
    return rows.map((r) => ({
      runId: r.run_id,
      runStatus: r.status ?? 'unknown',
      contractDigest: r.contract_digest ?? '',
      crosswalks: JSON.parse(r.crosswalks) as CrosswalkVersion[],
      sourceTable: r.source_table,
      sourceKey: r.source_key,
      targetTable: r.target_table,
      outcome: OUTCOMES[r.outcome as keyof typeof OUTCOMES],
      targetKey: r.target_key,
      reasonCode: r.reason_code,
    }));
  }
}
