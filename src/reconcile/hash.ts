/**
 * The hashes reconciliation compares. Every hash is the first 64 bits of the MD5 of a
 * canonical text: MD5 because PostgreSQL, MariaDB and Node all have it built in, so a
 * database computes exactly the hash Node computes without any value leaving it. MD5 is used
 * as a checksum here, not for security: nothing trusts it against an adversary.
 *
 * - row hash: h(row text), where the row text encodes every column of the target row in
 *   table order as `N` for NULL or `<length in UTF-8 bytes>:<canonical text>`, concatenated:
 *   unambiguous whatever the values contain, and it binds values to their key. A table or
 *   key-range checksum is the row count plus the sum of row hashes modulo 2^64. Bytes, not
 *   characters, because every database counts bytes cheaply (PostgreSQL octet_length, MariaDB
 *   LENGTH) while counting characters costs a decode.
 * - value hash: h(canonical text) of one column value; only used row by row, to name the
 *   columns in which a differing row differs.
 */
import { digest64, md5Text } from './md5.js';

export const MOD64 = 1n << 64n;

/** The first 64 bits of MD5(text) as 16 lower-case hex digits. */
export function hex16(text: string): string {
  md5Text(text);
  return halvesHex(digest64.hi, digest64.lo);
}

/** Two unsigned 32-bit halves as 16 hex digits. */
export function halvesHex(hi: number, lo: number): string {
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/** The row text of canonical column values in table order. */
export function rowText(values: readonly (string | null)[]): string {
  let out = '';
  for (const v of values) out += v === null ? 'N' : `${Buffer.byteLength(v)}:${v}`;
  return out;
}

/** Parses 16 hex digits into an unsigned 64-bit bigint. */
export function hexToU64(hex: string): bigint {
  return BigInt(`0x${hex}`);
}

/** Reduces any integer (a database may return a signed or an unbounded sum) modulo 2^64. */
export function mod64(n: bigint): bigint {
  const r = n % MOD64;
  return r < 0n ? r + MOD64 : r;
}

/** Renders a 64-bit checksum as 16 hex digits, the form reports use. */
export function u64Hex(n: bigint): string {
  return mod64(n).toString(16).padStart(16, '0');
}

/**
 * Sums 64-bit hashes modulo 2^64 without a BigInt per value: the two 32-bit halves add up in
 * plain numbers (exact below 2^53) and fold into a BigInt every 2^20 additions.
 */
export class Sum64 {
  private hi = 0;
  private lo = 0;
  private pending = 0;
  private total = 0n;
  count = 0;

  /** Adds a hash given as 16 hex digits. */
  addHex(hex: string): void {
    this.addHalves(parseInt(hex.slice(0, 8), 16), parseInt(hex.slice(8, 16), 16));
  }

  /** Adds a hash given as its unsigned 32-bit halves. */
  addHalves(hi: number, lo: number): void {
    this.hi += hi;
    this.lo += lo;
    this.count++;
    if (++this.pending === 1 << 20) this.fold();
  }

  /** Adds (or with sign -1 subtracts) an already-summed value and count. */
  addSum(sum: bigint, count: number, sign: 1 | -1 = 1): void {
    this.total += sign === 1 ? sum : -sum;
    this.count += sign * count;
  }

  /** The sum modulo 2^64. */
  value(): bigint {
    this.fold();
    return mod64(this.total);
  }

  private fold(): void {
    this.total += (BigInt(this.hi) << 32n) + BigInt(this.lo);
    this.hi = 0;
    this.lo = 0;
    this.pending = 0;
  }
}

/** Packs per-column value hashes (16 hex digits, or null) into 8 bytes each; all-zero bytes mean NULL. */
export function packHashes(hashes: readonly (string | null)[]): Buffer {
  const buf = Buffer.alloc(hashes.length * 8);
  hashes.forEach((h, i) => {
    if (h !== null) buf.write(h, i * 8, 'hex');
  });
  return buf;
}

/** The i-th packed hash as 16 hex digits, or null. */
export function unpackHash(buf: Buffer, i: number): string | null {
  const hex = buf.toString('hex', i * 8, i * 8 + 8);
  return hex === '0000000000000000' ? null : hex;
}
