/**
 * The undo log of a MySQL/MariaDB target: for the first time a run touches each key, the row
 * as it was (a JSON image) or NULL when the key did not exist. Upsert batches read their
 * before-images with one `SELECT … WHERE key IN (…)` per chunk of keys, inside the batch's
 * transaction; rollback replays the log in one transaction.
 */
import mysql from 'mysql2';
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { RollbackOptions, RollbackTableResult, TargetTableDef, Value } from '../connector.js';
import { decodeImage, encodeImage } from '../undo/image.js';
import { MYSQL_LEDGER_DIALECT } from '../sql-ledger/dialect.js';
import { runOp } from '../sql-ledger/statements.js';
import { SqlUndoLedger } from '../sql-ledger/undo.js';
import { tableChanged } from '../undo/refusals.js';
import { parseUndoKey, undoKeyRenderer } from '../undo/undo-key.js';
import { insertStatements, type InsertShape } from './insert.js';
import { mysqlExec } from './ledger-store.js';
import { ident, identList } from './quote.js';

const CHUNK = 1000;
const escape = (v: Value) => mysql.escape(v);
const UNDO_SHAPE: InsertShape = {
  head: 'INSERT INTO `_ferry_undo` (run_no, table_name, `key`, before_image) VALUES ',
  // The first record of a key wins: a later touch in the same run changes nothing.
  tail: ' ON DUPLICATE KEY UPDATE run_no = run_no',
  escapers: Array(4).fill(escape),
};

function keyMatch(pk: readonly string[], count: number): string {
  const one = pk.length === 1 ? '?' : `(${pk.map(() => '?').join(', ')})`;
  const lhs = pk.length === 1 ? ident(pk[0]) : `(${identList(pk)})`;
  return `${lhs} IN (${Array(count).fill(one).join(', ')})`;
}

/** Undo capture and replay for one database. */
export class MysqlUndo {
  private readonly keyFns = new WeakMap<TargetTableDef, (row: readonly Value[]) => string>();
  private readonly shared = new SqlUndoLedger(MYSQL_LEDGER_DIALECT, ' FOR UPDATE');

  constructor(
    private readonly where: string,
    private readonly maxStatement: number,
  ) {}

  /** Records the first touch of every key of `rows` before they are written, inside the batch's transaction. */
  async capture(c: PoolConnection, runNo: number, def: TargetTableDef, rows: readonly Value[][], upsert: boolean): Promise<void> {
    if (def.primaryKey.length === 0 || rows.length === 0) return;
    const key = this.keyFn(def);
    const keys = [...new Set(rows.map(key))];
    const images = new Map<string, string>();
    if (upsert) {
      const idx = def.primaryKey.map((k) => def.columns.findIndex((c) => c.name === k));
      for (let i = 0; i < keys.length; i += CHUNK) {
        const chunk = keys.slice(i, i + CHUNK);
        const [found] = await c.query<RowDataPacket[]>(`SELECT * FROM ${ident(def.name)} WHERE ${keyMatch(def.primaryKey, chunk.length)}`, chunk.flatMap(parseUndoKey));
        for (const r of found) {
          const aligned: Value[] = def.columns.map(() => null);
          def.primaryKey.forEach((k, j) => (aligned[idx[j]] = r[k] as Value));
          images.set(key(aligned), encodeImage(r));
        }
      }
    }
    const records = keys.map((k) => [runNo, def.name, k, images.get(k) ?? null]);
    for (const sql of insertStatements(UNDO_SHAPE, records, this.maxStatement)) await c.query(sql);
  }

  /** Captures a whole table before a truncate-mode run empties it, in one INSERT … SELECT. */
  async wholeTable(c: PoolConnection, runNo: number, def: TargetTableDef): Promise<void> {
    if (def.primaryKey.length === 0) return;
    const [cols] = await c.query<RowDataPacket[]>(
      'SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position',
      [def.name],
    );
    const binary = (t: string) => /blob|binary/i.test(t);
    // Everything travels as text, as the driver returns it; JSON_ARRAY's ", " separator is
    // rewritten to the "," batches record.
    const key = `REPLACE(JSON_ARRAY(${def.primaryKey.map((k) => `CAST(${ident(k)} AS CHAR)`).join(', ')}), '", "', '","')`;
    const image = `JSON_OBJECT(${cols.map((r) => `${mysql.escape(String(r.name))}, ${binary(String(r.type)) ? `JSON_OBJECT('$hex', LOWER(HEX(${ident(String(r.name))})))` : `CAST(${ident(String(r.name))} AS CHAR)`}`).join(', ')})`;
    await c.query(
      `INSERT INTO \`_ferry_undo\` (run_no, table_name, \`key\`, before_image) SELECT ?, ?, ${key}, ${image} FROM ${ident(def.name)} ON DUPLICATE KEY UPDATE run_no = \`_ferry_undo\`.run_no`,
      [runNo, def.name],
    );
  }

  /** Rolls back a run inside the caller's transaction; with `check` only verifies and counts. */
  async rollback(c: PoolConnection, runId: string, options: RollbackOptions = {}): Promise<RollbackTableResult[]> {
    const plan = await runOp(this.shared.plan(runId, this.where), mysqlExec(c));
    const results: RollbackTableResult[] = [];
    for (const table of plan.tables) results.push(await this.undoTable(c, runId, plan.runNo, table, options.check ?? false));
    if (!options.check) await runOp(this.shared.markRolledBack(runId), mysqlExec(c));
    return results;
  }

  private async undoTable(c: PoolConnection, runId: string, runNo: number, table: string, check: boolean): Promise<RollbackTableResult> {
    const [pkRows] = await c.query<RowDataPacket[]>(
      "SELECT column_name AS name FROM information_schema.key_column_usage WHERE table_schema = DATABASE() AND table_name = ? AND constraint_name = 'PRIMARY' ORDER BY ordinal_position",
      [table],
    );
    const pk = pkRows.map((r) => String(r.name));
    if (pk.length === 0) throw tableChanged(runId, table);
    let deleted = 0;
    let restored = 0;
    let after = '';
    for (;;) {
      const [page] = await c.query<RowDataPacket[]>('SELECT `key`, before_image FROM `_ferry_undo` WHERE run_no = ? AND table_name = ? AND `key` > ? ORDER BY `key` LIMIT ?', [
        runNo,
        table,
        after,
        CHUNK,
      ]);
      const inserted = page.filter((e) => e.before_image === null).map((e) => String(e.key));
      const images = page.filter((e) => e.before_image !== null).map((e) => decodeImage(String(e.before_image)));
      if (check) {
        deleted += inserted.length;
        restored += images.length;
      } else {
        if (inserted.length) {
          const [res] = await c.query(`DELETE FROM ${ident(table)} WHERE ${keyMatch(pk, inserted.length)}`, inserted.flatMap(parseUndoKey));
          deleted += (res as { affectedRows: number }).affectedRows;
        }
        restored += await this.restore(c, table, pk, images);
      }
      if (page.length < CHUNK) break;
      after = String(page[page.length - 1].key);
    }
    return { table, deleted, restored };
  }

  /** Writes before-images back, replacing whatever the run left under their keys. */
  private async restore(c: PoolConnection, table: string, pk: string[], images: Array<{ columns: string[]; values: Value[] }>): Promise<number> {
    const groups = new Map<string, Value[][]>();
    for (const img of images) {
      const sig = JSON.stringify(img.columns);
      const g = groups.get(sig) ?? [];
      g.push(img.values);
      groups.set(sig, g);
    }
    for (const [sig, rows] of groups) {
      const columns = JSON.parse(sig) as string[];
      const keys = new Set(pk);
      const updates = columns.filter((k) => !keys.has(k)).map((k) => `${ident(k)} = VALUES(${ident(k)})`);
      if (updates.length === 0) updates.push(`${ident(pk[0])} = ${ident(pk[0])}`);
      const shape: InsertShape = { head: `INSERT INTO ${ident(table)} (${identList(columns)}) VALUES `, tail: ` ON DUPLICATE KEY UPDATE ${updates.join(', ')}`, escapers: columns.map(() => escape) };
      for (const sql of insertStatements(shape, rows, this.maxStatement)) await c.query(sql);
    }
    return images.length;
  }

  private keyFn(def: TargetTableDef): (row: readonly Value[]) => string {
    let f = this.keyFns.get(def);
    if (!f) this.keyFns.set(def, (f = undoKeyRenderer(def)));
    return f;
  }
}
