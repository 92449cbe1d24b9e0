/**
 * The SyncLedger of a SQLite target: sync records, and change units applied in one
 * BEGIN IMMEDIATE transaction with the sync's new position, through prepared statements run
 * once per row (in-process calls, no round trips): the target's own upsert, a delete by key.
 * Foreign keys stay unenforced here as for runs (see target.ts), so table order is kept for
 * the other targets' sake only.
 */
import Database from 'better-sqlite3';
import { FerryError } from '../../errors.js';
import type { ChangeUnit, QuarantineRecord, SyncLedger, SyncRecord, TargetTableDef } from '../connector.js';
import { SQLITE_LEDGER_DIALECT } from '../sql-ledger/dialect.js';
import { SqlSyncLedger, syncApplyFailed, syncExists, syncForeignKey, syncUnknown } from '../sql-ledger/syncs.js';
import { runOpSync, type Stmt, type StmtResult } from '../sql-ledger/statements.js';
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
export class SqliteSyncLedger implements SyncLedger {
  private readonly shared = new SqlSyncLedger(SQLITE_LEDGER_DIALECT);
  private readonly deletes = new WeakMap<TargetTableDef, Database.Statement>();

  constructor(private readonly ctx: SqliteSyncContext) {}

  async beginSync(record: SyncRecord): Promise<void> {
    const created = this.guard(() => this.ctx.db.transaction(() => runOpSync(this.shared.beginSync(record), this.ctx.exec)).immediate());
    if (!created) throw syncExists(record.syncId, this.ctx.where);
  }

  async getSync(syncId: string): Promise<SyncRecord | undefined> {
    return this.guard(() => runOpSync(this.shared.getSync(syncId), this.ctx.exec));
  }

  async listSyncs(): Promise<SyncRecord[]> {
    return this.guard(() => runOpSync(this.shared.listSyncs(), this.ctx.exec));
  }

  async updateSync(syncId: string, patch: Partial<Omit<SyncRecord, 'syncId' | 'startedAt' | 'updatedAt'>>): Promise<void> {
    if (!this.guard(() => runOpSync(this.shared.updateSync(syncId, patch), this.ctx.exec))) throw syncUnknown(syncId, this.ctx.where);
  }

  async *syncPending(syncId: string): AsyncIterable<QuarantineRecord> {
    let after = 0;
    for (;;) {
      const page = this.guard(() => runOpSync(this.shared.pendingPage(syncId, after, PENDING_PAGE), this.ctx.exec));
      yield* page.records;
      if (page.records.length < PENDING_PAGE) return;
      after = page.last;
    }
  }

  async applyChanges(unit: ChangeUnit): Promise<void> {
    for (const t of unit.tables) {
      if (t.table.primaryKey.length === 0 && (t.upserts.length > 0 || t.deletes.length > 0)) {
        throw new FerryError('contract', 'sync.no_primary_key', `table ${t.table.name} has no primary key, so sync ${unit.syncId} cannot apply changes to it by key; declare one in the contract`);
      }
    }
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
