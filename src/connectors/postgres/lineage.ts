/**
 * Lineage and run numbers in a PostgreSQL target. Each run gets a small integer `run_no`
 * (`_ferry_run_ids`, with the crosswalk versions recorded once per run) so the per-row tables
 * stay narrow; every batch's lineage travels by one COPY into `_ferry_lineage` inside the
 * batch's transaction. Rows loaded under their own integer key (source key = target key) are
 * recorded as runs of consecutive keys in `_ferry_lineage_ranges` (key-ranges.ts); the view
 * `_ferry_lineage_all` shows both as one record per source row. The tables have no index while
 * loading (an index would tax every batch); `ferry lineage` builds the two lookup indexes the
 * first time it is asked a question.
 */
import type { ClientBase } from 'pg';
import type { LineageBatch, LineageEntry, LineageOutcome, LineageQuery, RunRecord } from '../connector.js';
import { postgresLedgerDialect } from '../sql-ledger/dialect.js';
import { LINEAGE_ENTRY_COLUMNS, SqlLineageLedger, toLineageEntry } from '../sql-ledger/lineage.js';
import { runOp } from '../sql-ledger/statements.js';
import { pgExec } from './ledger-store.js';
import { copyIn } from './copy-in.js';
import { escapeCopyText } from './copy-text.js';
import { canonicalInt } from '../canonical-int.js';
import { qualified } from './quote.js';

function field(v: string | null): string {
  return v === null ? '\\N' : escapeCopyText(v);
}

/** Renders lineage records of one run, source table and target table as `_ferry_lineage` COPY lines. */
export class LineageLines {
  private readonly head: string;
  private readonly mid: string;
  /** Leading fields of a `_ferry_lineage_ranges` line (run, source table, target table). */
  readonly rangePrefix: string;

  constructor(runNo: number, sourceTable: string, targetTable: string) {
    this.head = `${runNo}\t${escapeCopyText(sourceTable)}\t`;
    this.mid = `\t${escapeCopyText(targetTable)}\t`;
    this.rangePrefix = `${this.head}${escapeCopyText(targetTable)}\t`;
  }

  /** One record's COPY line, newline included. */
  line(sourceKey: string, outcome: LineageOutcome, targetKey: string | null, reason: string | null): string {
    return this.head + escapeCopyText(sourceKey) + this.mid + outcome + '\t' + field(targetKey) + '\t' + field(reason) + '\n';
  }
}

/** COPY text for one batch's lineage, in chunks of about 64 KB. */
function* lineageCopyText(runNo: number, targetTable: string, batch: LineageBatch): Generator<string> {
  const lines = new LineageLines(runNo, batch.sourceTable, targetTable);
  let chunk = '';
  for (const [sourceKey, outcome, targetKey, reason] of batch.rows) {
    chunk += lines.line(sourceKey, outcome, targetKey, reason);
    if (chunk.length > 65_536) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** Lineage statements bound to one schema, with a cache of run numbers. */
export class PgLineage {
  private readonly shared: SqlLineageLedger;
  private readonly lineage: string;
  private readonly ranges: string;

  constructor(schema: string) {
    this.shared = new SqlLineageLedger(postgresLedgerDialect((table) => qualified(schema, table)));
    this.lineage = qualified(schema, '_ferry_lineage');
    this.ranges = qualified(schema, '_ferry_lineage_ranges');
  }

  /** Gives the run its number (once; a resumed run keeps it) and records its crosswalk versions. */
  async register(c: ClientBase, run: RunRecord): Promise<void> {
    await runOp(this.shared.register(run), pgExec(c));
  }

  /** The run's number; throws when the run was never registered. */
  runNo(c: ClientBase, runId: string): Promise<number> {
    return runOp(this.shared.runNo(runId), pgExec(c));
  }

  /** Appends one batch's lineage with one COPY, inside the caller's transaction. */
  async write(c: ClientBase, runNo: number, targetTable: string, batch: LineageBatch): Promise<void> {
    if (batch.rows.length === 0) return;
    await this.copy(c, lineageCopyText(runNo, targetTable, batch));
  }

  /**
   * Appends a few lineage records with one parameterised INSERT, inside the caller's
   * transaction: for a sync's small change units, where setting up a COPY costs more than the rows.
   */
  async insert(c: ClientBase, runNo: number, targetTable: string, batch: LineageBatch): Promise<void> {
    if (batch.rows.length === 0) return;
    await c.query(
      `INSERT INTO ${this.lineage} (run_no, source_table, source_key, target_table, outcome, target_key, reason_code)
       SELECT $1, $2, k, $3, o, t, r FROM unnest($4::text[], $5::text[], $6::text[], $7::text[]) AS u(k, o, t, r)`,
      [runNo, batch.sourceTable, targetTable, batch.rows.map((r) => r[0]), batch.rows.map((r) => r[1]), batch.rows.map((r) => r[2]), batch.rows.map((r) => r[3])],
    );
  }

  /** Appends lines rendered by LineageLines with one COPY, inside the caller's transaction. */
  async copy(c: ClientBase, text: Iterable<string | Buffer>): Promise<void> {
    await copyIn(c, `COPY ${this.lineage} (run_no, source_table, source_key, target_table, outcome, target_key, reason_code) FROM STDIN`, text);
  }

  /** Appends key-range lines rendered by KeyRangeLines with LineageLines.rangePrefix, inside the caller's transaction. */
  async copyRanges(c: ClientBase, text: Iterable<string | Buffer>): Promise<void> {
    await copyIn(c, `COPY ${this.ranges} (run_no, source_table, target_table, first_key, last_key) FROM STDIN`, text);
  }

  /** Lineage records matching the query, oldest run first; builds the lookup indexes on first use. */
  async query(c: ClientBase, q: LineageQuery): Promise<LineageEntry[]> {
    const exists = await c.query('SELECT to_regclass($1) IS NOT NULL AS ok', [this.lineage]);
    if (!exists.rows[0].ok) return [];
    await c.query(`CREATE INDEX IF NOT EXISTS "_ferry_lineage_target" ON ${this.lineage} (target_table, target_key)`);
    await c.query(`CREATE INDEX IF NOT EXISTS "_ferry_lineage_source" ON ${this.lineage} (source_table, source_key)`);
    const where = q.by === 'target' ? 'l.target_table = $1 AND l.target_key = $2' : 'l.source_table = $1 AND l.source_key = $2';
    // A range holds the key when the key is a canonical integer inside it; it is the same key on both sides.
    const n = canonicalInt(q.key);
    // Lineage tables written before ranges existed have none (the next run creates the table).
    const hasRanges = n === n && (await c.query('SELECT to_regclass($1) IS NOT NULL AS ok', [this.ranges])).rows[0].ok;
    const inRanges = hasRanges
      ? `UNION ALL SELECT run_no, source_table, $2, target_table, 'L', $2, NULL FROM ${this.ranges}
            WHERE ${q.by === 'target' ? 'target_table' : 'source_table'} = $1 AND first_key <= $3 AND last_key >= $3`
      : '';
    const res = await c.query(
      `SELECT ${LINEAGE_ENTRY_COLUMNS}
         ${this.shared.joinRuns(`(SELECT run_no, source_table, source_key, target_table, outcome, target_key, reason_code FROM ${this.lineage} l WHERE ${where} ${inRanges})`)}
        ORDER BY l.run_no, l.target_table`,
      hasRanges ? [q.table, q.key, n] : [q.table, q.key],
    );
    return res.rows.map(toLineageEntry);
  }
}
