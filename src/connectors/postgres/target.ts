/**
 * PostgreSQL target. Every batch commits its rows, its quarantine records and its checkpoint in
 * one transaction, so a run killed at any instant resumes from the last checkpoint with neither
 * duplicates nor gaps. Rows travel by COPY; upserts stage through a temporary table.
 */
import pg from 'pg';
import { FerryError, issue } from '../../errors.js';
import type {
  BatchEncoder,
  BatchEncoderOptions,
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
  TargetColumnDef,
  TargetTableDef,
  Value,
} from '../connector.js';
import { checkLedgerHistory, upgradeLedger } from '../ledger/versioning.js';
import { postgresLedgerDialect } from '../sql-ledger/dialect.js';
import { SqlRunLedger, type BeginOutcome } from '../sql-ledger/runs.js';
import { runOp } from '../sql-ledger/statements.js';
import { undoKeyRenderer } from '../undo/undo-key.js';
import type { PgConfig } from './config.js';
import { copyIn } from './copy-in.js';
import { encodeConformedValue, encodeCopyRows, encodeCopyValue, escapeCopyText, type FieldEncoder } from './copy-text.js';
import { createTableSql, foreignKeySql } from './ddl.js';
import { connectionError, isUniqueViolation, keepFirstError, safePgReason } from './errors.js';
import { introspectSchema } from './introspect.js';
import { LineageLines, PgLineage } from './lineage.js';
import { lockLedger, pgExec, pgLedgerStore, readPgLedgerHistory } from './ledger-store.js';
import { copyQuarantine, quarantineCopySql } from './quarantine.js';
import { PgBatchEncoder, PgEncodedBatch } from './batch-encoder.js';
import { PgSyncLedger } from './sync.js';
import { PgUndo } from './undo.js';
import { ident, identList, qualified } from './quote.js';
import { sessionConfig } from './session.js';
import { mayHaveZone, utcTimestamp } from './timestamp.js';
import { lastPerKey, upsertSql, type UpsertSql } from './upsert.js';

/**
 * Batches commit without waiting for their WAL flush (an fsync per batch cost about a fifth of
 * load time). That is safe for resumability: commits stay atomic and ordered, so a server
 * crash can only lose the latest batches together with their checkpoints, and a resume loads
 * them again: no gaps, no duplicates. Run and table starts still commit durably.
 */
const BEGIN_BATCH = 'BEGIN; SET LOCAL synchronous_commit = off';

// PostgreSQL accepts 'T' or ' ' between date and time, so only zoned values need rewriting.
const timestampEncoder: FieldEncoder = (v) => (typeof v === 'string' ? escapeCopyText(mayHaveZone(v) ? utcTimestamp(v) : v) : encodeCopyValue(v));

// For values known to hold no character COPY escapes (BatchEncoder.row's `clean`).
const cleanTextEncoder: FieldEncoder = (v) => (typeof v === 'string' ? v : encodeCopyValue(v));
const cleanTimestampEncoder: FieldEncoder = (v) => (typeof v === 'string' ? (mayHaveZone(v) ? utcTimestamp(v) : v) : encodeCopyValue(v));

/** The COPY encoder of a column for rows known to be clean: the same as fieldEncoder without the escape scan. */
function cleanFieldEncoder(c: TargetColumnDef): FieldEncoder {
  if (c.type === 'text') return cleanTextEncoder;
  return c.type === 'timestamp' ? cleanTimestampEncoder : fieldEncoder(c);
}

/** The COPY encoder of a column; rows reach the target conformed to their columns' types (src/engine/conform.ts). */
function fieldEncoder(c: TargetColumnDef): FieldEncoder {
  switch (c.type) {
    case 'timestamp':
      return timestampEncoder;
    case 'integer':
    case 'decimal':
    case 'date':
    case 'boolean':
      return encodeConformedValue;
    default:
      return encodeCopyValue;
  }
}

/** Per-table statements and encoders, built once per table definition. */
interface Prepared {
  copy: string;
  encoders: FieldEncoder[];
  /** Encoders for rows known to hold no character COPY escapes. */
  cleanEncoders: FieldEncoder[];
  upsert: UpsertSql;
  truncate: string;
  /** Renders a row's undo key; undefined for a table without a primary key. */
  undoKey?: (row: readonly Value[]) => string;
  /** Set after the first key conflict: later batches go straight to the staged upsert. */
  conflicts: boolean;
}

/** A PostgreSQL target writing into one schema. */
export class PgTarget implements Target {
  readonly kind = 'postgres';
  readonly displayUrl: string;
  private readonly ledger: SqlRunLedger;
  private readonly quarantineCopy: string;
  private readonly lineageBook: PgLineage;
  private readonly undoBook: PgUndo;
  readonly sync: SyncLedger;
  /** Keyed by table name and column list, so the conflict flag survives re-built definitions. */
  private readonly prepared = new Map<string, Prepared>();

  private constructor(
    private readonly cfg: PgConfig,
    private readonly pool: pg.Pool,
  ) {
    this.displayUrl = cfg.display;
    this.ledger = new SqlRunLedger(postgresLedgerDialect((table) => qualified(cfg.schema, table)));
    this.quarantineCopy = quarantineCopySql(cfg.schema);
    this.lineageBook = new PgLineage(cfg.schema);
    this.undoBook = new PgUndo(cfg.schema);
    this.sync = new PgSyncLedger({
      schema: cfg.schema,
      where: cfg.where,
      connect: () => this.connect(),
      table: (def) => this.prepare(def),
      lineage: this.lineageBook,
      quarantineCopy: this.quarantineCopy,
    });
  }

  /** Opens a connection pool and checks the server is reachable. */
  static async open(cfg: PgConfig): Promise<PgTarget> {
    const pool = new pg.Pool({ ...sessionConfig(cfg), max: 8, idleTimeoutMillis: 10_000 });
    // Idle clients that lose their connection emit on the pool (which then discards them), checked-out
    // ones on themselves; unhandled, either would crash the run. A checked-out client keeps its first
    // error, which the failing query reports as its cause.
    pool.on('error', () => {});
    pool.on('connect', (client) => keepFirstError(client));
    const target = new PgTarget(cfg, pool);
    const client = await target.connect();
    client.release();
    return target;
  }

  async introspect(): Promise<SchemaInfo> {
    return this.withClient((c) => introspectSchema(c, this.cfg.schema));
  }

  async ensureSchema(tables: TargetTableDef[], options: { create: boolean }): Promise<void> {
    const existing = await this.introspect();
    const byName = new Map(existing.tables.map((t) => [t.name, t]));
    const problems = [];
    for (const t of tables) {
      const live = byName.get(t.name);
      if (!live) {
        if (!options.create)
          problems.push(
            issue(
              'target.table_missing',
              `target.tables.${t.name}`,
              `table ${t.name} does not exist in schema "${this.cfg.schema}" of ${this.cfg.where}; create it or let Ferry create it (create option)`,
            ),
          );
        continue;
      }
      const cols = new Set(live.columns.map((c) => c.name));
      for (const c of t.columns) {
        if (!cols.has(c.name))
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
    await this.transaction(`creating the target schema "${this.cfg.schema}"`, async (c) => {
      const ns = await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [this.cfg.schema]);
      if (ns.rowCount === 0) await c.query(`CREATE SCHEMA IF NOT EXISTS ${ident(this.cfg.schema)}`);
      await lockLedger(c, this.cfg.schema);
      await upgradeLedger(pgLedgerStore(c, this.cfg.schema), this.cfg.where);
      const created = tables.filter((t) => !byName.has(t.name));
      for (const t of created) await c.query(createTableSql(this.cfg.schema, t));
      // Constraints once every table exists: contract order need not be parents first.
      for (const t of created) for (const sql of foreignKeySql(this.cfg.schema, t)) await c.query(sql);
    });
  }

  async beginRun(run: RunRecord): Promise<void> {
    let outcome = 'started' as BeginOutcome;
    await this.transaction(`recording run ${run.runId}`, async (c) => {
      outcome = await runOp(this.ledger.beginRun(run), pgExec(c));
      if (outcome !== 'digest_mismatch') await this.lineageBook.register(c, run);
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
    return this.withClient((c) => runOp(this.ledger.getRun(runId), pgExec(c)));
  }

  async finishRun(runId: string, status: RunRecord['status'], report?: string): Promise<void> {
    const found = await this.withClient((c) => runOp(this.ledger.finishRun(runId, status, report), pgExec(c)));
    if (!found) throw new FerryError('not_found', 'target.run_missing', `run ${runId} is not recorded in ${this.cfg.where}; was it started against another target?`);
  }

  async startTable(table: TargetTableDef, mode: LoadMode, checkpoint: Checkpoint, options: { undo?: boolean } = {}): Promise<void> {
    await this.transaction(`starting table ${table.name}`, async (c) => {
      if (mode === 'truncate' && options.undo && table.primaryKey.length > 0) {
        await this.undoBook.wholeTable(c, await this.lineageBook.runNo(c, checkpoint.runId), table.name, table.primaryKey);
      }
      if (mode === 'truncate') await c.query(this.prepare(table).truncate);
      await runOp(this.ledger.saveCheckpoint(checkpoint), pgExec(c));
    });
  }

  async batchEncoder(o: BatchEncoderOptions): Promise<BatchEncoder | undefined> {
    // A truncate-mode undo log must not record a key twice (ON CONFLICT), which a plain COPY cannot do.
    if (o.mode === 'upsert' || (o.mode === 'truncate' && o.undo)) return undefined;
    const p = this.prepare(o.table);
    const runNo = o.undo || o.lineage ? await this.withClient((c) => this.lineageBook.runNo(c, o.runId)) : 0;
    return new PgBatchEncoder({
      def: o.table,
      encoders: p.encoders,
      cleanEncoders: p.cleanEncoders,
      undo: o.undo && p.undoKey ? { runNo, key: p.undoKey } : undefined,
      lineage: o.lineage ? new LineageLines(runNo, o.sourceTable, o.table.name) : undefined,
    });
  }

  async commit(unit: CommitUnit): Promise<void> {
    const p = this.prepare(unit.table);
    const encoded = unit.encoded;
    if (encoded && !(encoded instanceof PgEncodedBatch)) throw new FerryError('internal', 'target.foreign_batch', 'a batch encoded for another target was committed to PostgreSQL');
    await this.transaction(
      `committing ${encoded?.rows ?? unit.rows.length} row(s) to ${unit.table.name}`,
      async (c) => {
        if (encoded) {
          if (encoded.data.length > 0) await copyIn(c, p.copy, encoded.data);
          if (encoded.undoKeys.length > 0) await this.undoBook.copyInserted(c, encoded.undoKeys);
          if (encoded.undoRanges.length > 0) await this.undoBook.copyInsertedRanges(c, encoded.undoRanges);
          if (encoded.lineage.length > 0) await this.lineageBook.copy(c, encoded.lineage);
          if (encoded.lineageRanges.length > 0) await this.lineageBook.copyRanges(c, encoded.lineageRanges);
          await copyQuarantine(c, this.quarantineCopy, unit.quarantine);
          await runOp(this.ledger.saveCheckpoint(unit.checkpoint), pgExec(c));
          return;
        }
        const runNo = unit.undo || unit.lineage ? await this.lineageBook.runNo(c, unit.runId) : 0;
        const undo = unit.undo && p.undoKey ? { runNo, key: p.undoKey } : undefined;
        if (unit.rows.length > 0) {
          if (unit.mode === 'upsert' && unit.table.primaryKey.length > 0) await this.upsert(c, p, unit, undo);
          else {
            await copyIn(c, p.copy, encodeCopyRows(unit.rows, p.encoders));
            if (undo && unit.mode === 'truncate') await this.undoBook.reinserted(c, runNo, unit.table.name, unit.rows.map(undo.key));
            else if (undo) await this.undoBook.inserted(c, runNo, unit.table.name, unit.rows.map(undo.key));
          }
        }
        if (unit.lineage) await this.lineageBook.write(c, runNo, unit.table.name, unit.lineage);
        await copyQuarantine(c, this.quarantineCopy, unit.quarantine);
        await runOp(this.ledger.saveCheckpoint(unit.checkpoint), pgExec(c));
      },
      false,
    );
  }

  async checkpoints(runId: string): Promise<Checkpoint[]> {
    return this.withClient((c) => runOp(this.ledger.checkpoints(runId), pgExec(c)));
  }

  async *quarantine(runId: string): AsyncIterable<QuarantineRecord> {
    // Keyset pages keep memory flat however many rows a run quarantined.
    let after = '0';
    for (;;) {
      const page = await this.withClient((c) => runOp(this.ledger.quarantinePage(runId, after, 5000), pgExec(c)));
      yield* page.records;
      if (page.records.length < 5000) return;
      after = page.last;
    }
  }

  async lineage(query: LineageQuery): Promise<LineageEntry[]> {
    return this.withClient(async (c) => {
      checkLedgerHistory(await readPgLedgerHistory(c, this.cfg.schema), 'postgres', this.cfg.where);
      return this.lineageBook.query(c, query);
    });
  }

  async rollback(runId: string, options: RollbackOptions = {}): Promise<RollbackTableResult[]> {
    return this.withClient(async (c) => {
      checkLedgerHistory(await readPgLedgerHistory(c, this.cfg.schema), 'postgres', this.cfg.where);
      await c.query('BEGIN');
      try {
        const results = await this.undoBook.rollback(c, runId, options);
        // A check leaves no trace: the transaction is abandoned instead of committed.
        await c.query(options.check ? 'ROLLBACK' : 'COMMIT');
        return results;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /**
   * Most upsert batches land on keys that are not there yet (a first load), where a plain COPY
   * is several times cheaper than staging and merging. So the batch is copied straight in
   * under a savepoint; on a key conflict it rolls back to the savepoint and takes the staged
   * merge, and the table stays on the merge path for the rest of the run.
   */
  private async upsert(c: pg.PoolClient, p: Prepared, unit: CommitUnit, undo: { runNo: number; key: (row: readonly Value[]) => string } | undefined): Promise<void> {
    if (!p.conflicts) {
      await c.query('SAVEPOINT ferry_copy');
      try {
        await copyIn(c, p.copy, encodeCopyRows(unit.rows, p.encoders));
        await c.query('RELEASE SAVEPOINT ferry_copy');
        // The plain COPY succeeded, so every key was new: nothing to remember but the keys.
        if (undo) await this.undoBook.inserted(c, undo.runNo, unit.table.name, unit.rows.map(undo.key));
        return;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        await c.query('ROLLBACK TO SAVEPOINT ferry_copy');
        p.conflicts = true;
      }
    }
    await c.query(p.upsert.createStage);
    const rows = lastPerKey(unit.table, unit.rows);
    if (undo) {
      await copyIn(
        c,
        p.upsert.copyStageKeyed,
        encodeCopyRows(
          rows.map((r) => [...r, undo.key(r)]),
          [...p.encoders, encodeCopyValue],
        ),
      );
      await this.undoBook.staged(c, undo.runNo, unit.table.name, unit.table.primaryKey);
    } else {
      await copyIn(c, p.upsert.copyStage, encodeCopyRows(rows, p.encoders));
    }
    await c.query(p.upsert.merge);
  }

  private prepare(t: TargetTableDef): Prepared {
    const key = `${t.name}\u0000${t.columns.map((c) => `${c.name}:${c.type}`).join(',')}\u0000${t.primaryKey.join(',')}`;
    let p = this.prepared.get(key);
    if (!p) {
      const target = qualified(this.cfg.schema, t.name);
      p = {
        copy: `COPY ${target} (${identList(t.columns.map((c) => c.name))}) FROM STDIN`,
        encoders: t.columns.map(fieldEncoder),
        cleanEncoders: t.columns.map(cleanFieldEncoder),
        upsert: upsertSql(this.cfg.schema, t),
        truncate: `TRUNCATE ${target}`,
        undoKey: t.primaryKey.length > 0 ? undoKeyRenderer(t) : undefined,
        conflicts: false,
      };
      this.prepared.set(key, p);
    }
    return p;
  }

  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (err) {
      throw connectionError(this.cfg.where, this.cfg.client.user, err);
    }
  }

  private async withClient<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.connect();
    try {
      return await fn(c);
    } catch (err) {
      if (err instanceof FerryError) throw err;
      throw new FerryError('run', 'target.query_failed', `a bookkeeping query on ${this.cfg.where} failed: ${safePgReason(err, c)}`);
    } finally {
      c.release();
    }
  }

  /** Runs `fn` in one transaction; on any failure rolls back so nothing of the unit is written. */
  private async transaction(what: string, fn: (c: pg.PoolClient) => Promise<void>, durable = true): Promise<void> {
    const c = await this.connect();
    let broken: Error | undefined;
    try {
      await c.query(durable ? 'BEGIN' : BEGIN_BATCH);
      await fn(c);
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch((e: Error) => (broken = e));
      if (err instanceof FerryError) throw err;
      throw new FerryError('run', 'target.commit_failed', `${what} on ${this.cfg.where} failed and was rolled back, so nothing of it was written: ${safePgReason(err, c)}`);
    } finally {
      c.release(broken);
    }
  }
}
