/**
 * The binlog as a stream of committed transactions. zongji reads the row-based binlog from a
 * file and position; its events are queued as they arrive and assembled here, one at a time,
 * into transactions: a MariaDB GTID event (or a BEGIN query) opens one, row events add to it,
 * and its XID (or COMMIT query) closes it, whose end is the transaction's position. DDL is a
 * group of its own. Reading pauses zongji's connection while too many transactions wait, so a
 * slow target holds a bounded amount of the binlog in memory.
 */
import ZongJi from '@vlasky/zongji';
import type { Change, ChangePosition, ChangeStream, RowChange, SchemaChange, SourceTransaction } from '../../capture.js';
import type { LogicalType, TableInfo } from '../../connector.js';
import { FerryError } from '../../../errors.js';
import type { MysqlConfig } from '../config.js';
import { safeMysqlReason } from '../errors.js';
import { binlogColumns, rowValues, sameShape, type BinlogColumn, type MapColumn, type MapColumnSchema } from './decode.js';
import { parseDdl, type Ddl } from './ddl.js';
import { formatPosition, type BinlogPosition } from './position.js';

/** The events a stream needs; everything else (format descriptions, annotations, heartbeats) is skipped by zongji. */
const EVENTS = ['rotate', 'mariadbgtid', 'query', 'xid', 'tablemap', 'writerows', 'updaterows', 'deleterows'];

/** A captured table as introspected, and its columns MariaDB declares JSON. */
export interface CapturedTable {
  info: TableInfo;
  json: ReadonlySet<string>;
}

/** What the stream needs from the capture around it. */
export interface BinlogStreamOptions {
  cfg: MysqlConfig;
  /** Captured tables: the caller's name → the table as introspected when the stream started. */
  tables: Map<string, CapturedTable>;
  from: BinlogPosition;
  /** Re-reads one table's definition after DDL on it; undefined when it no longer exists. */
  introspect(table: string): Promise<CapturedTable | undefined>;
  /** Replica id the binlog dump announces; unique per stream, since the server drops an older dump with the same id. */
  serverId: number;
  signal?: AbortSignal;
  /** Transactions that may wait before the binlog connection is paused (default 64). */
  maxPending?: number;
  /**
   * A transaction touching no captured table is not yielded, but once this long has passed
   * since the last yield one is, with no changes, so the stored position keeps up with a binlog
   * whose old files are purged (default 60 s).
   */
  advanceEveryMs?: number;
}

/** The subset of zongji's event objects the stream reads. */
interface BinlogEvent {
  getEventName(): string;
  nextPosition: number;
  timestamp: number;
  binlogName?: string;
  query?: string;
  schema?: string;
  tableId?: number;
  tableName?: string;
  rows?: Array<Record<string, unknown>> | Array<{ before: Record<string, unknown>; after: Record<string, unknown> }>;
  tableMap?: Record<number, { tableName: string; columns?: MapColumn[]; columnSchemas: MapColumnSchema[] }>;
}

interface TableMapping {
  table: string;
  columns: BinlogColumn[];
}

/** A ChangeStream over zongji (see the module comment). */
export class BinlogStream implements ChangeStream {
  private readonly zongji: ZongJi;
  private readonly events: BinlogEvent[] = [];
  /** Commit events (XID, COMMIT, DDL) waiting in `events`: what the pending bound counts. */
  private pendingCommits = 0;
  private paused = false;
  private failure: unknown;
  private stopping = false;
  private wake?: () => void;
  private file: string;
  private open?: Change[];
  private readonly maps = new Map<number, TableMapping>();
  /** The shape last told per table, so a SchemaChange is sent before a table's first change and on every difference. */
  private readonly told = new Map<string, Array<{ name: string; type: LogicalType }>>();
  /** Captured tables by their name at the source. */
  private readonly byActualName = new Map<string, string>();
  private lastYield = Date.now();
  private readonly maxPending: number;
  private readonly advanceEveryMs: number;
  private readonly onAbort = (): void => {
    this.failure ??= this.opts.signal?.reason;
    void this.stop();
  };
  /** The last position the sync said it applied (kept for lag; MySQL needs no acknowledgement). */
  acknowledged?: ChangePosition;

  constructor(private readonly opts: BinlogStreamOptions) {
    this.file = opts.from.file;
    this.maxPending = opts.maxPending ?? 64;
    this.advanceEveryMs = opts.advanceEveryMs ?? 60_000;
    for (const [name, t] of opts.tables) this.byActualName.set(t.info.name, name);
    this.zongji = new ZongJi({ ...opts.cfg.connection });
    this.zongji.on('binlog', (e: BinlogEvent) => this.receive(e));
    this.zongji.on('error', (err: unknown) => this.fail(err));
    opts.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.zongji.start({
      serverId: opts.serverId,
      filename: opts.from.file,
      position: opts.from.pos,
      includeEvents: EVENTS,
      includeSchema: { [opts.cfg.database]: [...this.byActualName.keys()] },
    });
    // A connection the server closes (shutdown, KILL) ends without an error event.
    this.zongji.connection?.once('end', () => this.fail(new Error('the server closed the binlog connection')));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SourceTransaction> {
    try {
      for (;;) {
        if (this.failure !== undefined) throw this.failureError();
        if (this.stopping) return;
        const e = this.events.shift();
        if (!e) {
          this.resumeReading();
          await new Promise<void>((resolve) => (this.wake = resolve));
          continue;
        }
        if (isCommit(e)) {
          this.pendingCommits--;
          if (this.pendingCommits <= this.maxPending / 2) this.resumeReading();
        }
        const txn = await this.apply(e);
        if (txn && !this.stopping) {
          this.lastYield = Date.now();
          yield txn;
        }
      }
    } finally {
      await this.stop();
    }
  }

  async acknowledge(position: ChangePosition): Promise<void> {
    this.acknowledged = position;
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    this.notify();
    const stopped = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      this.zongji.once('stopped', () => (clearTimeout(timer), resolve()));
    });
    this.zongji.stop();
    await stopped;
  }

  private receive(e: BinlogEvent): void {
    if (this.stopping) return;
    this.events.push(e);
    if (isCommit(e) && ++this.pendingCommits > this.maxPending && !this.paused) {
      this.paused = true;
      this.zongji.connection?.pause();
    }
    this.notify();
  }

  private resumeReading(): void {
    if (!this.paused) return;
    this.paused = false;
    this.zongji.connection?.resume();
  }

  private fail(err: unknown): void {
    if (this.stopping) return;
    this.failure ??= err ?? new Error('unknown binlog failure');
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private failureError(): unknown {
    const err = this.failure;
    if (err instanceof FerryError || this.opts.signal?.aborted) return err;
    return new FerryError(
      'run',
      'sync.stream_failed',
      `reading the binlog of ${this.opts.cfg.where} failed: ${safeMysqlReason(err)}; the sync resumes from its last applied position when restarted`,
      [],
      { cause: err },
    );
  }

  /** Applies one event to the transaction being assembled; returns the transaction its commit completes. */
  private async apply(e: BinlogEvent): Promise<SourceTransaction | undefined> {
    switch (e.getEventName()) {
      case 'rotate':
        // The payload names the file the following events come from (at dump start too).
        if (e.binlogName) this.file = e.binlogName;
        return undefined;
      case 'mariadbgtid':
        this.open = [];
        return undefined;
      case 'tablemap':
        this.mapTable(e);
        return undefined;
      case 'writerows':
      case 'updaterows':
      case 'deleterows':
        this.addRows(e);
        return undefined;
      case 'xid':
        return this.commit(e);
      case 'query':
        return this.query(e);
      default:
        return undefined;
    }
  }

  private async query(e: BinlogEvent): Promise<SourceTransaction | undefined> {
    const text = (e.query ?? '').trim().toUpperCase();
    if (text === 'BEGIN' || text.startsWith('XA START')) {
      this.open = [];
      return undefined;
    }
    if (text === 'COMMIT' || text.startsWith('XA COMMIT')) return this.commit(e);
    if (text === 'ROLLBACK' || text.startsWith('XA ROLLBACK')) {
      this.open = [];
      return this.commit(e);
    }
    const ddl = parseDdl(e.query ?? '', e.schema ?? '');
    if (!ddl) return undefined;
    // DDL commits on its own: whatever it concerns, its end is a transaction boundary.
    this.open = await this.ddlChanges(ddl);
    return this.commit(e);
  }

  private async ddlChanges(ddl: Ddl): Promise<Change[]> {
    const db = this.opts.cfg.database;
    const captured =
      ddl.kind === 'drop_database'
        ? ddl.tables.some((t) => t.schema === db)
          ? [...this.opts.tables.keys()]
          : []
        : ddl.tables.filter((t) => t.schema === db).flatMap((t) => this.capturedName(t.name) ?? []);
    if (captured.length === 0) return [];
    if (ddl.kind === 'truncate') return [{ kind: 'truncate', tables: captured }];
    if (ddl.kind === 'alter') {
      const changes: Change[] = [];
      for (const table of captured) {
        const captured = await this.opts.introspect(table);
        if (!captured) throw sourceDdl(table, 'renamed or dropped');
        this.opts.tables.set(table, captured);
        const columns = captured.info.columns.map((c) => ({ name: c.name, type: c.type }));
        this.told.set(table, columns);
        changes.push({ kind: 'schema', table, columns } satisfies SchemaChange);
      }
      return changes;
    }
    const what = { drop: 'dropped', rename: 'renamed', create: 're-created', drop_database: 'dropped with its database' }[ddl.kind];
    throw sourceDdl(captured[0], what);
  }

  private capturedName(actual: string): string | undefined {
    if (this.byActualName.has(actual)) return this.byActualName.get(actual);
    for (const [name, caller] of this.byActualName) if (name.toLowerCase() === actual.toLowerCase()) return caller;
    return undefined;
  }

  private mapTable(e: BinlogEvent): void {
    const entry = e.tableId === undefined ? undefined : e.tableMap?.[e.tableId];
    const table = this.capturedName(e.tableName ?? '');
    if (!entry?.columns || !table) return;
    const known = this.opts.tables.get(table);
    const columns = binlogColumns(entry.columns, entry.columnSchemas, known?.info, known?.json);
    this.maps.set(e.tableId!, { table, columns });
    const shape = columns.map((c) => ({ name: c.name, type: c.type }));
    const told = this.told.get(table);
    if (told && sameShape(told, shape)) return;
    this.told.set(table, shape);
    (this.open ??= []).push({ kind: 'schema', table, columns: shape });
  }

  private addRows(e: BinlogEvent): void {
    const mapping = e.tableId === undefined ? undefined : this.maps.get(e.tableId);
    if (!mapping || !e.rows) return;
    const changes = (this.open ??= []);
    const names = mapping.columns.map((c) => c.name);
    const kind = e.getEventName() === 'writerows' ? 'insert' : e.getEventName() === 'updaterows' ? 'update' : 'delete';
    for (const r of e.rows) {
      const change: RowChange = { kind, table: mapping.table, columns: names };
      if (kind === 'update') {
        const pair = r as { before: Record<string, unknown>; after: Record<string, unknown> };
        change.old = rowValues(mapping.columns, pair.before);
        change.row = rowValues(mapping.columns, pair.after);
      } else if (kind === 'insert') change.row = rowValues(mapping.columns, r as Record<string, unknown>);
      else change.old = rowValues(mapping.columns, r as Record<string, unknown>);
      changes.push(change);
    }
  }

  private commit(e: BinlogEvent): SourceTransaction | undefined {
    const changes = this.open ?? [];
    this.open = undefined;
    const position = formatPosition({ file: this.file, pos: e.nextPosition });
    const committedAt = new Date(e.timestamp);
    if (changes.length > 0) return { position, committedAt, changes };
    return Date.now() - this.lastYield >= this.advanceEveryMs ? { position, committedAt, changes: [] } : undefined;
  }
}

function isCommit(e: BinlogEvent): boolean {
  const name = e.getEventName();
  return name === 'xid' || name === 'query';
}

function sourceDdl(table: string, what: string): FerryError {
  return new FerryError(
    'run',
    'sync.source_ddl',
    `captured table ${table} was ${what} at the source; the stream cannot continue past it: re-pin the source schema and start the sync again from a new snapshot`,
  );
}
