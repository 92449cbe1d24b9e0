/**
 * The consistent point a sync starts from. MariaDB's START TRANSACTION WITH CONSISTENT
 * SNAPSHOT is lock-free and reports, in binlog_snapshot_file/position, the binlog position
 * that matches the snapshot exactly: every transaction before it is in the snapshot, every
 * one after it is in the stream from it. MySQL needs FLUSH TABLES WITH READ LOCK for the same
 * guarantee and is refused instead (sync.server_unsupported).
 */
import type { Connection } from 'mysql2';
import type { CaptureStart } from '../../capture.js';
import type { Source } from '../../connector.js';
import { FerryError } from '../../../errors.js';
import type { MysqlConfig } from '../config.js';
import { safeMysqlReason } from '../errors.js';
import { connect, rowsOf, run } from '../session.js';
import { MysqlSource, SnapshotLane } from '../source.js';
import { formatPosition } from './position.js';
import { isMariadb } from './preflight.js';

/** How long release waits for the reads in flight before it drops the snapshot connection. */
const RELEASE_WAIT_MS = 30_000;

/** Opens the snapshot connection and returns its position, the source that reads it, and release. */
export async function beginSnapshot(cfg: MysqlConfig): Promise<CaptureStart> {
  const conn = await connect(cfg);
  let position: string;
  try {
    const version = String((await rowsOf(conn, 'SELECT VERSION()'))[0]?.[0] ?? '');
    if (!isMariadb(version)) {
      throw new FerryError(
        'usage',
        'sync.server_unsupported',
        `binlog capture supports MariaDB; ${cfg.where} runs MySQL ${version}, whose snapshot position needs a global read lock. Use a watermark sync (sync: change_column) for MySQL sources`,
      );
    }
    await run(conn, 'SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await run(conn, 'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
    const status = new Map((await rowsOf(conn, "SHOW STATUS LIKE 'binlog_snapshot_%'")).map((r) => [String(r[0]).toLowerCase(), String(r[1] ?? '')]));
    const file = status.get('binlog_snapshot_file') ?? '';
    const pos = Number(status.get('binlog_snapshot_position'));
    if (!file || !Number.isSafeInteger(pos)) {
      throw new FerryError(
        'run',
        'sync.binlog_off',
        `${cfg.where} reports no binlog position for the snapshot (log_bin is OFF); start the server with log_bin, binlog_format=ROW and binlog_row_image=FULL`,
      );
    }
    position = formatPosition({ file, pos });
  } catch (err) {
    conn.destroy();
    if (err instanceof FerryError) throw err;
    throw new FerryError('connection', 'connector.snapshot_failed', `could not start a consistent snapshot on ${cfg.where}: ${safeMysqlReason(err)}`, [], { cause: err });
  }
  const lane = new SnapshotLane(conn);
  let released = false;
  return {
    position,
    openSnapshot: async (): Promise<Source> => {
      if (released) throw new FerryError('internal', 'sync.snapshot_released', 'the capture snapshot was read after it was released');
      return MysqlSource.onSnapshot(cfg, lane);
    },
    release: async (): Promise<void> => {
      if (released) return;
      released = true;
      // After the reads in flight: the transaction ends only when nobody is using it. A read
      // left suspended forever (an iterator never closed) must not hold the snapshot open.
      let timer: NodeJS.Timeout | undefined;
      const end = await Promise.race([lane.take(), new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), RELEASE_WAIT_MS)))]);
      clearTimeout(timer);
      if (!end) {
        conn.destroy();
        return;
      }
      try {
        await run(conn, 'COMMIT');
      } catch {
        // A broken connection has no snapshot left to end.
      } finally {
        end();
        await close(conn);
      }
    },
  };
}

function close(conn: Connection): Promise<void> {
  return new Promise((resolve) => conn.end(() => resolve()));
}
