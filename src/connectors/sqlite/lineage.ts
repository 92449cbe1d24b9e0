/**
 * Lineage, run numbers and the undo log of a SQLite target. Everything is written with
 * prepared statements inside the batch's transaction, so a kill -9 leaves lineage and undo
 * exactly consistent with the rows. Lookup indexes on `_ferry_lineage` are built by the first
 * `ferry lineage` question, not maintained during loads nobody has queried yet.
 */
import type Database from 'better-sqlite3';
import type { LineageBatch, LineageEntry, LineageQuery, RunRecord } from '../connector.js';
import { SQLITE_LEDGER_DIALECT } from '../sql-ledger/dialect.js';
import { SqlLineageLedger } from '../sql-ledger/lineage.js';
import { runOpSync, type Stmt, type StmtResult } from '../sql-ledger/statements.js';

/** Lineage statements over one open database and the shared SQL ledger's run numbers. */
export class SqliteLineage {
  private readonly shared = new SqlLineageLedger(SQLITE_LEDGER_DIALECT);

  constructor(
    private readonly db: Database.Database,
    private readonly exec: (s: Stmt) => StmtResult,
  ) {}

  /** Gives the run its number (once; a resumed run keeps it) and records its crosswalk versions; call inside a transaction. */
  register(run: RunRecord): void {
    runOpSync(this.shared.register(run), this.exec);
  }

  /** The run's number. */
  runNo(runId: string): number {
    return runOpSync(this.shared.runNo(runId), this.exec);
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
    return runOpSync(this.shared.query(q), this.exec);
  }
}
