/**
 * The SyncLedger of a PostgreSQL target: sync records, and change units applied in one
 * transaction with the sync's new position. A table's upserts and lineage of up to a few hundred
 * rows (the usual unit: one source transaction) go as one `unnest` of typed arrays each; larger
 * ones take the target's staged merge (COPY into a stage, INSERT … ON CONFLICT) and lineage COPY.
 * Deletes are one `unnest` of typed key arrays per table, so a unit costs a few round trips per
 * table whatever its size. The commit is durable (unlike a run's
 * batches): the sync acknowledges its source position once a unit is applied, and a lost
 * commit could not be re-read from the source.
 */
import type pg from 'pg';
import { FerryError } from '../../errors.js';
import type { ChangeUnit, SyncLedger, TargetColumnDef, TargetTableDef, Value } from '../connector.js';
import { postgresLedgerDialect } from '../sql-ledger/dialect.js';
import { SqlSyncLedger, SqlSyncRecords, syncApplyFailed, syncForeignKey } from '../sql-ledger/syncs.js';
import { runOp, type LedgerOp } from '../sql-ledger/statements.js';
import { copyIn } from './copy-in.js';
import { encodeCopyRows, type FieldEncoder } from './copy-text.js';
import { pgColumnType } from './ddl.js';
import { safePgReason } from './errors.js';
import { pgExec } from './ledger-store.js';
import type { PgLineage } from './lineage.js';
import { copyQuarantine } from './quarantine.js';
import { ident, identList, qualified } from './quote.js';
import { mayHaveZone, utcTimestamp } from './timestamp.js';
import { lastPerKey, unnestUpsertSql, type UpsertSql } from './upsert.js';

/** Attempts of a unit that met a deadlock or a serialization failure: it is idempotent, so it simply runs again. */
const ATTEMPTS = 5;
const RETRY_CODES = new Set(['40P01', '40001']);
const PENDING_PAGE = 5000;

/** What the sync ledger borrows from its PgTarget: connections, per-table statements, lineage and quarantine writers. */
export interface PgSyncContext {
  schema: string;
  where: string;
  connect(): Promise<pg.PoolClient>;
  /** The table's COPY encoders and upsert statements, built once per definition (PgTarget.prepare). */
  table(def: TargetTableDef): { encoders: FieldEncoder[]; upsert: UpsertSql };
  lineage: PgLineage;
  quarantineCopy: string;
}

/** Rows up to which a table's upserts (and lineage) go as one `unnest` statement rather than by COPY: a COPY's setup costs more than a few rows. */
const SMALL_UPSERT = 200;

/** Per-table statements and value conversion for the typed array parameters, built once per definition. */
interface TableSql {
  /** DELETE by key: parameter k is the array of key column k's values. */
  delete: string;
  /** Converts a value of each key column into what its array parameter takes. */
  keyConvert: Array<(v: Value) => unknown>;
  /** Upsert of a few rows: parameter n is the array of column n's values. */
  upsert: string;
  convert: Array<(v: Value) => unknown>;
}

const asIs = (v: Value): unknown => v;
// Zoned timestamps are stored as UTC, as the COPY path writes them.
const asTimestamp = (v: Value): unknown => (typeof v === 'string' && mayHaveZone(v) ? utcTimestamp(v) : v);

/** Sync records and change application for one PostgreSQL schema. */
export class PgSyncLedger extends SqlSyncRecords implements SyncLedger {
  protected readonly shared: SqlSyncLedger;
  protected readonly where: string;
  protected readonly pendingPage = PENDING_PAGE;
  private readonly tables = new WeakMap<TargetTableDef, TableSql>();

  constructor(private readonly ctx: PgSyncContext) {
    super();
    this.shared = new SqlSyncLedger(postgresLedgerDialect((table) => qualified(ctx.schema, table)));
    this.where = ctx.where;
  }

  protected run<T>(op: LedgerOp<T>, transaction: boolean): Promise<T> {
    return this.withClient(async (c) => {
      if (!transaction) return runOp(op, pgExec(c));
      await c.query('BEGIN');
      try {
        const out = await runOp(op, pgExec(c));
        await c.query('COMMIT');
        return out;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  async applyChanges(unit: ChangeUnit): Promise<void> {
    this.checkKeys(unit);
    for (let attempt = 1; ; attempt++) {
      let c: pg.PoolClient;
      try {
        c = await this.ctx.connect();
      } catch (err) {
        if (err instanceof FerryError) throw err;
        throw syncApplyFailed(unit, this.ctx.where, safePgReason(err));
      }
      let broken: Error | undefined;
      try {
        await c.query('BEGIN');
        await this.apply(c, unit);
        await c.query('COMMIT');
        return;
      } catch (err) {
        await c.query('ROLLBACK').catch((e: Error) => (broken = e));
        if (err instanceof FerryError) throw err;
        const code = (err as { code?: string }).code;
        if (code !== undefined && RETRY_CODES.has(code) && attempt < ATTEMPTS) continue;
        if (code === '23503') {
          const fk = err as { table?: string; constraint?: string };
          throw syncForeignKey(unit, this.ctx.where, { table: fk.table, constraint: fk.constraint }, safePgReason(err, c));
        }
        throw syncApplyFailed(unit, this.ctx.where, safePgReason(err, c));
      } finally {
        c.release(broken);
      }
    }
  }

  /** The unit's statements, inside its transaction. */
  private async apply(c: pg.PoolClient, unit: ChangeUnit): Promise<void> {
    // Children before parents, so an enforced key never sees a child outlive its parent.
    for (let i = unit.tables.length - 1; i >= 0; i--) {
      const t = unit.tables[i];
      // DELETE, not TRUNCATE: TRUNCATE refuses a table other tables reference, even in one transaction.
      if (t.truncate) await c.query(`DELETE FROM ${qualified(this.ctx.schema, t.table.name)}`);
      if (t.deletes.length > 0) {
        const sql = this.sql(t.table);
        await c.query(
          sql.delete,
          sql.keyConvert.map((convert, k) => t.deletes.map((key) => convert(key[k]))),
        );
      }
    }
    const lineage = unit.tables.some((t) => t.lineage && t.lineage.rows.length > 0);
    const runNo = lineage ? await this.ctx.lineage.runNo(c, unit.runId) : 0;
    for (const t of unit.tables) {
      if (t.upserts.length > 0 && t.upserts.length <= SMALL_UPSERT) {
        const sql = this.sql(t.table);
        const rows = lastPerKey(t.table, t.upserts);
        await c.query(
          sql.upsert,
          sql.convert.map((convert, i) => rows.map((row) => convert(row[i]))),
        );
      } else if (t.upserts.length > 0) {
        const p = this.ctx.table(t.table);
        // The stage is dropped right after its merge: the next table of the unit stages under the same name.
        await c.query(p.upsert.createStage);
        await copyIn(c, p.upsert.copyStage, encodeCopyRows(lastPerKey(t.table, t.upserts), p.encoders));
        await c.query(`${p.upsert.merge}; DROP TABLE pg_temp."_ferry_stage"`);
      }
      if (t.lineage && t.lineage.rows.length > SMALL_UPSERT) await this.ctx.lineage.write(c, runNo, t.table.name, t.lineage);
      else if (t.lineage && t.lineage.rows.length > 0) await this.ctx.lineage.insert(c, runNo, t.table.name, t.lineage);
      await copyQuarantine(c, this.ctx.quarantineCopy, t.quarantine);
    }
    await runOp(this.shared.recordUnit(unit, this.ctx.where), pgExec(c));
  }

  private sql(def: TargetTableDef): TableSql {
    let sql = this.tables.get(def);
    if (!sql) {
      const keys = def.primaryKey.map((k) => def.columns.find((c) => c.name === k));
      if (keys.some((c) => c === undefined)) throw new FerryError('contract', 'sync.key_column_missing', `a primary-key column of table ${def.name} is not among its columns`);
      const arrays = keys.map((c, i) => `$${i + 1}::${pgColumnType(c!)}[]`);
      const target = qualified(this.ctx.schema, def.name);
      const convert = (c: TargetColumnDef) => (c.type === 'timestamp' ? asTimestamp : asIs);
      sql = {
        delete:
          keys.length === 1
            ? `DELETE FROM ${target} WHERE ${ident(def.primaryKey[0])} = ANY(${arrays[0]})`
            : `DELETE FROM ${target} WHERE (${identList(def.primaryKey)}) IN (SELECT * FROM unnest(${arrays.join(', ')}))`,
        keyConvert: keys.map((c) => convert(c!)),
        upsert: unnestUpsertSql(this.ctx.schema, def, pgColumnType),
        convert: def.columns.map(convert),
      };
      this.tables.set(def, sql);
    }
    return sql;
  }

  private async withClient<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.ctx.connect();
    try {
      return await fn(c);
    } catch (err) {
      if (err instanceof FerryError) throw err;
      throw new FerryError('run', 'target.query_failed', `a sync bookkeeping query on ${this.ctx.where} failed: ${safePgReason(err, c)}`);
    } finally {
      c.release();
    }
  }
}
