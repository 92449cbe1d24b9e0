/**
 * The run numbers and lineage lookups every SQL target shares. A run gets a small integer
 * `run_no` in `_ferry_run_ids` (with its crosswalk versions, once) so per-row lineage and undo
 * records stay narrow. Writing lineage stays with each target (PostgreSQL COPY and key ranges,
 * MySQL packet-sized INSERTs, SQLite prepared inserts), as does building the lookup indexes.
 */
import { OUTCOME_NAMES, type CrosswalkVersion, type LineageEntry, type LineageQuery, type RunRecord } from '../connector.js';
import type { SqlLedgerDialect } from './dialect.js';
import type { LedgerOp } from './statements.js';

/** The columns a lineage lookup selects, as toLineageEntry reads them. */
export const LINEAGE_ENTRY_COLUMNS = 'i.run_id, i.crosswalks, r.status, r.contract_digest, l.source_table, l.source_key, l.target_table, l.outcome, l.target_key, l.reason_code';

/** One row selected with LINEAGE_ENTRY_COLUMNS as a LineageEntry. */
export function toLineageEntry(r: Record<string, unknown>): LineageEntry {
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    runId: String(r.run_id),
    runStatus: (text(r.status) ?? 'unknown') as LineageEntry['runStatus'],
    contractDigest: text(r.contract_digest) ?? '',
    crosswalks: JSON.parse(String(r.crosswalks)) as CrosswalkVersion[],
    sourceTable: String(r.source_table),
    sourceKey: String(r.source_key),
    targetTable: String(r.target_table),
    outcome: OUTCOME_NAMES[String(r.outcome) as keyof typeof OUTCOME_NAMES],
    targetKey: text(r.target_key),
    reasonCode: text(r.reason_code),
  };
}

/** Run numbers and lineage lookups for one dialect, with a cache of run numbers. */
export class SqlLineageLedger {
  private readonly numbers = new Map<string, number>();
  private readonly runIds: string;
  private readonly lineage: string;
  private readonly runs: string;

  constructor(private readonly d: SqlLedgerDialect) {
    this.runIds = d.table('_ferry_run_ids');
    this.lineage = d.table('_ferry_lineage');
    this.runs = d.table('_ferry_runs');
  }

  /** The `FROM … JOIN` that puts run id, status, digest and crosswalks beside lineage rows `l` (a table or subquery). */
  joinRuns(l: string): string {
    return `FROM ${l} l JOIN ${this.runIds} i ON i.run_no = l.run_no LEFT JOIN ${this.runs} r ON r.run_id = i.run_id`;
  }

  /** Gives the run its number (once; a resumed run keeps it) and records its crosswalk versions; call inside the run's transaction. */
  *register(run: RunRecord): LedgerOp<void> {
    yield {
      sql: `INSERT INTO ${this.runIds} (run_id, crosswalks) VALUES (${this.d.param(1)}, ${this.d.param(2)}) ${this.d.ignoreConflict(['run_id'])}`,
      params: [run.runId, JSON.stringify(run.crosswalks ?? [])],
    };
  }

  /** The run's number; throws when the run was never registered. */
  *runNo(runId: string): LedgerOp<number> {
    let n = this.numbers.get(runId);
    if (n === undefined) {
      const { rows } = yield { sql: `SELECT run_no FROM ${this.runIds} WHERE run_id = ${this.d.param(1)}`, params: [runId] };
      if (rows.length === 0) throw new Error(`run ${runId} has no run number`);
      n = Number(rows[0].run_no);
      this.numbers.set(runId, n);
    }
    return n;
  }

  /** Lineage records matching the query in `_ferry_lineage`, oldest run first (the caller builds the lookup indexes). */
  *query(q: LineageQuery): LedgerOp<LineageEntry[]> {
    const side = q.by === 'target' ? 'target' : 'source';
    const { rows } = yield {
      sql: `SELECT ${LINEAGE_ENTRY_COLUMNS} ${this.joinRuns(this.lineage)}
             WHERE l.${side}_table = ${this.d.param(1)} AND l.${side}_key = ${this.d.param(2)} ORDER BY l.run_no, l.target_table`,
      params: [q.table, q.key],
    };
    return rows.map(toLineageEntry);
  }
}
