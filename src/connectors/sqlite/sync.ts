/**
 * The SyncLedger of a SQLite target: sync records, and change units applied in one
 * BEGIN IMMEDIATE transaction with the sync's new position, through prepared statements run
 * once per row (in-process calls, no round trips): the target's own upsert, a delete by key.
 * Foreign keys stay unenforced here as for runs (see target.ts), so table order is kept for
 * the other targets' sake only.
 */
import Database from 'better-sqlite3';
import { FerryError } from '../../errors.js';
import type { ChangeUnit, SyncLedger, TargetTableDef } from '../connector.js';
import { SQLITE_LEDGER_DIALECT } from '../sql-ledger/dialect.js';
import { SqlSyncLedger, SqlSyncRecords, syncApplyFailed, syncForeignKey } from '../sql-ledger/syncs.js';
import { runOpSync, type LedgerOp, type Stmt, type StmtResult } from '../sql-ledger/statements.js';
import type { SqliteLineage } from './lineage.js';
import { addQuarantine } from './quarantine.js';
import { q, toDriver } from './sql.js';

/** Attempts of a unit that found the database busy beyond busy_timeout: it is idempotent, so it simply runs again. */
const ATTEMPTS = 3;
const PENDING_PAGE = 1000;

/** What the sync ledger borrows from its SqliteTarget: the database, its statement runner, the upsert statement, lineage. */
export interface SqliteSyncContext {
  db: Database.Database;
  exec: (s: Stmt) => StmtResult;
  where: string;
  /** The table's prepared upsert (SqliteTarget.insertFor). */
  upsert(def: TargetTableDef): Database.Statement;
  lineage: SqliteLineage;
}

/** Sync records and change application for one SQLite database. */
export class SqliteSyncLedger extends SqlSyncRecords implements SyncLedger {
  protected readonly shared = new SqlSyncLedger(SQLITE_LEDGER_DIALECT);
  protected readonly where: string;
  protected readonly pendingPage = PENDING_PAGE;
  private readonly deletes = new WeakMap<TargetTableDef, Database.Statement>();

  constructor(private readonly ctx: SqliteSyncContext) {
    super();
    this.where = ctx.where;
  }

  protected async run<T>(op: LedgerOp<T>, transaction: boolean): Promise<T> {
    return this.guard(() => (transaction ? this.ctx.db.transaction(() => runOpSync(op, this.ctx.exec)).immediate() : runOpSync(op, this.ctx.exec)));
  }

  async applyChanges(unit: ChangeUnit): Promise<void> {
    this.checkKeys(unit);
    for (let attempt = 1; ; attempt++) {
      try {
        this.ctx.db.transaction(() => this.apply(unit)).immediate();
        return;
      } catch (err) {
        if (err instanceof FerryError) throw err;
        if (!(err instanceof Database.SqliteError)) throw syncApplyFailed(unit, this.ctx.where, String((err as Error)?.message ?? err));
        if ((err.code === 'SQLITE_BUSY' || err.code === 'SQLITE_LOCKED') && attempt < ATTEMPTS) continue;
        // SQLite's messages name constraints, tables and columns (`NOT NULL constraint failed: patient.nhs`), never values.
        const reason = `${err.message} [${err.code}]`;
        if (err.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw syncForeignKey(unit, this.ctx.where, {}, reason);
        throw syncApplyFailed(unit, this.ctx.where, reason);
      }
    }
  }

  /** The unit's statements; runs inside its transaction. */
  private apply(unit: ChangeUnit): void {
    const { db } = this.ctx;
    for (let i = unit.tables.length - 1; i >= 0; i--) {
      const t = unit.tables[i];
      if (t.truncate) db.prepare(`DELETE FROM ${q(t.table.name)}`).run();
      if (t.deletes.length > 0) {
        const del = this.deleter(t.table);
        for (const key of t.deletes) del.run(key.map(toDriver));
      }
    }
    const lineage = unit.tables.some((t) => t.lineage && t.lineage.rows.length > 0);
    const runNo = lineage ? this.ctx.lineage.runNo(unit.runId) : 0;
    for (const t of unit.tables) {
      if (t.upserts.length > 0) {
        const width = t.table.columns.length;
        const upsert = this.ctx.upsert(t.table);
        for (const row of t.upserts) {
          if (row.length !== width) throw new FerryError('internal', 'sqlite.row_width', `a row for table ${t.table.name} has ${row.length} values but the table has ${width} columns`);
          upsert.run(row.map(toDriver));
        }
      }
      if (t.lineage && t.lineage.rows.length > 0) this.ctx.lineage.write(runNo, t.table.name, t.lineage);
      addQuarantine(db, t.quarantine);
    }
    runOpSync(this.shared.recordUnit(unit, this.ctx.where), this.ctx.exec);
  }

  private deleter(def: TargetTableDef): Database.Statement {
    let stmt = this.deletes.get(def);
    if (!stmt) {
      stmt = this.ctx.db.prepare(`DELETE FROM ${q(def.name)} WHERE ${def.primaryKey.map((k) => `${q(k)} = ?`).join(' AND ')}`);
      this.deletes.set(def, stmt);
    }
    return stmt;
  }

  /** Runs `fn`, turning driver errors into FerryErrors (SQLite's messages carry no values). */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof FerryError || !(err instanceof Database.SqliteError)) throw err;
      throw new FerryError('run', `sqlite.${err.code.toLowerCase()}`, `a sync bookkeeping query on ${this.ctx.where} failed: ${err.message}`, [], { cause: err });
    }
  }
}
