/**
 * The SyncLedger of a MySQL/MariaDB target: sync records, and change units applied in one
 * InnoDB transaction with the sync's new position. Upserts are the target's own multi-row
 * INSERT … ON DUPLICATE KEY UPDATE, deletes one row-value `IN` per table (each sized to the
 * packet limit), escaped by the same per-column escapers as the inserts. A source TRUNCATE is a
 * DELETE: TRUNCATE is DDL in MySQL and would commit the unit half-applied.
 */
import type { PoolConnection } from 'mysql2/promise';
import { FerryError } from '../../errors.js';
import type { ChangeUnit, SyncLedger, TargetTableDef } from '../connector.js';
import { MYSQL_LEDGER_DIALECT } from '../sql-ledger/dialect.js';
import { SqlSyncLedger, SqlSyncRecords, syncApplyFailed, syncForeignKey } from '../sql-ledger/syncs.js';
import { runOp, type LedgerOp } from '../sql-ledger/statements.js';
import { safeMysqlReason } from './errors.js';
import { insertStatements, type InsertShape } from './insert.js';
import { mysqlExec } from './ledger-store.js';
import type { MysqlLineage } from './lineage.js';
import { addQuarantine } from './quarantine.js';
import { ident, identList } from './quote.js';

/** Attempts of a unit that met a deadlock or a lock wait timeout: it is idempotent, so it simply runs again. */
const ATTEMPTS = 5;
/** ER_LOCK_WAIT_TIMEOUT, ER_LOCK_DEADLOCK. */
const RETRY_ERRNOS = new Set([1205, 1213]);
/** ER_ROW_IS_REFERENCED_2, ER_NO_REFERENCED_ROW_2 (and their older, unnamed forms). */
const FOREIGN_KEY_ERRNOS = new Set([1451, 1452, 1216, 1217]);
const PENDING_PAGE = 5000;

/** What the sync ledger borrows from its MysqlTarget: connections, the packet budget, insert shapes, lineage. */
export interface MysqlSyncContext {
  where: string;
  maxStatement: number;
  connect(): Promise<PoolConnection>;
  /** The table's upsert shape, built once per definition (MysqlTarget.shape). */
  upsertShape(def: TargetTableDef): InsertShape;
  lineage: MysqlLineage;
}

/** Sync records and change application for one MySQL/MariaDB database. */
export class MysqlSyncLedger extends SqlSyncRecords implements SyncLedger {
  protected readonly shared = new SqlSyncLedger(MYSQL_LEDGER_DIALECT);
  protected readonly where: string;
  protected readonly pendingPage = PENDING_PAGE;
  private readonly deletes = new WeakMap<TargetTableDef, InsertShape>();

  constructor(private readonly ctx: MysqlSyncContext) {
    super();
    this.where = ctx.where;
  }

  protected run<T>(op: LedgerOp<T>, transaction: boolean): Promise<T> {
    return this.withConnection(async (c) => {
      if (!transaction) return runOp(op, mysqlExec(c));
      await c.beginTransaction();
      try {
        const out = await runOp(op, mysqlExec(c));
        await c.commit();
        return out;
      } catch (err) {
        await c.rollback().catch(() => undefined);
        throw err;
      }
    });
  }

  async applyChanges(unit: ChangeUnit): Promise<void> {
    this.checkKeys(unit);
    for (let attempt = 1; ; attempt++) {
      const c = await this.ctx.connect();
      let healthy = true;
      try {
        await c.beginTransaction();
        await this.apply(c, unit);
        await c.commit();
        return;
      } catch (err) {
        await c.rollback().catch(() => (healthy = false));
        if (err instanceof FerryError) throw err;
        const errno = (err as { errno?: number }).errno;
        if (errno !== undefined && RETRY_ERRNOS.has(errno) && attempt < ATTEMPTS) continue;
        if (errno !== undefined && FOREIGN_KEY_ERRNOS.has(errno)) throw syncForeignKey(unit, this.ctx.where, foreignKeyOf(err), safeMysqlReason(err));
        throw syncApplyFailed(unit, this.ctx.where, safeMysqlReason(err));
      } finally {
        if (healthy) c.release();
        else c.destroy();
      }
    }
  }

  /** The unit's statements, inside its transaction. */
  private async apply(c: PoolConnection, unit: ChangeUnit): Promise<void> {
    // Children before parents: InnoDB checks foreign keys row by row and cannot defer them.
    for (let i = unit.tables.length - 1; i >= 0; i--) {
      const t = unit.tables[i];
      if (t.truncate) await c.query(`DELETE FROM ${ident(t.table.name)}`);
      if (t.deletes.length > 0) for (const sql of insertStatements(this.deleteShape(t.table), t.deletes, this.ctx.maxStatement)) await c.query(sql);
    }
    const lineage = unit.tables.some((t) => t.lineage && t.lineage.rows.length > 0);
    const runNo = lineage ? await this.ctx.lineage.runNo(c, unit.runId) : 0;
    for (const t of unit.tables) {
      if (t.upserts.length > 0) for (const sql of insertStatements(this.ctx.upsertShape(t.table), t.upserts, this.ctx.maxStatement)) await c.query(sql);
      if (t.lineage && t.lineage.rows.length > 0) await this.ctx.lineage.write(c, runNo, t.table.name, t.lineage, this.ctx.maxStatement);
      await addQuarantine(c, t.quarantine, this.ctx.maxStatement);
    }
    await runOp(this.shared.recordUnit(unit, this.ctx.where), mysqlExec(c));
  }

  /** `DELETE … WHERE (k1, k2) IN ((…), …)` as an insert shape, so insertStatements sizes it to the packet limit. */
  private deleteShape(def: TargetTableDef): InsertShape {
    let shape = this.deletes.get(def);
    if (!shape) {
      const escapers = this.ctx.upsertShape(def).escapers;
      const at = def.primaryKey.map((k) => def.columns.findIndex((c) => c.name === k));
      if (at.some((i) => i < 0)) throw new FerryError('contract', 'sync.key_column_missing', `a primary-key column of table ${def.name} is not among its columns`);
      shape = { head: `DELETE FROM ${ident(def.name)} WHERE (${identList(def.primaryKey)}) IN (`, tail: ')', escapers: at.map((i) => escapers[i]) };
      this.deletes.set(def, shape);
    }
    return shape;
  }

  private async withConnection<T>(fn: (c: PoolConnection) => Promise<T>): Promise<T> {
    const c = await this.ctx.connect();
    try {
      return await fn(c);
    } catch (err) {
      if (err instanceof FerryError) throw err;
      throw new FerryError('run', 'target.query_failed', `a sync bookkeeping query on ${this.ctx.where} failed: ${safeMysqlReason(err)}`);
    } finally {
      c.release();
    }
  }
}

/** The child table and constraint a MySQL foreign-key message names (it quotes names only, never values). */
function foreignKeyOf(err: unknown): { table?: string; constraint?: string } {
  const m = /\(`[^`]*`\.`([^`]*)`, CONSTRAINT `([^`]*)`/.exec(String((err as { message?: string }).message ?? ''));
  return m ? { table: m[1], constraint: m[2] } : {};
}
