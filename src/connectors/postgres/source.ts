/**
 * PostgreSQL source. Everything is read inside REPEATABLE READ READ ONLY transactions that
 * share one exported snapshot: a mapping bug can never write to the legacy system, and every
 * table (including ones read concurrently on other connections) comes from the same instant.
 */
import type pg from 'pg';
import { FerryError } from '../../errors.js';
import { changedAfterCondition, changeTypeError, checkChangedAfter, valuesInCondition, whereOf, type ChangeKind } from '../changed-after.js';
import { SLICE_BYTES, type Slice, type ChangedAfter, type ColumnInfo, type KeyRange, type ReadOptions, type SchemaInfo, type Source, type TableInfo, type Value } from '../connector.js';
import { checkParts, checkRange, keyTypeError, quantileBoundsSql, rangeCondition, splitRows, type KeyKind } from '../key-range.js';
import type { PgConfig } from './config.js';
import { copyOut } from './copy-out.js';
import { CopyTextDecoder } from './copy-text.js';
import { safePgReason } from './errors.js';
import { findTable, introspectSchema, resolveColumns } from './introspect.js';
import { ident, identList, integerLiteral, qualified, textLiteral } from './quote.js';
import { connectClient } from './session.js';

const BEGIN_READ = 'BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY';

/** Above this many estimated rows keyBounds samples the table instead of ranking every key (issue #17). */
const SAMPLE_ABOVE = 200_000;
/** Rows a keyBounds sample aims for: split points within a fraction of a percent of even, in well under a second. */
const SAMPLE_ROWS = 100_000;

// The column's base type (domains resolved) and its category: partitions need a key whose
// text form round-trips and whose comparison with a literal is the same order as ORDER BY.
const KEY_TYPE_SQL = `
SELECT coalesce(bt.typname, t.typname) AS base, coalesce(bt.typcategory, t.typcategory) AS category
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
 WHERE n.nspname = $1 AND c.relname = $2 AND a.attname = $3 AND a.attnum > 0 AND NOT a.attisdropped`;

// The planner's row estimate: reltuples (-1 when never analysed), summed over the leaf
// partitions of a partitioned table; relkind says whether TABLESAMPLE applies at all.
const ESTIMATE_SQL = `
SELECT c.relkind AS kind,
       CASE WHEN c.relkind = 'p'
            THEN (SELECT CASE WHEN bool_or(l.reltuples < 0) THEN -1 ELSE coalesce(sum(l.reltuples), 0) END
                    FROM pg_partition_tree(c.oid) p JOIN pg_class l ON l.oid = p.relid WHERE p.isleaf)
            ELSE c.reltuples END::float8 AS estimate
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relname = $2`;

const INTEGER_BASES = new Set(['int2', 'int4', 'int8']);

/** Joins an exported snapshot (SET TRANSACTION takes no parameters; the id is quoted as a literal). */
function setSnapshot(id: string): string {
  return `SET TRANSACTION SNAPSHOT ${textLiteral(id)}`;
}

/** A read-only PostgreSQL source pinned to one snapshot. */
export class PgSource implements Source {
  readonly kind = 'postgres';
  readonly displayUrl: string;
  private schemaInfo?: Promise<SchemaInfo>;
  private readonly idle: pg.Client[] = [];
  private readonly busy = new Set<pg.Client>();
  private readonly keyKinds = new Map<string, Promise<KeyKind>>();
  private closed = false;

  private constructor(
    private readonly cfg: PgConfig,
    /** Holds the exported snapshot open for the source's lifetime; also serves catalog queries. */
    private readonly main: pg.Client,
    private readonly snapshotId: string,
  ) {
    this.displayUrl = cfg.display;
  }

  /**
   * Connects, starts the read-only snapshot transaction and checks the schema exists. With
   * `options.snapshot` (a snapshot exported elsewhere, such as a replication slot's) every
   * connection imports that snapshot instead of one exported here; it stays valid only while
   * its exporter keeps it open.
   */
  static async open(cfg: PgConfig, options: { snapshot?: string } = {}): Promise<PgSource> {
    const main = await connectClient(cfg);
    try {
      await main.query(BEGIN_READ);
      let id: string;
      if (options.snapshot !== undefined) {
        await main.query(setSnapshot(options.snapshot));
        id = options.snapshot;
      } else {
        id = (await main.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0].id;
      }
      const ns = await main.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [cfg.schema]);
      if (ns.rowCount === 0) {
        throw new FerryError('not_found', 'connector.schema_missing', `schema "${cfg.schema}" does not exist in ${cfg.where}; check ?schema= in the source URL`);
      }
      return new PgSource(cfg, main, id);
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
    const where = whereOf(
      options.range ? await this.rangeWhere(info, options.range) : '',
      options.changedAfter ? await this.changedWhere(info, options.changedAfter) : '',
      options.valuesIn ? await this.valuesWhere(info, options.valuesIn) : '',
    );
    const sql = `COPY (SELECT ${identList(columns.map((c) => c.name))} FROM ${qualified(this.cfg.schema, info.name)}${where}${order}${skip > 0 ? ` OFFSET ${skip}` : ''}) TO STDOUT`;
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

  /**
   * Split points at the ntile boundaries of the key column (see quantileBoundsSql), inside the
   * source's snapshot. Tables the planner estimates above SAMPLE_ABOVE rows are ranked on a TABLESAMPLE SYSTEM sample of
   * about SAMPLE_ROWS rows with a fixed seed (REPEATABLE (0)), so the same data gives the same
   * points; views cannot be sampled and are ranked whole.
   */
  async keyBounds(table: string, column: string, parts: number, signal?: AbortSignal): Promise<string[]> {
    signal?.throwIfAborted();
    checkParts(parts);
    const info = await this.table(table);
    const [col] = this.columns(info, [column]);
    // Refuses a key of another type; both kinds rank the same way.
    await this.keyKind(info, col);
    if (parts <= 1) return [];
    const client = await this.lease();
    // A ranking query cannot be stopped from this connection; ending it stops the backend's work.
    const onAbort = (): void => void client.end().catch(() => {});
    signal?.addEventListener('abort', onAbort, { once: true });
    let ok = false;
    try {
      signal?.throwIfAborted();
      const est = await client.query<{ kind: string; estimate: number }>(ESTIMATE_SQL, [this.cfg.schema, info.name]);
      const relation = qualified(this.cfg.schema, info.name);
      let estimate = est.rows[0]?.estimate ?? 0;
      const sampleable = ['r', 'm', 'p'].includes(est.rows[0]?.kind ?? '');
      if (sampleable && estimate < 0) {
        // Never analysed: the estimate is unknown, and counting is far cheaper than ranking a big table.
        const n = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${relation}`);
        estimate = Number(n.rows[0].n);
      }
      const text = (k: string): string => `${k}::text`;
      const boundsOf = async (sample: string, params: unknown[]): Promise<string[]> => {
        const keys = `SELECT ${ident(col.name)} AS k FROM ${relation}${sample} WHERE ${ident(col.name)} IS NOT NULL`;
        const n = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM (${keys}) key_values`, params);
        const rows = splitRows(Number(n.rows[0].n), parts);
        if (rows.length === 0) return [];
        const res = await client.query<{ b: string }>(quantileBoundsSql(keys, rows, text), params);
        return res.rows.map((r) => r.b);
      };
      let bounds: string[] = [];
      if (sampleable && estimate > SAMPLE_ABOVE) {
        // The same seed in the same snapshot draws the same blocks, for the count and the ranking alike.
        bounds = await boundsOf(' TABLESAMPLE SYSTEM ($1::float8) REPEATABLE (0)', [Math.min(100, (100 * SAMPLE_ROWS) / estimate)]);
      }
      // Small tables, views, and a sample that came back empty (statistics older than a truncation) are ranked whole.
      if (bounds.length === 0) bounds = await boundsOf('', []);
      signal?.throwIfAborted();
      ok = true;
      return bounds;
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw new FerryError('run', 'source.key_bounds_failed', `computing partition bounds of ${table}.${column} in ${this.cfg.where} failed: ${safePgReason(err, client)}`);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.release(client, ok);
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

  /** How a partition key compares, or partition_key_type for a column a range cannot cut (cached per column). */
  private keyKind(info: TableInfo, col: ColumnInfo): Promise<KeyKind> {
    const id = `${info.name}\u0000${col.name}`;
    let kind = this.keyKinds.get(id);
    if (!kind) {
      kind = this.main.query<{ base: string; category: string }>(KEY_TYPE_SQL, [this.cfg.schema, info.name, col.name]).then((res) => {
        const t = res.rows[0];
        if (t && INTEGER_BASES.has(t.base)) return 'integer';
        // String types (text, varchar, char, name, citext) and uuid: other types' text forms need not sort as the values do.
        if (t && (t.category === 'S' || t.base === 'uuid')) return 'text';
        throw keyTypeError(info.name, col.name, col.nativeType);
      });
      kind.catch(() => this.keyKinds.delete(id));
      this.keyKinds.set(id, kind);
    }
    return kind;
  }

  /** The condition of a key range, bounds as literals (COPY takes no parameters). */
  private async rangeWhere(info: TableInfo, range: KeyRange): Promise<string> {
    const [col] = this.columns(info, [range.column]);
    const kind = await this.keyKind(info, col);
    checkRange(info.name, range, kind);
    return rangeCondition(range, ident(col.name), kind === 'integer' ? integerLiteral : textLiteral, 'last');
  }

  /** The condition of a change read; timestamp and date bounds are untyped literals, so they compare as the column's type. */
  private async changedWhere(info: TableInfo, changed: ChangedAfter): Promise<string> {
    const [col] = this.columns(info, [changed.column]);
    const kind = await this.changeKind(info, col);
    checkChangedAfter(info.name, changed, kind);
    return changedAfterCondition(changed, ident(col.name), kind === 'integer' ? integerLiteral : textLiteral);
  }

  /** The condition of a read by column values: integer columns compare with checked integer literals, every other type with untyped text literals. */
  private async valuesWhere(info: TableInfo, v: { column: string; values: string[] }): Promise<string> {
    const [col] = this.columns(info, [v.column]);
    const kind = col.type === 'integer' ? 'integer' : 'other';
    return valuesInCondition(v.values, ident(col.name), kind, kind === 'integer' ? integerLiteral : textLiteral);
  }

  /** Integer and text change columns as for partition keys (their text must order as the values do); timestamps and dates by type. */
  private async changeKind(info: TableInfo, col: ColumnInfo): Promise<ChangeKind> {
    if (col.type === 'timestamp' || col.type === 'date') return col.type;
    try {
      return await this.keyKind(info, col);
    } catch (err) {
      if (err instanceof FerryError && err.code === 'source.partition_key_type') throw changeTypeError(info.name, col.name, col.nativeType);
      throw err;
    }
  }

  /** The greatest value of a change column as text (ISO in UTC for timestamps: the session's DateStyle and TimeZone), read in the source's snapshot. */
  async maxOf(table: string, column: string): Promise<string | null> {
    const info = await this.table(table);
    const [col] = this.columns(info, [column]);
    await this.changeKind(info, col);
    // On a snapshot connection of its own, not main: a failure then aborts only that connection's transaction.
    const client = await this.lease();
    let ok = false;
    try {
      const res = await client.query<{ m: string | null }>(`SELECT max(${ident(col.name)})::text AS m FROM ${qualified(this.cfg.schema, info.name)}`);
      ok = true;
      return res.rows[0].m;
    } catch (err) {
      throw new FerryError('run', 'source.max_failed', `reading the greatest ${table}.${column} in ${this.cfg.where} failed: ${safePgReason(err, client)}`);
    } finally {
      this.release(client, ok);
    }
  }

  /** A connection inside a read-only transaction on the shared snapshot, one per concurrent read. */
  private async lease(): Promise<pg.Client> {
    if (this.closed) throw new FerryError('internal', 'source.closed', 'the PostgreSQL source was read after it was closed');
    let client = this.idle.pop();
    if (!client) {
      client = await connectClient(this.cfg);
      try {
        await client.query(BEGIN_READ);
        await client.query(setSnapshot(this.snapshotId));
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
