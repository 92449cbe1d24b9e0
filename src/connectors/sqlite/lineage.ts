/**
 * Lineage, run numbers and the undo log of a SQLite target. Everything is written with
 * prepared statements inside the batch's transaction, so a kill -9 leaves lineage and undo
 * exactly consistent with the rows. Lookup indexes on `_ferry_lineage` are built by the first
 * `ferry lineage` question, not maintained during loads nobody has queried yet.
 */
import type Database from 'better-sqlite3';
import type { CrosswalkVersion, LineageBatch, LineageEntry, LineageQuery, RunRecord } from '../connector.js';

const OUTCOMES = { L: 'loaded', Q: 'quarantined', X: 'excluded' } as const;

/** Lineage statements over one open database, with a cache of run numbers. */
export class SqliteLineage {
  private readonly numbers = new Map<string, number>();

  constructor(private readonly db: Database.Database) {}

  /** Gives the run its number (once; a resumed run keeps it) and records its crosswalk versions; call inside a transaction. */
  register(run: RunRecord): void {
    this.db.prepare('INSERT INTO _ferry_run_ids (run_id, crosswalks) VALUES (?, ?) ON CONFLICT (run_id) DO NOTHING').run(run.runId, JSON.stringify(run.crosswalks ?? []));
  }

  /** The run's number. */
  runNo(runId: string): number {
    let n = this.numbers.get(runId);
    if (n === undefined) {
      const row = this.db.prepare('SELECT run_no FROM _ferry_run_ids WHERE run_id = ?').get(runId) as { run_no: number } | undefined;
      if (!row) throw new Error(`run ${runId} has no run number`);
      n = row.run_no;
      this.numbers.set(runId, n);
    }
    return n;
  }

  /** Appends one batch's lineage; call inside the batch's transaction. */
  write(runNo: number, targetTable: string, batch: LineageBatch): void {
    const ins = this.db.prepare('INSERT INTO _ferry_lineage (run_no, source_table, source_key, target_table, outcome, target_key, reason_code) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const [sourceKey, outcome, targetKey, reason] of batch.rows) ins.run(runNo, batch.sourceTable, sourceKey, targetTable, outcome, targetKey, reason);
  }

  /** Lineage records matching the query, oldest run first; builds the lookup indexes on first use. */
  query(q: LineageQuery): LineageEntry[] {
    this.db.exec('CREATE INDEX IF NOT EXISTS _ferry_lineage_target ON _ferry_lineage (target_table, target_key)');
    this.db.exec('CREATE INDEX IF NOT EXISTS _ferry_lineage_source ON _ferry_lineage (source_table, source_key)');
    const where = q.by === 'target' ? 'l.target_table = ? AND l.target_key = ?' : 'l.source_table = ? AND l.source_key = ?';
    const rows = this.db
      .prepare(
        `SELECT i.run_id, i.crosswalks, r.status, r.contract_digest, l.source_table, l.source_key, l.target_table, l.outcome, l.target_key, l.reason_code
           FROM _ferry_lineage l JOIN _ferry_run_ids i ON i.run_no = l.run_no LEFT JOIN _ferry_runs r ON r.run_id = i.run_id
          WHERE ${where} ORDER BY l.run_no, l.target_table`,
      )
      .all(q.table, q.key) as Array<Record<string, string | null>>;
    return rows.map((r) => ({
      runId: r.run_id!,
      runStatus: (r.status ?? 'unknown') as LineageEntry['runStatus'],
      contractDigest: r.contract_digest ?? '',
      crosswalks: JSON.parse(r.crosswalks!) as CrosswalkVersion[],
      sourceTable: r.source_table!,
      sourceKey: r.source_key!,
      targetTable: r.target_table!,
      outcome: OUTCOMES[r.outcome as keyof typeof OUTCOMES],
      targetKey: r.target_key,
      reasonCode: r.reason_code,
    }));
  }
}
