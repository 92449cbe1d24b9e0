/**
 * PostgreSQL log sequence numbers (`X/Y`, two 32-bit hex halves) as ChangePositions: parsed to
 * a BigInt for comparison and for the replication protocol's 64-bit fields.
 */
import { FerryError } from '../../../errors.js';

const LSN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** The 64-bit value of an LSN; refuses anything that is not `X/Y` hex, so a position from another connector cannot be mistaken for one. */
export function parseLsn(lsn: string): bigint {
  const m = LSN.exec(lsn);
  if (!m) throw new FerryError('usage', 'sync.bad_position', `"${lsn.slice(0, 40)}" is not a PostgreSQL position (an LSN such as 0/16B3748); was the sync started against another source?`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

/** `X/Y` text for a 64-bit LSN, as PostgreSQL prints it. */
export function formatLsn(value: bigint): string {
  return `${(value >> 32n).toString(16).toUpperCase()}/${(value & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Negative, zero or positive as LSN `a` is before, at or after `b`. */
export function compareLsn(a: string, b: string): number {
  const x = parseLsn(a);
  const y = parseLsn(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
