/**
 * MySQL/MariaDB source. Every connection runs in a read-only session inside a consistent-
 * snapshot transaction: a mapping bug can never write to the legacy system, and each read sees
 * one instant. MySQL cannot share a snapshot between connections, so reads that overlap each
 * get their own connection whose snapshot starts when that connection opens; sequential
 * reads reuse one connection and so one snapshot.
 */
import type { Connection } from 'mysql2';
import { FerryError } from '../../errors.js';
import { binaryBytes, SLICE_BYTES, type Slice, type ColumnInfo, type ReadOptions, type SchemaInfo, type Source, type TableInfo, type Value } from '../connector.js';
import type { MysqlConfig } from './config.js';
import { safeMysqlReason } from './errors.js';
import { findTable, introspectDatabase } from './introspect.js';
import { ident, identList } from './quote.js';
import { connect, rowsOf, run } from './session.js';
import { valueReader } from './values.js';

/** LIMIT is required before OFFSET in MySQL; this is its documented "all rows". */
const ALL_ROWS = '18446744073709551615';

/** A read-only MySQL/MariaDB source. */
export class MysqlSource implements Source {
  readonly kind = 'mysql';
  readonly displayUrl: string;
  private schemaInfo?: Promise<SchemaInfo>;
  private readonly idle: Connection[] = [];
  private readonly busy = new Set<Connection>();
  private closed = false;

  private constructor(private readonly cfg: MysqlConfig) {
    this.displayUrl = cfg.display;
  }

  /** Connects and opens the first snapshot, so connection problems surface at once. */
  static async open(cfg: MysqlConfig): Promise<MysqlSource> {
    const source = new MysqlSource(cfg);
    source.release(await source.lease(), true);
    return source;
  }

  introspect(): Promise<SchemaInfo> {
    this.schemaInfo ??= this.withConnection((c) => introspectDatabase((sql, values) => rowsOf(c, sql, values), this.cfg.database));
    return this.schemaInfo;
  }

  async count(table: string): Promise<number> {
    const info = await this.table(table);
    try {
      const rows = await this.withConnection((c) => rowsOf(c, `SELECT COUNT(*) FROM ${ident(info.name)}`));
      return Number(rows[0][0]);
    } catch (err) {
      throw new FerryError('run', 'source.count_failed', `counting rows of ${table} in ${this.cfg.where} failed: ${safeMysqlReason(err)}`);
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
    const sql = `SELECT ${identList(columns.map((c) => c.name))} FROM ${ident(info.name)}${order}${skip > 0 ? ` LIMIT ${ALL_ROWS} OFFSET ${skip}` : ''}`;
    const names = options.columns ? [...options.columns] : columns.map((c) => c.name);
    const readers = columns.map(valueReader);
    const width = readers.length;

    const conn = await this.lease();
    // Rows are pushed into batches from 'data' events; the stream is paused whenever a batch is
    // full and resumed only when the consumer asks for more, and mysql2 then stops reading the
    // socket, so memory holds about one batch however large the table.
    // Binary columns (scanned letters) also bound a batch by bytes, and the stream's own buffer
    // to a few rows, so a table of large BLOBs holds a few of them at a time, not a thousand.
    const binaryAt = columns.flatMap((c, i) => (c.type === 'binary' ? [i] : []));
    const sliceBytes = options.sliceBytes ?? SLICE_BYTES;
    const stream = conn.query({ sql, rowsAsArray: true }).stream({ highWaterMark: binaryAt.length > 0 ? 4 : Math.min(sliceRows, 1024) });
    const ready: Value[][][] = [];
    let batch: Value[][] = [];
    let bytes = 0;
    let ended = false;
    let failure: unknown;
    let wake: (() => void) | undefined;
    const notify = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    stream.on('data', (raw: unknown[]) => {
      const row: Value[] = new Array(width);
      for (let i = 0; i < width; i++) row[i] = readers[i](raw[i]);
      batch.push(row);
      bytes += binaryBytes(row, binaryAt);
      if (batch.length >= sliceRows || bytes >= sliceBytes) {
        ready.push(batch);
        batch = [];
        bytes = 0;
        stream.pause();
        notify();
      }
    });
    stream.on('end', () => {
      ended = true;
      notify();
    });
    stream.on('error', (err) => {
      failure = err;
      notify();
    });
    const onAbort = (): void => notify();
    signal?.addEventListener('abort', onAbort, { once: true });
    let finished = false;
    try {
      for (;;) {
        signal?.throwIfAborted();
        if (failure) throw failure;
        const next = ready.shift();
        if (next) {
          yield { columns: names, rows: next };
          continue;
        }
        if (ended) break;
        const waiting = new Promise<void>((resolve) => (wake = resolve));
        stream.resume();
        await waiting;
      }
      if (batch.length > 0) yield { columns: names, rows: batch };
      finished = true;
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (err instanceof FerryError) throw err;
      throw new FerryError('run', 'source.read_failed', `reading ${table} from ${this.cfg.where} failed: ${safeMysqlReason(err)}`);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.release(conn, finished);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const idle = [...this.idle];
    // A busy connection may be paused mid-result: end() would wait for rows nobody reads.
    for (const c of this.busy) c.destroy();
    this.idle.length = 0;
    this.busy.clear();
    // Ending the connections rolls back the read-only transactions; there is nothing to commit.
    await Promise.all(idle.map((c) => new Promise<void>((resolve) => c.end(() => resolve()))));
  }

  private async table(name: string): Promise<TableInfo> {
    const info = findTable(await this.introspect(), name);
    if (!info) {
      throw new FerryError('not_found', 'source.table_missing', `table ${name} does not exist in database ${this.cfg.where}; check the table name and the database in the URL`);
    }
    return info;
  }

  private columns(info: TableInfo, names: readonly string[]): ColumnInfo[] {
    return names.map((name) => {
      // MySQL column names are case-insensitive, so a case-only difference is the same column.
      const col = info.columns.find((c) => c.name === name) ?? info.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
      if (!col) {
        throw new FerryError('not_found', 'source.column_missing', `column ${info.name}.${name} does not exist in ${this.cfg.where}; re-pin the source schema or fix the mapping`);
      }
      return col;
    });
  }

  private async withConnection<T>(fn: (c: Connection) => Promise<T>): Promise<T> {
    const c = await this.lease();
    let ok = false;
    try {
      const out = await fn(c);
      ok = true;
      return out;
    } finally {
      this.release(c, ok);
    }
  }

  /** An idle snapshot connection, or a new one in a read-only session and transaction. */
  private async lease(): Promise<Connection> {
    if (this.closed) throw new FerryError('internal', 'source.closed', 'the MySQL source was read after it was closed');
    let conn = this.idle.pop();
    if (!conn) {
      conn = await connect(this.cfg);
      try {
        await run(conn, 'SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
        await run(conn, 'SET SESSION TRANSACTION READ ONLY');
        await run(conn, 'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
      } catch (err) {
        conn.destroy();
        throw new FerryError('connection', 'connector.snapshot_failed', `could not start a read-only snapshot on ${this.cfg.where}: ${safeMysqlReason(err)}`);
      }
    }
    this.busy.add(conn);
    return conn;
  }

  /** Returns a connection for reuse, or destroys it when a read stopped mid-result (the server is still sending rows). */
  private release(conn: Connection, reusable: boolean): void {
    this.busy.delete(conn);
    if (reusable && !this.closed) this.idle.push(conn);
    else conn.destroy();
  }
}
