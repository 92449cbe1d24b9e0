/**
 * One logical replication stream: START_REPLICATION from a stored position over
 * pg-logical-replication's connection, decoded into SourceTransactions in commit order.
 *
 * Acknowledgement is Ferry's alone: the library's automatic acknowledgement and its timer
 * (which would confirm the last position *received*, not the last one the target committed)
 * are off, and every standby status this stream sends reports the last acknowledged position.
 * Received messages wait in a bounded queue: past MAX_QUEUED_COMMITS transactions or
 * MAX_QUEUED_BYTES the socket is paused, so a slow applier keeps memory flat; while paused,
 * the status timer keeps the server's wal_sender_timeout from ending the connection.
 */
import type pg from 'pg';
import { LogicalReplicationService } from 'pg-logical-replication';
import { FerryError } from '../../../errors.js';
import type { Change, ChangeStream, RowChange, SourceTransaction } from '../../capture.js';
import type { PgConfig } from '../config.js';
import { keepFirstError, safePgReason } from '../errors.js';
import { sessionConfig } from '../session.js';
import { formatLsn, parseLsn } from './lsn.js';
import { decodePgoutput, type PgoutputMessage } from './pgoutput.js';
import { decodeOld, decodeRow, relationShape, sameShape, type RelationShape } from './values.js';

/** Pause reading past this many complete transactions waiting to be taken… */
const MAX_QUEUED_COMMITS = 64;
/** …or this many bytes of messages; resume once both are under half. */
const MAX_QUEUED_BYTES = 32 * 1024 * 1024;
/** Standby status interval: a quarter of the server's wal_sender_timeout, at most 10 s. */
const STATUS_INTERVAL_MS = 10_000;
/** How long a clean end (CopyDone) may take before the connection is simply closed. */
const STOP_GRACE_MS = 3_000;

/** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01). */
const PG_EPOCH_MS = 946_684_800_000;

export interface StreamOptions {
  cfg: PgConfig;
  /** The slot's name, also the publication's (slotName: [a-z0-9_] only). */
  slot: string;
  from: string;
  /** Catalog table name → the name the sync uses. */
  tableNames: ReadonlyMap<string, string>;
  /** Base type names (domains resolved) of type oids, as introspect maps them. */
  baseTypes(oids: number[]): Promise<Map<number, string>>;
  /** The server's wal_sender_timeout in ms (0: none): a paused stream must still report within it. */
  senderTimeoutMs: number;
  /** After this long without a transaction to yield, a keepalive's position is yielded as an empty transaction (IDLE_ADVANCE_MS). */
  idleAdvanceMs: number;
  signal?: AbortSignal;
}

interface Connection {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  stream: { pause(): void; resume(): void };
}

type Parsed = { msg: PgoutputMessage; size: number } | { error: unknown; size: number } | { advance: string; size: number };

/**
 * An idle stream yields the server's keepalive position as an empty transaction at most this
 * often, so the sync stores it and acknowledges it and the slot stops holding WAL that other
 * tables wrote. Safe: a logical walsender's keepalive position is how far it has decoded and sent,
 * so every transaction committed before it has already arrived (PostgreSQL's own apply worker
 * confirms it the same way when it has nothing in progress).
 */
export const IDLE_ADVANCE_MS = 60_000;

/**
 * pgoutput with Ferry's own decoder; keeps the client so the stream can send status and pause
 * its socket. The library's AbstractPlugin is not exported: this has its shape.
 */
class FerryPgoutput {
  client?: pg.Client;

  constructor(readonly options: { publication: string }) {}

  get name(): string {
    return 'pgoutput';
  }

  start(client: pg.Client, slot: string, lsn: string): Promise<unknown> {
    this.client = client;
    keepFirstError(client);
    // Replication commands take no parameters; both names are [a-z0-9_] (slotName).
    return client.query(`START_REPLICATION SLOT "${slot}" LOGICAL ${lsn} (proto_version '1', publication_names '"${this.options.publication}"')`);
  }

  parse(buffer: Buffer): Parsed {
    // Thrown here, an error would surface inside the driver's socket handler.
    try {
      return { msg: decodePgoutput(buffer), size: buffer.length };
    } catch (error) {
      return { error, size: buffer.length };
    }
  }

  connection(): Connection | undefined {
    return (this.client as unknown as { connection?: Connection } | undefined)?.connection;
  }
}

/** The standby status update: written, flushed and applied all at `lsn`. */
function statusUpdate(lsn: bigint): Buffer {
  const buf = Buffer.alloc(34);
  buf.write('r', 0);
  buf.writeBigUInt64BE(lsn, 1);
  buf.writeBigUInt64BE(lsn, 9);
  buf.writeBigUInt64BE(lsn, 17);
  buf.writeBigInt64BE(BigInt(Date.now() - PG_EPOCH_MS) * 1000n, 25);
  buf.writeUInt8(0, 33);
  return buf;
}

/** Opens the stream; resolves once the server started streaming, rejects (slot in use, connection) before. */
export async function openStream(o: StreamOptions): Promise<ChangeStream> {
  const stream = new PgChangeStream(o);
  await stream.start();
  return stream;
}

class PgChangeStream implements ChangeStream {
  private readonly service: LogicalReplicationService;
  private readonly plugin: FerryPgoutput;
  private readonly from: bigint;
  private acked: bigint;
  private queue: Parsed[] = [];
  private head = 0;
  private queuedBytes = 0;
  private queuedCommits = 0;
  private paused = false;
  private failure?: unknown;
  private ended = false;
  private stopping = false;
  private iterating = false;
  private wake?: () => void;
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped?: Promise<void>;
  private readonly relations = new Map<number, RelationShape>();
  /** When the iteration last yielded (or the stream started): what an idle advance waits on. */
  private lastYieldAt = Date.now();
  /** The end position of the last transaction yielded (or `from`). */
  private yielded: bigint;
  private readonly types = new Map<number, string>();
  /** The shape each table was last announced with (SchemaChange) in a yielded transaction. */
  private readonly announced = new Map<string, RelationShape>();
  private readonly onAbort = (): void => void this.stop();

  constructor(private readonly o: StreamOptions) {
    this.from = parseLsn(o.from);
    this.acked = this.from;
    this.yielded = this.from;
    this.plugin = new FerryPgoutput({ publication: o.slot });
    const client = { ...sessionConfig(o.cfg), replication: 'database' } as pg.ClientConfig;
    this.service = new LogicalReplicationService(client, { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: false } });
  }

  async start(): Promise<void> {
    if (!/^[a-z0-9_]+$/.test(this.o.slot)) throw new FerryError('internal', 'sync.bad_slot_name', `slot name ${this.o.slot} is not of the form slotName makes`);
    this.o.signal?.throwIfAborted();
    this.service.on('error', (err: unknown) => this.fail(err));
    this.service.on('data', (_lsn: string, parsed: Parsed) => this.push(parsed));
    this.service.on('heartbeat', (lsn: string, _time: number, reply: boolean) => {
      if (reply) this.sendStatus();
      if (Date.now() - this.lastYieldAt >= this.o.idleAdvanceMs) this.push({ advance: lsn, size: 0 });
    });
    const started = new Promise<void>((resolve) => this.service.once('start', () => resolve()));
    this.running = this.service.subscribe(this.plugin, this.o.slot, formatLsn(this.from));
    this.running.then(
      () => this.finish(),
      (err: unknown) => this.fail(err),
    );
    try {
      await Promise.race([started, this.running.then(() => Promise.reject(new Error('the server ended replication before it started')))]);
    } catch (err) {
      await this.close();
      throw this.failed(err);
    }
    const interval = this.o.senderTimeoutMs > 0 ? Math.max(100, Math.min(STATUS_INTERVAL_MS, Math.floor(this.o.senderTimeoutMs / 4))) : STATUS_INTERVAL_MS;
    this.timer = setInterval(() => this.sendStatus(), interval);
    this.timer.unref();
    this.o.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  async acknowledge(position: string): Promise<void> {
    const lsn = parseLsn(position);
    if (lsn <= this.acked) return;
    this.acked = lsn;
    // A closed stream cannot confirm; the next stream starts from the stored position anyway.
    this.sendStatus();
  }

  stop(): Promise<void> {
    // Every caller (stop, the abort signal, the iteration's end) waits for the one clean end.
    this.stopped ??= this.end();
    return this.stopped;
  }

  private async end(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    this.o.signal?.removeEventListener('abort', this.onAbort);
    this.sendStatus();
    // CopyDone ends START_REPLICATION cleanly, and the server releases the slot before it
    // answers: a stream opened right after this one finds the slot free.
    const conn = this.plugin.connection();
    if (conn && !this.ended && this.failure === undefined) {
      try {
        conn.stream.resume();
        conn.endCopyFrom();
        await Promise.race([this.running?.catch(() => {}), new Promise((r) => setTimeout(r, STOP_GRACE_MS).unref())]);
      } catch {
        // The connection is already gone: closing it below is all there is to do.
      }
    }
    await this.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<SourceTransaction> {
    if (this.iterating) throw new FerryError('internal', 'sync.stream_reused', 'a change stream can be iterated once');
    this.iterating = true;
    return this.transactions();
  }

  private async *transactions(): AsyncGenerator<SourceTransaction> {
    let changes: Change[] | null = null;
    // Tables announced in the transaction being built; kept only if it is yielded.
    let announcing = new Map<string, RelationShape>();
    try {
      for (;;) {
        const parsed = await this.next();
        if (!parsed) return;
        if ('error' in parsed) throw parsed.error;
        if ('advance' in parsed) {
          // Between transactions only: inside one, its commit is still to come.
          const lsn = parseLsn(parsed.advance);
          if (changes !== null || lsn <= this.yielded || Date.now() - this.lastYieldAt < this.o.idleAdvanceMs) continue;
          this.yielded = lsn;
          this.lastYieldAt = Date.now();
          yield { position: formatLsn(lsn), committedAt: new Date(), changes: [] };
          if (this.stopping) return;
          continue;
        }
        const msg = parsed.msg;
        switch (msg.tag) {
          case 'begin':
            changes = [];
            announcing = new Map();
            break;
          case 'relation': {
            const missing = [...new Set(msg.columns.map((c) => c.typeOid))].filter((oid) => !this.types.has(oid));
            if (missing.length > 0) for (const [oid, base] of await this.o.baseTypes(missing)) this.types.set(oid, base);
            const table = this.o.tableNames.get(msg.name) ?? msg.name;
            this.relations.set(
              msg.oid,
              relationShape(table, msg.columns, (oid) => this.types.get(oid) ?? ''),
            );
            break;
          }
          case 'insert':
          case 'update':
          case 'delete': {
            const shape = this.shapeOf(msg.oid);
            const current = announcing.get(shape.table) ?? this.announced.get(shape.table);
            if (!current || !sameShape(current, shape)) {
              announcing.set(shape.table, shape);
              inTransaction(changes).push({ kind: 'schema', table: shape.table, columns: shape.columns.map((name, i) => ({ name, type: shape.types[i] })) });
            }
            inTransaction(changes).push(rowChange(shape, msg));
            break;
          }
          case 'truncate':
            inTransaction(changes).push({ kind: 'truncate', tables: msg.oids.map((oid) => this.shapeOf(oid).table) });
            break;
          case 'commit': {
            const txChanges = inTransaction(changes);
            changes = null;
            // At or before `from`: applied already (stored, perhaps not yet acknowledged).
            if (parseLsn(msg.endLsn) <= this.yielded) break;
            for (const [table, shape] of announcing) this.announced.set(table, shape);
            this.yielded = parseLsn(msg.endLsn);
            this.lastYieldAt = Date.now();
            yield { position: msg.endLsn, committedAt: msg.commitTime, changes: txChanges };
            if (this.stopping) return;
            break;
          }
          default:
            break;
        }
      }
    } catch (err) {
      if (this.o.signal?.aborted) throw this.o.signal.reason;
      throw this.failed(err);
    } finally {
      await this.stop();
    }
  }

  /** The next received message, waiting for one; undefined once stopped. */
  private async next(): Promise<Parsed | undefined> {
    for (;;) {
      if (this.stopping) {
        this.o.signal?.throwIfAborted();
        return undefined;
      }
      if (this.head < this.queue.length) {
        const parsed = this.queue[this.head++];
        if (this.head > 4096 && this.head * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.head);
          this.head = 0;
        }
        this.queuedBytes -= parsed.size;
        if ('msg' in parsed && parsed.msg.tag === 'commit') this.queuedCommits--;
        if (this.paused && this.queuedCommits <= MAX_QUEUED_COMMITS / 2 && this.queuedBytes <= MAX_QUEUED_BYTES / 2) {
          this.paused = false;
          this.plugin.connection()?.stream.resume();
        }
        return parsed;
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.ended) throw new Error('the server ended the change stream');
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  private push(parsed: Parsed): void {
    if (this.stopping) return;
    this.queue.push(parsed);
    this.queuedBytes += parsed.size;
    if ('msg' in parsed && parsed.msg.tag === 'commit') this.queuedCommits++;
    if (!this.paused && (this.queuedCommits > MAX_QUEUED_COMMITS || this.queuedBytes > MAX_QUEUED_BYTES)) {
      this.paused = true;
      this.plugin.connection()?.stream.pause();
    }
    this.wake?.();
  }

  private shapeOf(oid: number): RelationShape {
    const shape = this.relations.get(oid);
    if (!shape) throw new Error(`a change for relation ${oid} came before its description`);
    return shape;
  }

  private sendStatus(): void {
    if (this.ended || this.failure !== undefined) return;
    try {
      this.plugin.connection()?.sendCopyFromChunk(statusUpdate(this.acked));
    } catch {
      // A broken connection reports itself through the stream's error path.
    }
  }

  private fail(err: unknown): void {
    if (this.stopping || this.failure !== undefined) return;
    this.failure = err;
    this.wake?.();
  }

  private finish(): void {
    this.ended = true;
    this.wake?.();
  }

  /** The FerryError for a failure of this stream, with the server's reason and no row value. */
  private failed(err: unknown): FerryError {
    if (err instanceof FerryError) return err;
    const where = this.o.cfg.where;
    if ((err as { code?: string }).code === '55006') {
      return new FerryError(
        'conflict',
        'sync.slot_in_use',
        `replication slot ${this.o.slot} on ${where} is in use by another process: another copy of this sync is running, or a stopped one's connection has not timed out yet (wal_sender_timeout); stop the other copy or retry in a minute`,
      );
    }
    return new FerryError(
      'connection',
      'sync.stream_failed',
      `the change stream from ${where} (slot ${this.o.slot}) failed: ${safePgReason(err, this.plugin.client)}; the sync resumes from its last applied position when restarted`,
      [],
      { cause: err },
    );
  }

  private async close(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.head = 0;
    // end() on a connection the server already dropped may never settle.
    await Promise.race([this.service.stop().catch(() => {}), new Promise((r) => setTimeout(r, STOP_GRACE_MS).unref())]);
  }
}

function inTransaction(changes: Change[] | null): Change[] {
  if (!changes) throw new Error('a change came outside a transaction');
  return changes;
}

function rowChange(shape: RelationShape, msg: Extract<PgoutputMessage, { tag: 'insert' | 'update' | 'delete' }>): RowChange {
  const change: RowChange = { kind: msg.tag, table: shape.table, columns: shape.columns };
  if (msg.tag !== 'delete') {
    const { row, unchanged } = decodeRow(shape, msg.row);
    change.row = row;
    if (unchanged.length > 0) change.unchanged = unchanged;
  }
  if (msg.tag !== 'insert' && msg.old) change.old = decodeOld(shape, msg.old, msg.oldKind === 'K');
  return change;
}
