/**
 * Binlog positions as Ferry stores them: `FILE:POS` text (`mariadb-bin.000003:4711`). Binlog
 * files of one server share a base name and a zero-padded, increasing number, so positions
 * order by that number first and the byte offset second.
 */
import { FerryError } from '../../../errors.js';

/** One point in the binlog: a file and a byte offset inside it. */
export interface BinlogPosition {
  file: string;
  pos: number;
}

/** `FILE:POS` text for a position. */
export function formatPosition(p: BinlogPosition): string {
  return `${p.file}:${p.pos}`;
}

/** Parses `FILE:POS`, refusing anything else (a position from another connector, a typo in a ledger). */
export function parsePosition(text: string): BinlogPosition {
  const m = /^(.+\.(\d+)):(\d+)$/.exec(text);
  const pos = m ? Number(m[3]) : NaN;
  if (!m || !Number.isSafeInteger(pos)) {
    throw new FerryError(
      'usage',
      'sync.bad_position',
      `${JSON.stringify(text)} is not a MySQL/MariaDB binlog position; expected FILE:POS such as mariadb-bin.000003:4711 (was it stored by another connector?)`,
    );
  }
  return { file: m[1], pos };
}

/** The numeric suffix of a binlog file name (`bin.000012` → 12). */
export function fileNumber(file: string): number {
  const m = /\.(\d+)$/.exec(file);
  return m ? Number(m[1]) : NaN;
}

/** Negative, zero or positive as `a` is before, at or after `b`. */
export function comparePositions(a: BinlogPosition, b: BinlogPosition): number {
  return fileNumber(a.file) - fileNumber(b.file) || a.pos - b.pos;
}
