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
  Target,
  TargetTableDef,
  Value,
} from '../connector.js';
import type { SqliteConfig } from './config.js';
import { introspectSqlite } from './introspect.js';
import { upgradeSqliteLedger } from './ledger-store.js';
import { SqliteLineage } from './lineage.js';
import { SqliteUndo } from './undo.js';
import { createTableSql, insertSql, q } from './sql.js';

const QUARANTINE_PAGE = 1000;

interface RunRow {
  run_id: string;
  contract_digest: string;
  started_at: string;
  finished_at: string | null;
  status: RunRecord['status'];
}

interface CheckpointRow {
  run_id: string;
  table_name: string;
  row_offset: number;
  loaded: number;
  quarantined: number;
  excluded: number;
  done: number;
}

/** better-sqlite3 binds no booleans; everything else a Value can be is bound as is. */
function toDriver(v: Value): unknown {
  if (v === true) return 1;
  if (v === false) return 0;
  return v ?? null;
}

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

  private constructor(
    readonly displayUrl: string,
    private readonly config: SqliteConfig,
  ) {
    try {
      this.db = new Database(config.file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('foreign_keys = OFF');
      this.db.pragma(`busy_timeout = ${config.busyTimeout}`);
      this.lineageBook = new SqliteLineage(this.db);
      this.undoBook = new SqliteUndo(this.db, config.file);
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
      this.db.transaction(() => {
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
            throw new FerryError(
              'conflict',
              'sqlite.columns_missing',
              `target table ${def.name} exists without column(s) ${missing.join(', ')}; add them or drop the table so Ferry can create it`,
            );
          }
        }
      })(),
    );
  }

  async beginRun(run: RunRecord): Promise<void> {
    this.db.transaction(() => {
      const existing = this.runRow(run.runId);
      if (existing && existing.contract_digest !== run.contractDigest) {
        throw new FerryError(
          'conflict',
          'run.digest_mismatch',
          `run ${run.runId} was started with contract ${existing.contract_digest}, not ${run.contractDigest}; start a new run instead of resuming`,
        );
      }
      if (existing) this.db.prepare(`UPDATE _ferry_runs SET status = 'running', finished_at = NULL WHERE run_id = ?`).run(run.runId);
      else this.db.prepare('INSERT INTO _ferry_runs (run_id, contract_digest, started_at, finished_at, status) VALUES (?, ?, ?, NULL, ?)').run(run.runId, run.contractDigest, run.startedAt, 'running');
      this.lineageBook.register(run);
    })();
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const row = this.runRow(runId);
    if (!row) return undefined;
    const record: RunRecord = { runId, contractDigest: row.contract_digest, startedAt: row.started_at, status: row.status };
    if (row.finished_at) record.finishedAt = row.finished_at;
    return record;
  }

  async finishRun(runId: string, status: RunRecord['status']): Promise<void> {
    const { changes } = this.db.prepare('UPDATE _ferry_runs SET status = ?, finished_at = ? WHERE run_id = ?').run(status, new Date().toISOString(), runId);
    if (changes === 0) throw new FerryError('not_found', 'run.not_found', `run ${runId} is not recorded in ${this.displayUrl}; was it started against another target?`);
  }

  async startTable(table: TargetTableDef, mode: LoadMode, checkpoint: Checkpoint, options: { undo?: boolean } = {}): Promise<void> {
    this.guard(`start table ${table.name}`, () =>
      this.db.transaction(() => {
        if (mode === 'truncate' && options.undo) this.undoBook.wholeTable(this.lineageBook.runNo(checkpoint.runId), table);
        if (mode === 'truncate') this.db.exec(`DELETE FROM ${q(table.name)}`);
        this.saveCheckpoint(checkpoint);
      })(),
    );
  }

  async commit(unit: CommitUnit): Promise<void> {
    if (unit.mode === 'upsert' && unit.table.primaryKey.length === 0) {
      throw new FerryError('contract', 'sqlite.upsert_without_key', `table ${unit.table.name} has no primary key to upsert on; declare one or use \`load: append\``);
    }
    const insert = this.insertFor(unit.table, unit.mode === 'upsert');
    const width = unit.table.columns.length;
    this.guard(`commit a batch of table ${unit.table.name}`, () =>
      this.db.transaction(() => {
        const runNo = unit.undo || unit.lineage ? this.lineageBook.runNo(unit.runId) : 0;
        if (unit.undo) this.undoBook.capture(runNo, unit.table, unit.rows, unit.mode === 'upsert');
        if (unit.lineage) this.lineageBook.write(runNo, unit.table.name, unit.lineage);
        for (const row of unit.rows) {
          if (row.length !== width) throw new FerryError('internal', 'sqlite.row_width', `a row for table ${unit.table.name} has ${row.length} values but the table has ${width} columns`);
          insert.run(row.map(toDriver));
        }
        if (unit.quarantine.length) {
          const ins = this.db.prepare(
            'INSERT INTO _ferry_quarantine (run_id, source_table, source_key, target_table, rule, reason_code, message) VALUES (?, ?, ?, ?, ?, ?, ?)',
          );
          for (const r of unit.quarantine) ins.run(r.runId, r.sourceTable, r.sourceKey, r.targetTable, r.rule, r.reasonCode, r.message);
        }
        this.saveCheckpoint(unit.checkpoint);
      })(),
    );
  }

  async checkpoints(runId: string): Promise<Checkpoint[]> {
    const rows = this.db
      .prepare('SELECT run_id, table_name, row_offset, loaded, quarantined, excluded, done FROM _ferry_checkpoints WHERE run_id = ? ORDER BY table_name')
      .all(runId) as CheckpointRow[];
    return rows.map((r) => ({ runId, table: r.table_name, offset: r.row_offset, loaded: r.loaded, quarantined: r.quarantined, excluded: r.excluded, done: r.done === 1 }));
  }

  async *quarantine(runId: string): AsyncIterable<QuarantineRecord> {
    // Paged by id rather than one open iterator, so commits can run while a report reads.
    const page = this.db.prepare(
      'SELECT id, source_table, source_key, target_table, rule, reason_code, message FROM _ferry_quarantine WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?',
    );
    let after = 0;
    for (;;) {
      const rows = page.all(runId, after, QUARANTINE_PAGE) as Array<Record<string, string> & { id: number }>;
      for (const r of rows) {
        yield { runId, sourceTable: r.source_table, sourceKey: r.source_key, targetTable: r.target_table, rule: r.rule, reasonCode: r.reason_code, message: r.message };
      }
      if (rows.length < QUARANTINE_PAGE) return;
      after = rows[rows.length - 1].id;
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

  private runRow(runId: string): RunRow | undefined {
    return this.db.prepare('SELECT run_id, contract_digest, started_at, finished_at, status FROM _ferry_runs WHERE run_id = ?').get(runId) as RunRow | undefined;
  }

  private saveCheckpoint(c: Checkpoint): void {
    this.db
      .prepare(
        `INSERT INTO _ferry_checkpoints (run_id, table_name, row_offset, loaded, quarantined, excluded, done, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, table_name) DO UPDATE SET row_offset = excluded.row_offset, loaded = excluded.loaded,
           quarantined = excluded.quarantined, excluded = excluded.excluded, done = excluded.done, updated_at = excluded.updated_at`,
      )
      .run(c.runId, c.table, c.offset, c.loaded, c.quarantined, c.excluded, c.done ? 1 : 0, new Date().toISOString());
  }

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
