/**
 * A SQLite database as a Source. Every connection is opened `readonly` with `fileMustExist`,
 * so a mapping bug can never write to (or create) the legacy database.
 *
 * Each read() gets its own connection: better-sqlite3 iterators are synchronous and keep their
 * connection busy, and the engine reads several tables at once.
 */
import { setImmediate as nextTick } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { FerryError } from '../../errors.js';
import { changedAfterCondition, changeKindOf, checkChangedAfter, valuesInCondition, whereOf } from '../changed-after.js';
import { binaryBytes, SLICE_BYTES, type ColumnInfo, type Slice, type ReadOptions, type SchemaInfo, type Source, type TableInfo, type Value } from '../connector.js';
import { checkParts, checkRange, keyTypeError, quantileBoundsSql, rangeCondition, splitRows, type KeyKind } from '../key-range.js';
import type { SqliteConfig } from './config.js';
import { introspectSqlite, tableInfo } from './introspect.js';
import { q, qList } from './sql.js';

/** Opens a read-only connection, turning driver failures into an actionable FerryError. */
export function openReadonly(config: SqliteConfig): Database.Database {
  try {
    const db = new Database(config.file, { readonly: true, fileMustExist: true });
    db.pragma(`busy_timeout = ${config.busyTimeout}`);
    return db;
  } catch (err) {
    throw new FerryError('connection', 'sqlite.open_failed', `cannot open SQLite database ${config.file} for reading (${(err as Error).message}); check the path and that it is a SQLite file`, [], {
      cause: err,
    });
  }
}

/** 64-bit integers arrive as bigint so none is rounded; those that fit a number become one. */
function fromDriver(row: unknown[]): Value[] {
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) row[i] = Number(v);
  }
  return row as Value[];
}

/** A read-only `sqlite:FILE` source; construct through `openSource` in index.ts. */
export class SqliteSource implements Source {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;

  constructor(
    readonly displayUrl: string,
    private readonly config: SqliteConfig,
  ) {
    this.db = openReadonly(config);
  }

  async introspect(): Promise<SchemaInfo> {
    return introspectSqlite(this.db);
  }

  async *read(table: string, options: ReadOptions): AsyncIterable<Slice> {
    options.signal?.throwIfAborted();
    const info = tableInfo(this.db, table);
    const known = new Set(info.columns.map((c) => c.name));
    const columns = options.columns ?? info.columns.map((c) => c.name);
    const orderBy = options.orderBy ?? [];
    const missing = [...columns, ...orderBy].filter((c) => !known.has(c));
    if (missing.length) {
      throw new FerryError('not_found', 'connector.column_missing', `table ${table} has no column(s) ${[...new Set(missing)].join(', ')}; it has ${[...known].join(', ')}`);
    }
    const order = orderBy.length ? ` ORDER BY ${qList(orderBy)}` : '';
    const { range, changedAfter } = options;
    const params: unknown[] = [];
    let rangeCond = '';
    if (range) {
      const kind = keyKind(info, range.column);
      checkRange(table, range, kind);
      // An integer bound is bound as an integer, so it compares as a number whatever the column's affinity.
      rangeCond = rangeCondition(range, q(range.column), (b) => (params.push(kind === 'integer' ? BigInt(b) : b), '?'), 'first');
    }
    let changedCond = '';
    if (changedAfter) {
      const kind = changeKindOf(table, columnOf(info, changedAfter.column));
      checkChangedAfter(table, changedAfter, kind);
      // Timestamps and dates are stored as text here, so they compare as the text they are written as.
      changedCond = changedAfterCondition(changedAfter, q(changedAfter.column), (b) => (params.push(kind === 'integer' ? BigInt(b) : b), '?'));
    }
    let valuesCond = '';
    if (options.valuesIn) {
      const col = columnOf(info, options.valuesIn.column);
      const kind = col.type === 'integer' ? 'integer' : 'other';
      valuesCond = valuesInCondition(options.valuesIn.values, q(col.name), kind, (x) => (params.push(kind === 'integer' ? BigInt(x) : x), '?'));
    }
    const where = whereOf(rangeCond, changedCond, valuesCond);
    const sql = `SELECT ${qList(columns)} FROM ${q(table)}${where}${order} LIMIT -1 OFFSET ?`;
    const sliceRows = Math.max(1, Math.floor(options.sliceRows));
    const db = openReadonly(this.config);
    let rows: Value[][] = [];
    // BLOB columns also bound a batch by bytes, so large scanned letters never pile up.
    const types = new Map(info.columns.map((c) => [c.name, c.type]));
    const binaryAt = columns.flatMap((c, i) => (types.get(c) === 'binary' ? [i] : []));
    const sliceBytes = options.sliceBytes ?? SLICE_BYTES;
    let bytes = 0;
    const iterator = db
      .prepare(sql)
      .raw(true)
      .safeIntegers(true)
      .iterate(...params, options.skip ?? 0) as IterableIterator<unknown[]>;
    try {
      for (const row of iterator) {
        rows.push(fromDriver(row));
        bytes += binaryBytes(row as Value[], binaryAt);
        if (rows.length === sliceRows || bytes >= sliceBytes) {
          options.signal?.throwIfAborted();
          yield { columns, rows };
          rows = [];
          bytes = 0;
          // Let other work (writes, progress, signals) run between batches.
          await nextTick();
        }
      }
      options.signal?.throwIfAborted();
      if (rows.length) yield { columns, rows };
    } finally {
      iterator.return?.();
      db.close();
    }
  }

  /**
   * Split points at the ntile boundaries of the whole key column (see quantileBoundsSql; SQLite
   * has no sampling, and ranking a local file's key is fast). SQLite stores each value with its own type, so a key column
   * holding values of another storage class than its key kind is refused: ORDER BY sorts
   * integers before text, and bounds of one class could not cut the other.
   */
  async keyBounds(table: string, column: string, parts: number, signal?: AbortSignal): Promise<string[]> {
    signal?.throwIfAborted();
    checkParts(parts);
    const info = tableInfo(this.db, table);
    const kind = keyKind(info, column);
    if (parts <= 1) return [];
    const col = q(column);
    const keys = `SELECT ${col} AS k FROM ${q(table)} WHERE ${col} IS NOT NULL`;
    // One read transaction: the count, the check and the ranking see the same rows.
    const rows = this.db.transaction(() => {
      const stray = this.db.prepare(`SELECT count(*) AS n FROM ${q(table)} WHERE ${col} IS NOT NULL AND typeof(${col}) <> ?`).get(kind) as { n: number };
      if (stray.n > 0) {
        throw new FerryError(
          'usage',
          'source.partition_key_values',
          `${table}.${column} holds ${stray.n} value(s) stored as another type than ${kind}, so key ranges by it would not cover the table exactly; partition by another key or clean the column`,
        );
      }
      const n = this.db.prepare(`SELECT count(*) AS n FROM (${keys}) key_values`).get() as { n: number };
      const split = splitRows(n.n, parts);
      return split.length === 0
        ? []
        : (this.db
            .prepare(quantileBoundsSql(keys, split, (k) => k))
            .raw(true)
            .safeIntegers(true)
            .all() as unknown[][]);
    })();
    signal?.throwIfAborted();
    return rows.map((r) => String(r[0]));
  }

  /** The greatest value of a change column, as the text or decimal integer it is stored as. */
  async maxOf(table: string, column: string): Promise<string | null> {
    const info = tableInfo(this.db, table);
    changeKindOf(table, columnOf(info, column));
    const row = this.db
      .prepare(`SELECT max(${q(column)}) FROM ${q(info.name)}`)
      .raw(true)
      .safeIntegers(true)
      .get() as unknown[];
    const max = row[0];
    return max === null || max === undefined ? null : Buffer.isBuffer(max) ? max.toString('utf8') : String(max);
  }

  async count(table: string): Promise<number> {
    tableInfo(this.db, table);
    const row = this.db.prepare(`SELECT count(*) AS n FROM ${q(table)}`).get() as { n: number };
    return row.n;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function columnOf(info: TableInfo, column: string): ColumnInfo {
  const col = info.columns.find((c) => c.name === column);
  if (!col) throw new FerryError('not_found', 'connector.column_missing', `table ${info.name} has no column ${column}; it has ${info.columns.map((c) => c.name).join(', ')}`);
  return col;
}

/** How a partition key on `column` compares; column_missing or partition_key_type when it cannot be one. */
function keyKind(info: TableInfo, column: string): KeyKind {
  const col = info.columns.find((c) => c.name === column);
  if (!col) throw new FerryError('not_found', 'connector.column_missing', `table ${info.name} has no column ${column}; it has ${info.columns.map((c) => c.name).join(', ')}`);
  if (col.type === 'integer' || col.type === 'text') return col.type;
  throw keyTypeError(info.name, column, col.nativeType);
}
