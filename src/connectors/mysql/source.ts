/**
 * MySQL/MariaDB source. Every connection runs in a read-only session inside a consistent-
 * snapshot transaction: a mapping bug can never write to the legacy system, and each read sees
 * one instant. MySQL cannot share a snapshot between connections, so reads that overlap each
 * get their own connection whose snapshot starts when that connection opens; sequential
 * reads reuse one connection and so one snapshot. A change-capture snapshot is the exception:
 * its one connection holds the snapshot that ends at a binlog position, so every read takes
 * its turn on that connection (see onSnapshot).
 */
import type { Connection } from 'mysql2';
import { FerryError } from '../../errors.js';
import { changedAfterCondition, changeTypeError, checkChangedAfter, valuesInCondition, whereOf, type ChangeKind } from '../changed-after.js';
import { binaryBytes, SLICE_BYTES, type Slice, type ChangedAfter, type ColumnInfo, type KeyRange, type ReadOptions, type SchemaInfo, type Source, type TableInfo, type Value } from '../connector.js';
import { checkParts, checkRange, isCanonicalInteger, keyTypeError, quantileBoundsSql, rangeCondition, splitRows, type KeyKind } from '../key-range.js';
import type { MysqlConfig } from './config.js';
import { safeMysqlReason } from './errors.js';
import { findTable, introspectDatabase } from './introspect.js';
import { ident, identList } from './quote.js';
import { connect, rowsOf, run } from './session.js';
import { valueReader } from './values.js';

/** LIMIT is required before OFFSET in MySQL; this is its documented "all rows". */
const ALL_ROWS = '18446744073709551615';

// Text keys are character types only: ENUM and SET sort by their member index, not their
// text, and JSON, YEAR, TIME... compare with a text literal otherwise than ORDER BY sorts them.
const TEXT_KEY = /^((var)?char\(|(tiny|medium|long)?text\b)/i;

/** Above this many estimated rows keyBounds samples the keys instead of ranking all of them. */
const SAMPLE_ABOVE = 200_000;
/** Keys a keyBounds sample aims for. */
const SAMPLE_ROWS = 100_000;

/**
 * One connection inside a consistent-snapshot transaction, shared by every source opened on
 * it: statements on one connection cannot overlap, so each read takes a turn.
 */
export class SnapshotLane {
  private tail: Promise<void> = Promise.resolve();

  constructor(readonly conn: Connection) {}

  /** Waits for the previous holder to finish; resolves to the function that ends this turn. */
  async take(): Promise<() => void> {
    const previous = this.tail;
    let end!: () => void;
    this.tail = new Promise<void>((resolve) => (end = resolve));
    await previous;
    return end;
  }
}

/** A read-only MySQL/MariaDB source. */
export class MysqlSource implements Source {
  readonly kind = 'mysql';
  readonly displayUrl: string;
  private schemaInfo?: Promise<SchemaInfo>;
  private readonly idle: Connection[] = [];
  private readonly busy = new Set<Connection>();
  private closed = false;
  private endTurn?: () => void;

  private constructor(
    private readonly cfg: MysqlConfig,
    /** The one connection every read takes its turn on, in a snapshot its owner opened; undefined for the usual pool. */
    private readonly lane?: SnapshotLane,
  ) {
    this.displayUrl = cfg.display;
  }

  private get pinned(): Connection | undefined {
    return this.lane?.conn;
  }

  /** Connects and opens the first snapshot, so connection problems surface at once. */
  static async open(cfg: MysqlConfig): Promise<MysqlSource> {
    const source = new MysqlSource(cfg);
    source.release(await source.lease(), true);
    return source;
  }

  /**
   * A source that reads only through `conn`, which is inside a consistent-snapshot transaction
   * the caller opened and will end: MySQL cannot share a snapshot between connections, so
   * overlapping reads wait their turn instead of opening their own. close() leaves `conn` open.
   */
  static onSnapshot(cfg: MysqlConfig, lane: SnapshotLane): MysqlSource {
    return new MysqlSource(cfg, lane);
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
    const values: string[] = [];
    const where = whereOf(
      options.range ? this.rangeWhere(info, options.range, values) : '',
      options.changedAfter ? this.changedWhere(info, options.changedAfter, values) : '',
      options.valuesIn ? this.valuesWhere(info, options.valuesIn, values) : '',
    );
    const sql = `SELECT ${identList(columns.map((c) => c.name))} FROM ${ident(info.name)}${where}${order}${skip > 0 ? ` LIMIT ${ALL_ROWS} OFFSET ${skip}` : ''}`;
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
    const stream = conn.query({ sql, values, rowsAsArray: true }).stream({ highWaterMark: binaryAt.length > 0 ? 4 : Math.min(sliceRows, 1024) });
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
      // The pinned connection cannot be destroyed: the rest of an abandoned result is read and dropped.
      if (!finished && this.pinned && !ended && !failure) await drain(stream);
      this.release(conn, finished);
    }
  }

  /**
   * Split points at the ntile boundaries of the key column (see quantileBoundsSql), on one
   * snapshot connection. MySQL has no TABLESAMPLE; a table whose estimated rows (TABLE_ROWS)
   * exceed SAMPLE_ABOVE is ranked on the keys whose CRC32 falls in one of estimate/SAMPLE_ROWS
   * buckets: a hash of the key, so the same data gives the same sample whatever order the
   * rows are scanned in. Measured on a 1M-row table (MariaDB 10.11, this shared 2-core
   * machine; reading the whole table takes 1.0-1.3 s): ranking every key took 1.0 s for an
   * INT key and 3.4 s for a VARCHAR key in utf8mb4_unicode_ci (the collation sort dominates);
   * the 100,000-key sample took 0.2-0.3 s for either (scan and hash, then rank), so bounds cost
   * a fraction of one read instead of up to three, and the 8 partitions came out within 1% of
   * even.
   */
  async keyBounds(table: string, column: string, parts: number, signal?: AbortSignal): Promise<string[]> {
    signal?.throwIfAborted();
    checkParts(parts);
    const info = await this.table(table);
    const [col] = this.columns(info, [column]);
    const kind = keyKind(info, col);
    if (parts <= 1) return [];
    const conn = await this.lease();
    // A ranking query cannot be stopped from its own connection; destroying it stops the work
    // (not the pinned one: that would end the snapshot, so the query runs to its end).
    const onAbort = (): void => {
      if (!this.pinned) conn.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let ok = false;
    try {
      signal?.throwIfAborted();
      const k = ident(col.name);
      const text = (v: string): string => (kind === 'integer' ? `CAST(${v} AS CHAR)` : v);
      const boundsOf = async (sample: string, values: unknown[]): Promise<unknown[][]> => {
        const keys = `SELECT ${k} AS k FROM ${ident(info.name)} WHERE ${k} IS NOT NULL${sample}`;
        const n = await rowsOf(conn, `SELECT COUNT(*) FROM (${keys}) key_values`, values);
        const split = splitRows(Number(n[0][0]), parts);
        return split.length === 0 ? [] : rowsOf(conn, quantileBoundsSql(keys, split, text), values);
      };
      const est = await rowsOf(conn, 'SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [this.cfg.database, info.name]);
      const estimate = Number(est[0]?.[0] ?? 0);
      let rows: unknown[][] = [];
      if (estimate > SAMPLE_ABOVE) rows = await boundsOf(` AND CRC32(${k}) % ? = 0`, [Math.round(estimate / SAMPLE_ROWS)]);
      // Small tables, views (no estimate), and a sample that came back empty are ranked whole.
      if (rows.length === 0) rows = await boundsOf('', []);
      signal?.throwIfAborted();
      ok = true;
      return rows.map((r) => (Buffer.isBuffer(r[0]) ? r[0].toString('utf8') : String(r[0])));
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw new FerryError('run', 'source.key_bounds_failed', `computing partition bounds of ${table}.${column} in ${this.cfg.where} failed: ${safeMysqlReason(err)}`);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.release(conn, ok);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // The snapshot's owner ends the pinned connection (it commits the snapshot transaction).
    if (this.pinned) return;
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

  /**
   * ` WHERE ...` for a key range. Text bounds are parameters (compared in the column's
   * collation, which outranks a parameter's); integer bounds, checked to be canonical digits,
   * are written as integer literals, because a string parameter against an integer column
   * compares as a double and loses exactness above 2^53.
   */
  private rangeWhere(info: TableInfo, range: KeyRange, values: string[]): string {
    const [col] = this.columns(info, [range.column]);
    const kind = keyKind(info, col);
    checkRange(info.name, range, kind);
    const literal = (b: string): string => {
      if (kind === 'text') return (values.push(b), '?');
      if (!isCanonicalInteger(b)) throw new FerryError('internal', 'source.bad_range', 'an integer bound escaped its check');
      return b;
    };
    return rangeCondition(range, ident(col.name), literal, 'first');
  }

  /** The condition of a read by column values: integers as checked literals, everything else as parameters. */
  private valuesWhere(info: TableInfo, v: { column: string; values: string[] }, values: string[]): string {
    const [col] = this.columns(info, [v.column]);
    const kind = col.type === 'integer' ? 'integer' : 'other';
    return valuesInCondition(v.values, ident(col.name), kind, (x) => (kind === 'integer' ? x : (values.push(x), '?')));
  }

  /**
   * The condition of a change read. Integer bounds are literals, as for key ranges; text,
   * timestamp and date bounds are parameters (a DATETIME compared with a string compares as a
   * DATETIME; text in the column's collation).
   */
  private changedWhere(info: TableInfo, changed: ChangedAfter, values: string[]): string {
    const [col] = this.columns(info, [changed.column]);
    const kind = changeKind(info, col);
    checkChangedAfter(info.name, changed, kind);
    const literal = (b: string): string => {
      if (kind !== 'integer') return (values.push(b), '?');
      if (!isCanonicalInteger(b)) throw new FerryError('internal', 'source.bad_changed_after', 'an integer bound escaped its check');
      return b;
    };
    return changedAfterCondition(changed, ident(col.name), literal);
  }

  /** The greatest value of a change column as text, on a snapshot connection (the one sequential reads use). */
  async maxOf(table: string, column: string): Promise<string | null> {
    const info = await this.table(table);
    const [col] = this.columns(info, [column]);
    const kind = changeKind(info, col);
    const c = ident(col.name);
    try {
      // Numbers and times as CHAR so none goes through a double or a JS Date; text as stored.
      const rows = await this.withConnection((conn) => rowsOf(conn, `SELECT ${kind === 'text' ? `MAX(${c})` : `CAST(MAX(${c}) AS CHAR)`} FROM ${ident(info.name)}`));
      const max = rows[0]?.[0];
      return max === null || max === undefined ? null : Buffer.isBuffer(max) ? max.toString('utf8') : String(max);
    } catch (err) {
      throw new FerryError('run', 'source.max_failed', `reading the greatest ${table}.${column} in ${this.cfg.where} failed: ${safeMysqlReason(err)}`);
    }
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
    if (this.lane) {
      this.endTurn = await this.lane.take();
      if (this.closed) {
        this.endTurn();
        throw new FerryError('internal', 'source.closed', 'the MySQL snapshot source was read after it was closed');
      }
      return this.lane.conn;
    }
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
    if (this.pinned) {
      this.endTurn?.();
      return;
    }
    this.busy.delete(conn);
    if (reusable && !this.closed) this.idle.push(conn);
    else conn.destroy();
  }
}

/** Reads the rest of an abandoned result and drops it, so its connection can run the next query. */
function drain(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve) => {
    stream.removeAllListeners('data');
    stream.on('data', () => {});
    stream.once('end', () => resolve());
    stream.once('error', () => resolve());
    stream.resume();
  });
}

/** How a change column compares: integer and character columns as for partition keys, DATETIME, TIMESTAMP and DATE by type. */
function changeKind(info: TableInfo, col: ColumnInfo): ChangeKind {
  if (col.type === 'timestamp' || col.type === 'date') return col.type;
  if ((col.type === 'integer' && !/^bit\b/i.test(col.nativeType)) || (col.type === 'text' && TEXT_KEY.test(col.nativeType))) return col.type;
  throw changeTypeError(info.name, col.name, col.nativeType);
}

/** How a partition key compares, or partition_key_type for a column a range cannot cut (BIT is an integer type but reads as bytes). */
function keyKind(info: TableInfo, col: ColumnInfo): KeyKind {
  if (col.type === 'integer' && !/^bit\b/i.test(col.nativeType)) return 'integer';
  if (col.type === 'text' && TEXT_KEY.test(col.nativeType)) return 'text';
  throw keyTypeError(info.name, col.name, col.nativeType);
}
