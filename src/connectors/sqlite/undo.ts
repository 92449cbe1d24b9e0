/**
 * The undo log of a SQLite target: for the first time a run touches each key, the row as it
 * was (a JSON image) or NULL when the key did not exist. Captured with prepared statements in
 * the batch's transaction; replayed by rollback in one transaction.
 */
import type Database from 'better-sqlite3';
import type { RollbackOptions, RollbackTableResult, TargetTableDef, Value } from '../connector.js';
import { decodeImage, encodeImage } from '../undo/image.js';
import { SQLITE_LEDGER_DIALECT } from '../sql-ledger/dialect.js';
import { runOpSync, type Stmt, type StmtResult } from '../sql-ledger/statements.js';
import { SqlUndoLedger } from '../sql-ledger/undo.js';
import { tableChanged } from '../undo/refusals.js';
import { parseUndoKey, undoKeyRenderer } from '../undo/undo-key.js';
import { tableInfo } from './introspect.js';
import { q, qList } from './sql.js';

/** Signals a rollback that only checked: its transaction must not commit. */
class CheckOnly extends Error {
  constructor(readonly results: RollbackTableResult[]) {
    super('check only');
  }
}

/** Undo capture and replay over one open database. */
export class SqliteUndo {
  private readonly keyFns = new WeakMap<TargetTableDef, (row: readonly Value[]) => string>();

  private readonly shared = new SqlUndoLedger(SQLITE_LEDGER_DIALECT, '');

  constructor(
    private readonly db: Database.Database,
    private readonly where: string,
    private readonly exec: (s: Stmt) => StmtResult,
  ) {}

  /** Records the first touch of every key of `rows` before they are written; call inside the batch's transaction. */
  capture(runNo: number, def: TargetTableDef, rows: readonly Value[][], upsert: boolean): void {
    if (def.primaryKey.length === 0) return;
    const key = this.keyFn(def);
    const ins = this.db.prepare('INSERT INTO _ferry_undo (run_no, table_name, key, before_image) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
    const find = upsert ? this.db.prepare(`SELECT * FROM ${q(def.name)} WHERE ${def.primaryKey.map((k) => `${q(k)} = ?`).join(' AND ')}`) : undefined;
    for (const row of rows) {
      const k = key(row);
      let image: string | null = null;
      if (find) {
        const before = find.get(...parseUndoKey(k)) as Record<string, unknown> | undefined;
        if (before) image = encodeImage(before);
      }
      ins.run(runNo, def.name, k, image);
    }
  }

  /** Captures a whole table before a truncate-mode run empties it, in one INSERT … SELECT; call inside the start transaction. */
  wholeTable(runNo: number, def: TargetTableDef): void {
    if (def.primaryKey.length === 0) return;
    const info = tableInfo(this.db, def.name);
    const integer = new Set(info.columns.filter((c) => c.type === 'integer').map((c) => c.name));
    // json_array writes no spaces, exactly like the key text batches record.
    const key = `json_array(${def.primaryKey.map((k) => (integer.has(k) ? `CAST(${q(k)} AS TEXT)` : q(k))).join(', ')})`;
    const image = `json_object(${info.columns.map((c) => `'${c.name.replace(/'/g, "''")}', ${c.type === 'binary' ? `json_object('$hex', lower(hex(${q(c.name)})))` : q(c.name)}`).join(', ')})`;
    this.db.prepare(`INSERT INTO _ferry_undo (run_no, table_name, key, before_image) SELECT ?, ?, ${key}, ${image} FROM ${q(def.name)} WHERE true ON CONFLICT DO NOTHING`).run(runNo, def.name);
  }

  /** Rolls back a run in one transaction, or with `check` only verifies and counts. */
  rollback(runId: string, options: RollbackOptions = {}): RollbackTableResult[] {
    try {
      return this.db
        .transaction(() => {
          const plan = runOpSync(this.shared.plan(runId, this.where), this.exec);
          const results = plan.tables.map((t) => this.undoTable(runId, plan.runNo, t, options.check ?? false));
          if (options.check) throw new CheckOnly(results);
          runOpSync(this.shared.markRolledBack(runId), this.exec);
          return results;
        })
        .immediate();
    } catch (err) {
      if (err instanceof CheckOnly) return err.results;
      throw err;
    }
  }

  private undoTable(runId: string, runNo: number, table: string, check: boolean): RollbackTableResult {
    const info = tableInfo(this.db, table);
    if (info.columns.length === 0 || info.primaryKey.length === 0) throw tableChanged(runId, table);
    const pk = info.primaryKey;
    const del = this.db.prepare(`DELETE FROM ${q(table)} WHERE ${pk.map((k) => `${q(k)} = ?`).join(' AND ')}`);
    const keys = new Set(pk);
    let deleted = 0;
    let restored = 0;
    for (const e of this.entries(runNo, table)) {
      if (e.before_image === null) {
        deleted += check ? 1 : del.run(...parseUndoKey(e.key)).changes;
        continue;
      }
      restored++;
      if (check) continue;
      const { columns, values } = decodeImage(e.before_image);
      const rest = columns.filter((c) => !keys.has(c));
      const action = rest.length ? `DO UPDATE SET ${rest.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}` : 'DO NOTHING';
      this.db.prepare(`INSERT INTO ${q(table)} (${qList(columns)}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT (${qList(pk)}) ${action}`).run(...values);
    }
    return { table, deleted, restored };
  }

  /** The run's undo entries for a table in key order, a page at a time (the connection cannot write while a cursor is open). */
  private *entries(runNo: number, table: string): Generator<{ key: string; before_image: string | null }> {
    const page = this.db.prepare('SELECT key, before_image FROM _ferry_undo WHERE run_no = ? AND table_name = ? AND key > ? ORDER BY key LIMIT 1000');
    let after = '';
    for (;;) {
      const rows = page.all(runNo, table, after) as Array<{ key: string; before_image: string | null }>;
      yield* rows;
      if (rows.length < 1000) return;
      after = rows[rows.length - 1].key;
    }
  }

  private keyFn(def: TargetTableDef): (row: readonly Value[]) => string {
    let f = this.keyFns.get(def);
    if (!f) this.keyFns.set(def, (f = undoKeyRenderer(def)));
    return f;
  }
}
