/**
 * What the server says about its binlog files: which are still on disk, how large each is and
 * where the next event will be written. A stream starts only from a position whose history is
 * complete on disk, and lag is measured in binlog bytes.
 */
import type { Connection } from 'mysql2';
import { FerryError } from '../../../errors.js';
import { rowsOf } from '../session.js';
import { comparePositions, fileNumber, formatPosition, type BinlogPosition } from './position.js';

/** A binlog file still on the server and its size in bytes. */
export interface BinlogFile {
  file: string;
  size: number;
}

/** SHOW BINARY LOGS: the files still on disk, oldest first. */
export async function binaryLogs(conn: Connection): Promise<BinlogFile[]> {
  const rows = await rowsOf(conn, 'SHOW BINARY LOGS');
  return rows.map((r) => ({ file: String(r[0]), size: Number(r[1]) })).sort((a, b) => fileNumber(a.file) - fileNumber(b.file));
}

/** Where the next event will be written (SHOW MASTER STATUS; SHOW BINARY LOG STATUS where MASTER is gone). */
export async function headPosition(conn: Connection): Promise<BinlogPosition> {
  let rows: unknown[][];
  try {
    rows = await rowsOf(conn, 'SHOW MASTER STATUS');
  } catch {
    rows = await rowsOf(conn, 'SHOW BINARY LOG STATUS');
  }
  if (rows.length === 0 || !rows[0][0]) {
    throw new FerryError(
      'run',
      'sync.binlog_off',
      'the source writes no binlog (log_bin is OFF), so there are no changes to stream; start the server with log_bin, binlog_format=ROW, binlog_row_image=FULL',
    );
  }
  return { file: String(rows[0][0]), pos: Number(rows[0][1]) };
}

/**
 * Refuses a start position whose history is not complete on disk: its file was purged (the
 * changes since it are gone, a new snapshot is needed) or it lies beyond the head (the ledger
 * belongs to another server, or the binlog was reset).
 */
export function checkStart(logs: readonly BinlogFile[], from: BinlogPosition, head: BinlogPosition, where: string): void {
  const file = logs.find((l) => l.file === from.file);
  if (comparePositions(from, head) > 0 || (file && from.pos > file.size)) {
    throw new FerryError(
      'conflict',
      'sync.position_ahead',
      `the stored position ${formatPosition(from)} is after the binlog head ${formatPosition(head)} of ${where}: the binlog was reset or this is another server; start the sync again from a new snapshot`,
    );
  }
  if (!file) {
    const oldest = logs[0] ? ` (the oldest file left is ${logs[0].file})` : '';
    throw new FerryError(
      'conflict',
      'sync.position_lost',
      `binlog file ${from.file} of ${where} was purged${oldest}, so the changes since ${formatPosition(from)} are gone; start the sync again from a new snapshot, and keep binlogs longer (binlog_expire_logs_seconds) than a sync may pause`,
    );
  }
}

/** Binlog bytes between `from` and `head`, or null when `from`'s file is no longer listed. */
export function bytesBetween(logs: readonly BinlogFile[], from: BinlogPosition, head: BinlogPosition): number | null {
  if (comparePositions(from, head) >= 0) return 0;
  if (!logs.some((l) => l.file === from.file)) return null;
  let bytes = 0;
  for (const log of logs) {
    const n = fileNumber(log.file);
    if (n < fileNumber(from.file) || n > fileNumber(head.file)) continue;
    const start = log.file === from.file ? from.pos : 0;
    const end = log.file === head.file ? head.pos : log.size;
    bytes += Math.max(0, end - start);
  }
  return bytes;
}
