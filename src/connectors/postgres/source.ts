/**
 * PostgreSQL source. Everything is read inside REPEATABLE READ READ ONLY transactions that
 * share one exported snapshot: a mapping bug can never write to the legacy system, and every
 * table (including ones read concurrently on other connections) comes from the same instant.
 */
import type pg from 'pg';
import { FerryError } from '../../errors.js';
import { SLICE_BYTES, type Slice, type ColumnInfo, type ReadOptions, type SchemaInfo, type Source, type TableInfo, type Value } from '../connector.js';
import type { PgConfig } from './config.js';
import { copyOut } from './copy-out.js';
import { CopyTextDecoder } from './copy-text.js';
import { safePgReason } from './errors.js';
import { findTable, introspectSchema, resolveColumns } from './introspect.js';
import { identList, qualified } from './quote.js';
import { connectClient } from './session.js';

const BEGIN_READ = 'BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY';

/** A read-only PostgreSQL source pinned to one snapshot. */
export class PgSource implements Source {
  readonly kind = 'postgres';
  readonly displayUrl: string;
  private schemaInfo?: Promise<SchemaInfo>;
  private readonly idle: pg.Client[] = [];
  private readonly busy = new Set<pg.Client>();
  private closed = false;

  private constructor(
    private readonly cfg: PgConfig,
    /** Holds the exported snapshot open for the source's lifetime; also serves catalog queries. */
    private readonly main: pg.Client,
    private readonly snapshotId: string,
  ) {
    this.displayUrl = cfg.display;
  }

  /** Connects, starts the read-only snapshot transaction and checks the schema exists. */
  static async open(cfg: PgConfig): Promise<PgSource> {
    const main = await connectClient(cfg);
    try {
      await main.query(BEGIN_READ);
      const snap = await main.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
      const ns = await main.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [cfg.schema]);
      if (ns.rowCount === 0) {
        throw new FerryError('not_found', 'connector.schema_missing', `schema "${cfg.schema}" does not exist in ${cfg.where}; check ?schema= in the source URL`);
      }
      return new PgSource(cfg, main, snap.rows[0].id);
    } catch (err) {
      await main.end().catch(() => {});
      if (err instanceof FerryError) throw err;
      throw new FerryError('connection', 'connector.snapshot_failed', `could not start a read-only snapshot on ${cfg.where}: ${safePgReason(err, main)}`);
    }
  }

  introspect(): Promise<SchemaInfo> {
    this.schemaInfo ??= introspectSchema(this.main, this.cfg.schema);
    return this.schemaInfo;
  }

  async count(table: string): Promise<number> {
    const info = await this.table(table);
    // A failed statement would abort the snapshot-holding transaction; the savepoint keeps it alive.
    await this.main.query('SAVEPOINT ferry_count');
    try {
      const res = await this.main.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${qualified(this.cfg.schema, info.name)}`);
      await this.main.query('RELEASE SAVEPOINT ferry_count');
      return Number(res.rows[0].n);
    } catch (err) {
      await this.main.query('ROLLBACK TO SAVEPOINT ferry_count').catch(() => {});
      throw new FerryError('run', 'source.count_failed', `counting rows of ${table} in ${this.cfg.where} failed: ${safePgReason(err, this.main)}`);
    }
  }

  async *read(table: string, options: ReadOptions): AsyncIterable<Slice> {
    const { signal } = options;
    signal?.throwIfAborted();
    const info = await this.table(table);
    const columns = this.columns(info, options.columns ?? info.columns.map((c) => c.name));
    const order = options.orderBy?.length ? ` ORDER BY ${identList(this.columns(info, options.orderBy).map((c) => c.name))}` : '';
    const skip = options.skip ?? 0;
    if (!Number.isSafeInteger(skip) || skip < 0) throw new FerryError('usage', 'source.bad_skip', `skip must be a whole number of rows, got ${skip}`);
    const sliceRows = Math.max(1, Math.floor(options.sliceRows));
    const sql = `COPY (SELECT ${identList(columns.map((c) => c.name))} FROM ${qualified(this.cfg.schema, info.name)}${order}${skip > 0 ? ` OFFSET ${skip}` : ''}) TO STDOUT`;
    const names = options.columns ? [...options.columns] : columns.map((c) => c.name);

    const client = await this.lease();
    const stream = client.query(copyOut(sql));
    const onAbort = (): void => {
      stream.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const decoder = new CopyTextDecoder(columns.map((c) => c.type === 'binary'));
    let pending: Value[][] = [];
    // Indices in pending of rows that held an escape; every other row is clean (Slice.clean).
    let escaped: number[] = [];
    const sliceOf = (from: number, to: number): Slice => ({
      columns: names,
      rows: from === 0 && to === pending.length ? pending : pending.slice(from, to),
      clean: !escaped.some((i) => i >= from && i < to),
    });
    // Bytes of COPY text behind the pending rows: a batch of large bytea values ends early.
    let bytes = 0;
    const sliceBytes = options.sliceBytes ?? SLICE_BYTES;
    let finished = false;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        decoder.push(chunk, pending, escaped);
        bytes += chunk.length;
        if (bytes >= sliceBytes && pending.length > 0 && pending.length < sliceRows) {
          yield sliceOf(0, pending.length);
          pending = [];
          escaped = [];
          bytes = 0;
          signal?.throwIfAborted();
          continue;
        }
        if (pending.length >= sliceRows) {
          bytes = 0;
          let i = 0;
          for (; i + sliceRows <= pending.length; i += sliceRows) {
            yield sliceOf(i, i + sliceRows);
            // One chunk can hold many batches: stop between them, not only between chunks.
            signal?.throwIfAborted();
          }
          pending = pending.slice(i);
          if (escaped.length > 0) escaped = escaped.filter((k) => k >= i).map((k) => k - i);
        }
      }
      decoder.end();
      if (pending.length > 0) yield sliceOf(0, pending.length);
      finished = true;
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (err instanceof FerryError) throw err;
      throw new FerryError('run', 'source.read_failed', `reading ${table} from ${this.cfg.where} failed: ${safePgReason(err, client)}`);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!finished) stream.destroy();
      this.release(client, finished);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = [...this.idle, ...this.busy, this.main];
    this.idle.length = 0;
    this.busy.clear();
    // Ending the connections rolls the read-only transactions back; there is nothing to commit.
    await Promise.all(all.map((c) => c.end().catch(() => {})));
  }

  private async table(name: string): Promise<TableInfo> {
    const info = findTable(await this.introspect(), name);
    if (!info) {
      throw new FerryError('not_found', 'source.table_missing', `table ${name} does not exist in schema "${this.cfg.schema}" of ${this.cfg.where}; check the table name and ?schema=`);
    }
    return info;
  }

  private columns(info: TableInfo, names: readonly string[]): ColumnInfo[] {
    const cols = resolveColumns(info, names);
    if (typeof cols === 'string') {
      throw new FerryError('not_found', 'source.column_missing', `column ${info.name}.${cols} does not exist in ${this.cfg.where}; re-pin the source schema or fix the mapping`);
    }
    return cols;
  }

  /** A connection inside a read-only transaction on the shared snapshot, one per concurrent read. */
  private async lease(): Promise<pg.Client> {
    if (this.closed) throw new FerryError('internal', 'source.closed', 'the PostgreSQL source was read after it was closed');
    let client = this.idle.pop();
    if (!client) {
      client = await connectClient(this.cfg);
      try {
        await client.query(BEGIN_READ);
        await client.query(`SET TRANSACTION SNAPSHOT '${this.snapshotId.replace(/'/g, "''")}'`);
      } catch (err) {
        await client.end().catch(() => {});
        throw new FerryError('connection', 'connector.snapshot_failed', `could not join the source snapshot on ${this.cfg.where}: ${safePgReason(err, client)}`);
      }
    }
    this.busy.add(client);
    return client;
  }

  /** Returns a connection for reuse, or drops it when a read stopped mid-stream (its COPY may still be running). */
  private release(client: pg.Client, reusable: boolean): void {
    this.busy.delete(client);
    if (reusable && !this.closed) this.idle.push(client);
    else client.end().catch(() => {});
  }
}
