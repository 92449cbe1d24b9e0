/**
 * A SQLite database as a Target. Rows, quarantine records and the checkpoint of a unit are
 * written in one transaction, so a kill -9 leaves either all of a batch or none of it and a
 * resumed run neither duplicates nor skips rows. WAL mode lets sources and reports read while
 * a load is writing.
 *
 * Foreign keys are declared but not enforced (better-sqlite3 turns enforcement on by default):
 * enforcement would fail a whole batch over one orphan and forbid truncating a parent before
 * its children, whereas Ferry measures orphans as a referential-integrity KPI and quarantines
 * them by key, as bulk loaders usually do.
 */
import Database from 'better-sqlite3';
import { FerryError } from '../../errors.js';
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
import type { SqliteConfig } from './config.js';
import { introspectSqlite } from './introspect.js';
import { SQLITE_LEDGER_DIALECT } from '../sql-ledger/dialect.js';
import { SqlRunLedger } from '../sql-ledger/runs.js';
import { runOpSync, type Stmt, type StmtResult } from '../sql-ledger/statements.js';
import { sqliteExec, upgradeSqliteLedger } from './ledger-store.js';
import { SqliteLineage } from './lineage.js';
import { SqliteUndo } from './undo.js';
import { addQuarantine } from './quarantine.js';
import { createTableSql, insertSql, q, toDriver } from './sql.js';
import { SqliteSyncLedger } from './sync.js';

const QUARANTINE_PAGE = 1000;

function openFailed(file: string, err: unknown): FerryError {
  return new FerryError('connection', 'sqlite.open_failed', `cannot open SQLite database ${file} for writing (${(err as Error).message}); check the path and its permissions`, [], { cause: err });
}

/** A `sqlite:FILE` target; open through `openTarget` in index.ts. */
export class SqliteTarget implements Target {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly inserts = new Map<string, Database.Statement>();
  private readonly lineageBook: SqliteLineage;
  private readonly undoBook: SqliteUndo;
  private readonly ledger = new SqlRunLedger(SQLITE_LEDGER_DIALECT);
  private readonly exec: (s: Stmt) => StmtResult;
  readonly sync: SyncLedger;

  private constructor(
    readonly displayUrl: string,
    private readonly config: SqliteConfig,
  ) {
    try {
      this.db = new Database(config.file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('foreign_keys = OFF');
      this.db.pragma(`busy_timeout = ${config.busyTimeout}`);
      this.exec = sqliteExec(this.db);
      this.lineageBook = new SqliteLineage(this.db, this.exec);
      this.undoBook = new SqliteUndo(this.db, config.file, this.exec);
      this.sync = new SqliteSyncLedger({ db: this.db, exec: this.exec, where: config.file, upsert: (def) => this.insertFor(def, true), lineage: this.lineageBook });
    } catch (err) {
      throw openFailed(config.file, err);
    }
  }

  /**
   * Opens (creating if needed) the database and brings Ferry's ledger to this version, so
   * checkpoints() and getRun() work before ensureSchema and a ledger from a newer Ferry is refused at once.
   */
  static async open(displayUrl: string, config: SqliteConfig): Promise<SqliteTarget> {
    const target = new SqliteTarget(displayUrl, config);
    try {
      await upgradeSqliteLedger(target.db, config.file);
    } catch (err) {
      target.db.close();
      if (err instanceof FerryError) throw err;
      throw openFailed(config.file, err);
    }
    return target;
  }

  async introspect(): Promise<SchemaInfo> {
    return introspectSqlite(this.db);
  }

  async ensureSchema(tables: TargetTableDef[], options: { create: boolean }): Promise<void> {
    this.guard('prepare the schema', () =>
      this.db
        .transaction(() => {
          for (const def of tables) {
            const existing = (this.db.prepare('SELECT name FROM pragma_table_info(?)').all(def.name) as Array<{ name: string }>).map((r) => r.name);
            if (existing.length === 0) {
              if (!options.create) {
                throw new FerryError('not_found', 'sqlite.table_missing', `target table ${def.name} does not exist in ${this.config.file}; create it or let Ferry create target tables`);
              }
              this.db.exec(createTableSql(def));
              continue;
            }
            const missing = def.columns.map((c) => c.name).filter((c) => !existing.includes(c));
            if (missing.length) {
              throw new FerryError('conflict', 'sqlite.columns_missing', `target table ${def.name} exists without column(s) ${missing.join(', ')}; add them or drop the table so Ferry can create it`);
            }
          }
        })
        .immediate(),
    );
  }

  async beginRun(run: RunRecord): Promise<void> {
    // Every writing transaction begins IMMEDIATE: a deferred one that reads first cannot wait for
    // a writer that committed meanwhile (WAL answers SQLITE_BUSY at once, whatever busy_timeout
    // says), which is what another process opening the same file (its ledger check) can cause.
    this.db
      .transaction(() => {
        if (runOpSync(this.ledger.beginRun(run), this.exec) === 'digest_mismatch') {
          throw new FerryError('conflict', 'run.digest_mismatch', `run ${run.runId} was started with another contract than ${run.contractDigest}; start a new run instead of resuming`);
        }
        this.lineageBook.register(run);
      })
      .immediate();
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return runOpSync(this.ledger.getRun(runId), this.exec);
  }

  async finishRun(runId: string, status: RunRecord['status'], report?: string): Promise<void> {
    if (!runOpSync(this.ledger.finishRun(runId, status, report), this.exec))
      throw new FerryError('not_found', 'run.not_found', `run ${runId} is not recorded in ${this.displayUrl}; was it started against another target?`);
  }

  async startTable(table: TargetTableDef, mode: LoadMode, checkpoint: Checkpoint, options: { undo?: boolean } = {}): Promise<void> {
    this.guard(`start table ${table.name}`, () =>
      this.db
        .transaction(() => {
          if (mode === 'truncate' && options.undo) this.undoBook.wholeTable(this.lineageBook.runNo(checkpoint.runId), table);
          if (mode === 'truncate') this.db.exec(`DELETE FROM ${q(table.name)}`);
          runOpSync(this.ledger.saveCheckpoint(checkpoint), this.exec);
        })
        .immediate(),
    );
  }

  async commit(unit: CommitUnit): Promise<void> {
    if (unit.mode === 'upsert' && unit.table.primaryKey.length === 0) {
      throw new FerryError('contract', 'sqlite.upsert_without_key', `table ${unit.table.name} has no primary key to upsert on; declare one or use \`load: append\``);
    }
    const insert = this.insertFor(unit.table, unit.mode === 'upsert');
    const width = unit.table.columns.length;
    this.guard(`commit a batch of table ${unit.table.name}`, () =>
      this.db
        .transaction(() => {
          const runNo = unit.undo || unit.lineage ? this.lineageBook.runNo(unit.runId) : 0;
          if (unit.undo) this.undoBook.capture(runNo, unit.table, unit.rows, unit.mode === 'upsert');
          if (unit.lineage) this.lineageBook.write(runNo, unit.table.name, unit.lineage);
          for (const row of unit.rows) {
            if (row.length !== width) throw new FerryError('internal', 'sqlite.row_width', `a row for table ${unit.table.name} has ${row.length} values but the table has ${width} columns`);
            insert.run(row.map(toDriver));
          }
          addQuarantine(this.db, unit.quarantine);
          runOpSync(this.ledger.saveCheckpoint(unit.checkpoint), this.exec);
        })
        .immediate(),
    );
  }

  async checkpoints(runId: string): Promise<Checkpoint[]> {
    return runOpSync(this.ledger.checkpoints(runId), this.exec);
  }

  async *quarantine(runId: string): AsyncIterable<QuarantineRecord> {
    // Paged by id rather than one open iterator, so commits can run while a report reads.
    let after = '0';
    for (;;) {
      const page = runOpSync(this.ledger.quarantinePage(runId, after, QUARANTINE_PAGE), this.exec);
      yield* page.records;
      if (page.records.length < QUARANTINE_PAGE) return;
      after = page.last;
    }
  }

  async lineage(query: LineageQuery): Promise<LineageEntry[]> {
    return this.guard('look up lineage', () => this.lineageBook.query(query));
  }

  async rollback(runId: string, options: RollbackOptions = {}): Promise<RollbackTableResult[]> {
    return this.guard(`roll back run ${runId}`, () => this.undoBook.rollback(runId, options));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  // -------------------------------------------------------------------------------------------

  private insertFor(def: TargetTableDef, upsert: boolean): Database.Statement {
    const sql = insertSql(def, upsert);
    let stmt = this.inserts.get(sql);
    if (!stmt) {
      stmt = this.guard(`prepare writes to table ${def.name}`, () => this.db.prepare(sql));
      this.inserts.set(sql, stmt);
    }
    return stmt;
  }

  /**
   * Runs `fn`, turning driver errors into FerryErrors. SQLite's messages name constraints,
   * tables and columns (`NOT NULL constraint failed: patient.nhs_number`), never values.
   */
  private guard<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof FerryError) throw err;
      if (err instanceof Database.SqliteError) {
        throw new FerryError('run', `sqlite.${err.code.toLowerCase()}`, `could not ${what} in ${this.config.file}: ${err.message}; nothing from this step was written`, [], { cause: err });
      }
      throw err;
    }
  }
}
