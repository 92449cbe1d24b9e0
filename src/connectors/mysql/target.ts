/**
 * MySQL/MariaDB target. Every batch commits its rows, its quarantine records and its
 * checkpoint in one InnoDB transaction, so a run killed at any instant resumes from the last
 * checkpoint with neither duplicates nor gaps.
 */
import mysql from 'mysql2';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { FerryError, issue } from '../../errors.js';
import type {
  Checkpoint,
  CommitUnit,
  LineageEntry,
  LineageQuery,
  LoadMode,
  QuarantineRecord,
  RollbackOptions,
  RollbackTableResult,
  RunRecord,
  SchemaInfo,
  SyncLedger,
  Target,
  TargetTableDef,
} from '../connector.js';
import { checkLedgerHistory, upgradeLedger } from '../ledger/versioning.js';
import { MYSQL_LEDGER_DIALECT } from '../sql-ledger/dialect.js';
import { SqlRunLedger } from '../sql-ledger/runs.js';
import { runOp } from '../sql-ledger/statements.js';
import { addQuarantine } from './quarantine.js';
import type { MysqlConfig } from './config.js';
import { createTableSql, foreignKeySql } from './ddl.js';
import { connectionError, safeMysqlReason } from './errors.js';
import { insertShape, insertStatements, type InsertShape } from './insert.js';
import { introspectDatabase } from './introspect.js';
import { mysqlExec, mysqlLedgerStore, readMysqlLedgerHistory, withLedgerLock } from './ledger-store.js';
import { MysqlLineage } from './lineage.js';
import { MysqlSyncLedger } from './sync.js';
import { MysqlUndo } from './undo.js';
import { ident } from './quote.js';
import { SESSION_SQL } from './session.js';

/** Largest statement Ferry sends even when the server allows more: bigger buys nothing but latency. */
const STATEMENT_CAP = 8 * 1024 * 1024;

/** A MySQL/MariaDB target writing into one database. */
export class MysqlTarget implements Target {
  readonly kind = 'mysql';
  readonly displayUrl: string;
  private readonly shapes = new WeakMap<TargetTableDef, { append: InsertShape; upsert: InsertShape }>();
  private readonly ledger = new SqlRunLedger(MYSQL_LEDGER_DIALECT);
  private readonly lineageBook = new MysqlLineage();
  private readonly undoBook: MysqlUndo;
  readonly sync: SyncLedger;

  private constructor(
    private readonly cfg: MysqlConfig,
    private readonly pool: Pool,
    /** Statement size budget derived from the server's max_allowed_packet. */
    private readonly maxStatement: number,
  ) {
    this.displayUrl = cfg.display;
    this.undoBook = new MysqlUndo(cfg.where, maxStatement);
    this.sync = new MysqlSyncLedger({
      where: cfg.where,
      maxStatement,
      connect: () => this.connect(),
      upsertShape: (def) => this.shape(def).upsert,
      lineage: this.lineageBook,
    });
  }

  /** Opens a pool, checks the server is reachable and reads its packet limit. */
  static async open(cfg: MysqlConfig): Promise<MysqlTarget> {
    const core = mysql.createPool({ ...cfg.connection, connectionLimit: 8, waitForConnections: true });
    core.on('connection', (conn) => {
      // A connection that dies while idle emits 'error'; unhandled it would crash the run.
      conn.on('error', () => {});
      // Queued ahead of any statement on the new connection; if it fails the connection is
      // dropped, so nothing ever runs without strict mode and UTC.
      conn.query(SESSION_SQL, (err) => {
        if (err) conn.destroy();
      });
    });
    const pool = core.promise();
    let c: PoolConnection;
    try {
      c = await pool.getConnection();
    } catch (err) {
      await pool.end().catch(() => {});
      throw connectionError(cfg.where, cfg.connection.user, err);
    }
    try {
      const [rows] = await c.query<RowDataPacket[]>('SELECT @@max_allowed_packet AS m');
      // Leave headroom for the protocol header and for the server's own accounting.
      const max = Math.min(Math.floor(Number(rows[0].m) * 0.9) - 1024, STATEMENT_CAP);
      return new MysqlTarget(cfg, pool, max);
    } finally {
      c.release();
    }
  }

  async introspect(): Promise<SchemaInfo> {
    return this.withConnection((c) => introspectDatabase(async (sql, values) => (await c.query({ sql, values, rowsAsArray: true }))[0] as unknown[][], this.cfg.database));
  }

  async ensureSchema(tables: TargetTableDef[], options: { create: boolean }): Promise<void> {
    const existing = await this.introspect();
    const byName = new Map(existing.tables.map((t) => [t.name, t]));
    const problems = [];
    for (const t of tables) {
      const live = byName.get(t.name);
      if (!live) {
        if (!options.create)
          problems.push(issue('target.table_missing', `target.tables.${t.name}`, `table ${t.name} does not exist in ${this.cfg.where}; create it or let Ferry create it (create option)`));
        continue;
      }
      const cols = new Set(live.columns.map((c) => c.name.toLowerCase()));
      for (const c of t.columns) {
        if (!cols.has(c.name.toLowerCase()))
          problems.push(
            issue('target.column_missing', `target.tables.${t.name}.columns.${c.name}`, `column ${t.name}.${c.name} is in the contract but not in the target table; add it or fix the target schema`),
          );
      }
    }
    if (problems.length) {
      throw new FerryError(
        'drift',
        'target.schema_mismatch',
        `the target ${this.cfg.where} does not match the contract's target schema (${problems.length} problem(s)): ${problems.map((p) => p.message).join('; ')}`,
        problems,
      );
    }
    // MySQL DDL commits implicitly, so there is no transaction to wrap this in; IF NOT EXISTS
    // makes a rerun after a partial failure finish the job.
    await this.withConnection(async (c) => {
      await withLedgerLock(c, this.cfg.where, () => upgradeLedger(mysqlLedgerStore(c), this.cfg.where));
      const created = tables.filter((t) => !byName.has(t.name));
      for (const t of created) await c.query(createTableSql(t));
      // Constraints once every table exists: contract order need not be parents first.
      for (const t of created) for (const sql of foreignKeySql(t)) await c.query(sql);
    });
  }

  async beginRun(run: RunRecord): Promise<void> {
    const outcome = await this.transaction(`recording run ${run.runId}`, async (c) => {
      const o = await runOp(this.ledger.beginRun(run), mysqlExec(c));
      if (o !== 'digest_mismatch') await this.lineageBook.register(c, run);
      return o;
    });
    if (outcome === 'digest_mismatch') {
      throw new FerryError(
        'conflict',
        'target.run_digest_mismatch',
        `run ${run.runId} was started in ${this.cfg.where} with a different contract digest; resume it with the contract version it started with, or start a new run`,
      );
    }
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return this.withConnection((c) => runOp(this.ledger.getRun(runId), mysqlExec(c)));
  }

  async finishRun(runId: string, status: RunRecord['status'], report?: string): Promise<void> {
    const found = await this.withConnection((c) => runOp(this.ledger.finishRun(runId, status, report), mysqlExec(c)));
    if (!found) throw new FerryError('not_found', 'target.run_missing', `run ${runId} is not recorded in ${this.cfg.where}; was it started against another target?`);
  }

  async startTable(table: TargetTableDef, mode: LoadMode, checkpoint: Checkpoint, options: { undo?: boolean } = {}): Promise<void> {
    await this.transaction(`starting table ${table.name}`, async (c) => {
      if (mode === 'truncate' && options.undo) await this.undoBook.wholeTable(c, await this.lineageBook.runNo(c, checkpoint.runId), table);
      // Not TRUNCATE: it is DDL, commits implicitly and cannot roll back, which would break
      // the promise that the emptying and the zero checkpoint happen together or not at all.
      if (mode === 'truncate') await c.query(`DELETE FROM ${ident(table.name)}`);
      await runOp(this.ledger.saveCheckpoint(checkpoint), mysqlExec(c));
    });
  }

  async commit(unit: CommitUnit): Promise<void> {
    const shape = this.shape(unit.table)[unit.mode === 'upsert' ? 'upsert' : 'append'];
    await this.transaction(`committing ${unit.rows.length} row(s) to ${unit.table.name}`, async (c) => {
      const runNo = unit.undo || unit.lineage ? await this.lineageBook.runNo(c, unit.runId) : 0;
      if (unit.undo) await this.undoBook.capture(c, runNo, unit.table, unit.rows, unit.mode === 'upsert');
      for (const sql of insertStatements(shape, unit.rows, this.maxStatement)) await c.query(sql);
      if (unit.lineage) await this.lineageBook.write(c, runNo, unit.table.name, unit.lineage, this.maxStatement);
      await addQuarantine(c, unit.quarantine, this.maxStatement);
      await runOp(this.ledger.saveCheckpoint(unit.checkpoint), mysqlExec(c));
    });
  }

  async checkpoints(runId: string): Promise<Checkpoint[]> {
    return this.withConnection((c) => runOp(this.ledger.checkpoints(runId), mysqlExec(c)));
  }

  async *quarantine(runId: string): AsyncIterable<QuarantineRecord> {
    // Keyset pages keep memory flat however many rows a run quarantined.
    let after = '0';
    for (;;) {
      const page = await this.withConnection((c) => runOp(this.ledger.quarantinePage(runId, after, 5000), mysqlExec(c)));
      yield* page.records;
      if (page.records.length < 5000) return;
      after = page.last;
    }
  }

  async lineage(query: LineageQuery): Promise<LineageEntry[]> {
    return this.withConnection(async (c) => {
      checkLedgerHistory(await readMysqlLedgerHistory(c), 'mysql', this.cfg.where);
      return this.lineageBook.query(c, query);
    });
  }

  async rollback(runId: string, options: RollbackOptions = {}): Promise<RollbackTableResult[]> {
    await this.withConnection(async (c) => checkLedgerHistory(await readMysqlLedgerHistory(c), 'mysql', this.cfg.where));
    // MySQL checks foreign keys row by row and cannot defer them: a rollback restores the state
    // before the run as a whole, so its tables are undone with the checks off, in any order.
    const undo = async (c: PoolConnection): Promise<RollbackTableResult[]> => {
      await c.query('SET FOREIGN_KEY_CHECKS = 0');
      try {
        return await this.undoBook.rollback(c, runId, options);
      } finally {
        await c.query('SET FOREIGN_KEY_CHECKS = 1');
      }
    };
    if (!options.check) return this.transaction(`rolling back run ${runId}`, undo);
    // A check leaves no trace: its transaction is rolled back, never committed.
    return this.withConnection(async (c) => {
      await c.beginTransaction();
      try {
        return await undo(c);
      } finally {
        await c.rollback();
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private shape(t: TargetTableDef): { append: InsertShape; upsert: InsertShape } {
    let s = this.shapes.get(t);
    if (!s) this.shapes.set(t, (s = { append: insertShape(t, false), upsert: insertShape(t, true) }));
    return s;
  }

  private async connect(): Promise<PoolConnection> {
    try {
      return await this.pool.getConnection();
    } catch (err) {
      throw connectionError(this.cfg.where, this.cfg.connection.user, err);
    }
  }

  private async withConnection<T>(fn: (c: PoolConnection) => Promise<T>): Promise<T> {
    const c = await this.connect();
    try {
      return await fn(c);
    } catch (err) {
      if (err instanceof FerryError) throw err;
      throw new FerryError('run', 'target.query_failed', `a query on ${this.cfg.where} failed: ${safeMysqlReason(err)}`);
    } finally {
      c.release();
    }
  }

  /** Runs `fn` in one transaction; on any failure rolls back so nothing of the unit is written. */
  private async transaction<T>(what: string, fn: (c: PoolConnection) => Promise<T>): Promise<T> {
    const c = await this.connect();
    let healthy = true;
    try {
      await c.beginTransaction();
      const out = await fn(c);
      await c.commit();
      return out;
    } catch (err) {
      await c.rollback().catch(() => (healthy = false));
      if (err instanceof FerryError) throw err;
      throw new FerryError('run', 'target.commit_failed', `${what} on ${this.cfg.where} failed and was rolled back, so nothing of it was written: ${safeMysqlReason(err)}`);
    } finally {
      if (healthy) c.release();
      else c.destroy();
    }
  }
}
