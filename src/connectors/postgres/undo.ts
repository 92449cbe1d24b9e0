/**
 * The undo log of a PostgreSQL target. For the first time a run touches each key it records
 * the row as it was (`to_jsonb`) in `_ferry_undo`, or NULL when the key did not exist; keys a
 * plain COPY inserted go by COPY into the unindexed `_ferry_undo_inserted` instead, so a first
 * load pays one narrow COPY for its undo log and no index; runs of consecutive integer keys go
 * into `_ferry_undo_inserted_ranges` as one record each (key-ranges.ts), and every query below
 * reads the ranges expanded back into the keys they stand for. Capture happens inside the batch's
 * transaction with set-based statements only (no per-row queries); rollback replays the log in
 * one transaction:
 *
 *   1. delete every key in `_ferry_undo_inserted` and every `_ferry_undo` key with no image;
 *   2. restore every image, except for keys the run itself inserted first (an upsert batch
 *      that later met its own row again recorded that row, not a pre-run one).
 *
 * Truncate-mode tables record their whole previous contents at start and their inserted keys
 * in `_ferry_undo` (a reloaded old key keeps its image), never in `_ferry_undo_inserted`.
 */
import type { ClientBase } from 'pg';
import type { RollbackOptions, RollbackTableResult, TableInfo } from '../connector.js';
import { postgresLedgerDialect } from '../sql-ledger/dialect.js';
import { runOp } from '../sql-ledger/statements.js';
import { SqlUndoLedger } from '../sql-ledger/undo.js';
import { tableChanged } from '../undo/refusals.js';
import { copyIn } from './copy-in.js';
import { escapeCopyText } from './copy-text.js';
import { introspectSchema } from './introspect.js';
import { pgExec } from './ledger-store.js';
import { ident, identList, qualified } from './quote.js';

/** CREATE for `_ferry_undo_inserted_ranges`: runs of consecutive integer keys a plain COPY inserted into a table keyed by one integer column. */
export function insertedRangesSql(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualified(schema, '_ferry_undo_inserted_ranges')} (
      run_no INTEGER NOT NULL, table_name TEXT NOT NULL, first_key BIGINT NOT NULL, last_key BIGINT NOT NULL)`;
}

/** The `_ferry_undo_inserted` COPY line prefix of one run and table; a line is prefix + escaped key + newline. */
export function insertedKeyPrefix(runNo: number, table: string): string {
  return `${runNo}\t${escapeCopyText(table)}\t`;
}

function* keyCopyText(runNo: number, table: string, keys: readonly string[]): Generator<string> {
  const head = insertedKeyPrefix(runNo, table);
  let chunk = '';
  for (const k of keys) {
    chunk += head + escapeCopyText(k) + '\n';
    if (chunk.length > 65_536) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** Statements over the undo log of one schema. */
export class PgUndo {
  private readonly undo: string;
  private readonly inserts: string;
  private readonly insertRanges: string;
  /** Every inserted key, the ranges expanded: a relation with run_no, table_name and key. */
  private readonly allInserts: string;
  private readonly shared: SqlUndoLedger;

  constructor(private readonly schema: string) {
    this.undo = qualified(schema, '_ferry_undo');
    this.inserts = qualified(schema, '_ferry_undo_inserted');
    this.insertRanges = qualified(schema, '_ferry_undo_inserted_ranges');
    // Expanded with the undo key's own text form (undo-key.ts): a JSON array of one text part.
    this.allInserts = `(SELECT run_no, table_name, key FROM ${this.inserts}
      UNION ALL SELECT r.run_no, r.table_name, '["' || k || '"]' FROM ${this.insertRanges} r, generate_series(r.first_key, r.last_key) k)`;
    this.shared = new SqlUndoLedger(
      postgresLedgerDialect((table) => qualified(schema, table)),
      ' FOR UPDATE OF r',
      {
        touched: `SELECT run_no, table_name, key FROM ${this.undo} UNION ALL SELECT run_no, table_name, key FROM ${this.allInserts} i`,
        tables: `SELECT table_name FROM ${this.undo} WHERE run_no = $1 UNION ALL SELECT table_name FROM ${this.inserts} WHERE run_no = $1
        UNION ALL SELECT table_name FROM ${this.insertRanges} WHERE run_no = $1`,
      },
    );
  }

  /** Records keys a plain COPY just inserted (they did not exist, so there is no before-image), by COPY. */
  async inserted(c: ClientBase, runNo: number, table: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.copyInserted(c, keyCopyText(runNo, table, keys));
  }

  /** Records inserted keys already rendered as lines (insertedKeyPrefix + escaped key + newline), by COPY. */
  async copyInserted(c: ClientBase, text: Iterable<string | Buffer>): Promise<void> {
    await copyIn(c, `COPY ${this.inserts} (run_no, table_name, key) FROM STDIN`, text);
  }

  /** Records runs of consecutive integer keys a plain COPY inserted, rendered by KeyRangeLines with insertedKeyPrefix, by COPY. */
  async copyInsertedRanges(c: ClientBase, text: Iterable<string | Buffer>): Promise<void> {
    await copyIn(c, `COPY ${this.insertRanges} (run_no, table_name, first_key, last_key) FROM STDIN`, text);
  }

  /** Records keys a truncate-mode batch inserted; a key whose pre-run image was captured at start keeps it. */
  async reinserted(c: ClientBase, runNo: number, table: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await c.query(`INSERT INTO ${this.undo} (run_no, table_name, key) SELECT $1, $2, k FROM unnest($3::text[]) AS k ON CONFLICT DO NOTHING`, [runNo, table, keys]);
  }

  /**
   * Records the before-image of every staged key (NULL when absent) with one INSERT … SELECT
   * joining the stage to the table; must run before the staged batch is merged.
   */
  async staged(c: ClientBase, runNo: number, table: string, primaryKey: readonly string[]): Promise<void> {
    const on = primaryKey.map((k) => `t.${ident(k)} = s.${ident(k)}`).join(' AND ');
    await c.query(
      `INSERT INTO ${this.undo} (run_no, table_name, key, before_image)
       SELECT $1, $2, s."_ferry_key", CASE WHEN t.${ident(primaryKey[0])} IS NULL THEN NULL ELSE to_jsonb(t) END
         FROM pg_temp."_ferry_stage" s LEFT JOIN ${qualified(this.schema, table)} t ON ${on}
       ON CONFLICT DO NOTHING`,
      [runNo, table],
    );
  }

  /** Captures a whole table's contents before a truncate-mode run empties it. */
  async wholeTable(c: ClientBase, runNo: number, table: string, primaryKey: readonly string[]): Promise<void> {
    const key = `jsonb_build_array(${primaryKey.map((k) => `t.${ident(k)}::text`).join(', ')})::text`;
    // jsonb's text form puts a space after commas; the key text Ferry writes has none.
    await c.query(
      `INSERT INTO ${this.undo} (run_no, table_name, key, before_image)
       SELECT $1, $2, replace(${key}, '", "', '","'), to_jsonb(t) FROM ${qualified(this.schema, table)} t ON CONFLICT DO NOTHING`,
      [runNo, table],
    );
  }

  /** Rolls back a run inside the caller's transaction; with `check` only verifies and counts. */
  async rollback(c: ClientBase, runId: string, options: RollbackOptions = {}): Promise<RollbackTableResult[]> {
    // A schema last written by a Ferry without key ranges lacks the table the plan reads.
    await c.query(insertedRangesSql(this.schema));
    const { runNo, tables } = await runOp(this.shared.plan(runId, `schema "${this.schema}"`), pgExec(c));
    const live = await introspectSchema(c, this.schema);
    const results: RollbackTableResult[] = [];
    for (const name of tables) {
      const info = live.tables.find((t) => t.name === name);
      if (!info || info.primaryKey.length === 0) throw tableChanged(runId, name);
      results.push(options.check ? await this.count(c, runNo, name) : await this.undoTable(c, runNo, info));
    }
    if (!options.check) await runOp(this.shared.markRolledBack(runId), pgExec(c));
    return results;
  }

  /** The run's keys to delete (no before-image) for a table, as a query with $1 = run_no and $2 = table. */
  private deletions(): string {
    return `SELECT key FROM ${this.allInserts} i WHERE run_no = $1 AND table_name = $2
            UNION ALL SELECT key FROM ${this.undo} WHERE run_no = $1 AND table_name = $2 AND before_image IS NULL`;
  }

  /** The run's images to restore for a table ($1 = run_no, $2 = table). */
  private images(): string {
    return `SELECT u.key, u.before_image FROM ${this.undo} u WHERE u.run_no = $1 AND u.table_name = $2 AND u.before_image IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM ${this.allInserts} x WHERE x.run_no = $1 AND x.table_name = $2 AND x.key = u.key)`;
  }

  private async count(c: ClientBase, runNo: number, table: string): Promise<RollbackTableResult> {
    const res = await c.query(`SELECT (SELECT count(*) FROM (${this.deletions()}) d)::int AS deleted, (SELECT count(*) FROM (${this.images()}) i)::int AS restored`, [runNo, table]);
    return { table, deleted: res.rows[0].deleted, restored: res.rows[0].restored };
  }

  private async undoTable(c: ClientBase, runNo: number, t: TableInfo): Promise<RollbackTableResult> {
    const target = qualified(this.schema, t.name);
    const pk = t.primaryKey;
    // jsonb_populate_record turns each key part back into the column's own type, so the
    // comparison uses the table's primary-key index whatever the key types are.
    const keyObject = `jsonb_build_object(${pk.map((k, i) => `'${k.replace(/'/g, "''")}', u.key::jsonb->>${i}`).join(', ')})`;
    const del = await c.query(
      `DELETE FROM ${target} t USING (
         SELECT r.* FROM (${this.deletions()}) u, jsonb_populate_record(NULL::${target}, ${keyObject}) r) d
        WHERE ${pk.map((k) => `t.${ident(k)} = d.${ident(k)}`).join(' AND ')}`,
      [runNo, t.name],
    );
    const cols = t.columns.map((c) => c.name);
    const keys = new Set(pk);
    const rest = cols.filter((k) => !keys.has(k));
    const action = rest.length ? `DO UPDATE SET ${rest.map((k) => `${ident(k)} = EXCLUDED.${ident(k)}`).join(', ')}` : 'DO NOTHING';
    const ins = await c.query(
      `INSERT INTO ${target} (${identList(cols)})
       SELECT ${cols.map((k) => `r.${ident(k)}`).join(', ')} FROM (${this.images()}) u, jsonb_populate_record(NULL::${target}, u.before_image) r
       ON CONFLICT (${identList(pk)}) ${action}`,
      [runNo, t.name],
    );
    return { table: t.name, deleted: del.rowCount ?? 0, restored: ins.rowCount ?? 0 };
  }
}
