/**
 * MySQL/MariaDB change capture (issue #18): the consistent snapshot of MariaDB's START
 * TRANSACTION WITH CONSISTENT SNAPSHOT, then the row-based binlog from its position. Nothing
 * is created at the source (no slot): the position stored in the target is all a stream
 * needs, as long as the server still has the binlog files after it.
 */
import { randomInt } from 'node:crypto';
import type { Connection } from 'mysql2';
import type { CaptureFinding, CaptureLag, CaptureStart, ChangeCapture, ChangePosition, ChangeStream } from '../../capture.js';
import { FerryError } from '../../../errors.js';
import type { MysqlConfig } from '../config.js';
import { findTable, introspectDatabase } from '../introspect.js';
import { connect, rowsOf } from '../session.js';
import { binaryLogs, bytesBetween, checkStart, headPosition } from './binlogs.js';
import { comparePositions, formatPosition, parsePosition } from './position.js';
import { preflightFindings } from './preflight.js';
import { beginSnapshot } from './snapshot.js';
import { BinlogStream, type BinlogStreamOptions, type CapturedTable } from './stream.js';

/** Tuning a caller (tests, the sync engine) may pass to every stream. */
export type StreamTuning = Pick<BinlogStreamOptions, 'maxPending' | 'advanceEveryMs'>;

/** Binlog capture of one MariaDB database. */
export class MysqlCapture implements ChangeCapture {
  readonly kind = 'mysql';
  readonly displayUrl: string;
  private ctrl?: Promise<Connection>;
  private readonly streams = new Set<BinlogStream>();

  constructor(
    private readonly cfg: MysqlConfig,
    private readonly tuning: StreamTuning = {},
  ) {
    this.displayUrl = cfg.display;
  }

  async preflight(tables: string[]): Promise<CaptureFinding[]> {
    const conn = await this.control();
    return preflightFindings((sql, values) => rowsOf(conn, sql, values), this.cfg.database, tables);
  }

  begin(_name: string, _tables: string[]): Promise<CaptureStart> {
    return beginSnapshot(this.cfg);
  }

  async stream(_name: string, tables: string[], from: ChangePosition, signal?: AbortSignal): Promise<ChangeStream> {
    signal?.throwIfAborted();
    const start = parsePosition(from);
    const conn = await this.control();
    checkStart(await binaryLogs(conn), start, await headPosition(conn), this.cfg.where);
    const known = new Map<string, CapturedTable>();
    for (const name of tables) {
      const captured = await this.describe(conn, name);
      if (!captured) throw new FerryError('not_found', 'sync.table_missing', `table ${name} does not exist in database ${this.cfg.where}; check the table names and the database in the URL`);
      known.set(name, captured);
    }
    const stream = new BinlogStream({
      ...this.tuning,
      cfg: this.cfg,
      tables: known,
      from: start,
      introspect: (table) => this.describe(conn, table),
      // Above any server_id a real replica is likely to use; each stream its own, since the
      // server ends an older binlog dump announcing the same id.
      serverId: randomInt(2 ** 31, 2 ** 32 - 1),
      signal,
    });
    this.streams.add(stream);
    const stop = stream.stop.bind(stream);
    stream.stop = async () => {
      this.streams.delete(stream);
      await stop();
    };
    return stream;
  }

  async lag(_name: string, position: ChangePosition): Promise<CaptureLag> {
    const from = parsePosition(position);
    const conn = await this.control();
    const head = await headPosition(conn);
    return { head: formatPosition(head), bytes: bytesBetween(await binaryLogs(conn), from, head) };
  }

  comparePositions(a: ChangePosition, b: ChangePosition): number {
    return comparePositions(parsePosition(a), parsePosition(b));
  }

  /** Binlog capture creates nothing at the source, so there is nothing to remove. */
  async drop(_name: string): Promise<void> {}

  async close(): Promise<void> {
    await Promise.all([...this.streams].map((s) => s.stop()));
    const ctrl = this.ctrl;
    this.ctrl = undefined;
    if (ctrl) {
      const conn = await ctrl.catch(() => undefined);
      await new Promise<void>((resolve) => (conn ? conn.end(() => resolve()) : resolve()));
    }
  }

  /**
   * A table as introspected, with the columns MariaDB declares JSON: it adds a json_valid
   * check to each, and mysql2 parses exactly those (see decode.ts).
   */
  private async describe(conn: Connection, table: string): Promise<CapturedTable | undefined> {
    const query = (sql: string, values: unknown[]): Promise<unknown[][]> => rowsOf(conn, sql, values);
    const info = findTable(await introspectDatabase(query, this.cfg.database), table);
    if (!info) return undefined;
    const checks = await query('SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?', [this.cfg.database, info.name]);
    const json = new Set(checks.flatMap((r) => /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(String(r[0]))?.[1]?.replace(/``/g, '`') ?? []));
    return { info, json };
  }

  /** The one connection for status queries and introspection (mysql2 runs its queries in turn). */
  private control(): Promise<Connection> {
    if (this.ctrl) return this.ctrl;
    const ctrl = connect(this.cfg).then((conn) => {
      // A connection the server dropped is replaced on the next call instead of failing every later one.
      const forget = (): void => {
        if (this.ctrl === ctrl) this.ctrl = undefined;
      };
      conn.once('error', forget);
      conn.once('end', forget);
      return conn;
    });
    ctrl.catch(() => {
      if (this.ctrl === ctrl) this.ctrl = undefined;
    });
    this.ctrl = ctrl;
    return ctrl;
  }
}
