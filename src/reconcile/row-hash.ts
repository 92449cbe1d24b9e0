/**
 * Pass 1's row hashes, computed in JavaScript: the same h(row text) as hash.ts (the first 64
 * bits of MD5 of `N` / `<UTF-8 byte length>:<canonical>` per column), written byte by byte
 * into one reused buffer and hashed there. node:crypto's one-shot hash costs about 3 µs a call
 * on Node 20 whatever the input's size (OpenSSL sets up a context per call; measured on
 * 100-byte rows, this costs under 1 µs), and the row text never becomes a string, which spares
 * the garbage collector a million concatenations per million rows. MD5 as in hash.ts: a
 * checksum, not a security control. test/reconcile/canonical.test.ts pins it to node:crypto.
 */
import { Sum64 } from './hash.js';

const S = [
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10,
  15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
];
const K = new Int32Array(64).map((_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0);
const M = new Int32Array(16);
/** Room for MD5's padding and length after the text. */
const PAD = 72;

const bswap = (x: number): number => (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;

/** MD5 (RFC 1321) of the first n bytes of buf (which has PAD bytes to spare); adds its first 64 bits to sum. */
function md5Into(buf: Buffer, n: number, sum: Sum64): void {
  buf[n] = 0x80;
  let end = n + 1;
  while ((end & 63) !== 56) buf[end++] = 0;
  buf.writeUInt32LE((n * 8) >>> 0, end);
  buf.writeUInt32LE(Math.floor(n / 0x20000000), end + 4);
  end += 8;
  let a0 = 0x67452301;
  let b0 = 0xefcdab89 | 0;
  let c0 = 0x98badcfe | 0;
  let d0 = 0x10325476;
  for (let off = 0; off < end; off += 64) {
    for (let j = 0; j < 16; j++) {
      const o = off + j * 4;
      M[j] = buf[o] | (buf[o + 1] << 8) | (buf[o + 2] << 16) | (buf[o + 3] << 24);
    }
    let a = a0;
    let b = b0;
    let c = c0;
    let d = d0;
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      f = (f + a + K[i] + M[g]) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + ((f << S[i]) | (f >>> (32 - S[i])))) | 0;
    }
    a0 = (a0 + a) | 0;
    b0 = (b0 + b) | 0;
    c0 = (c0 + c) | 0;
    d0 = (d0 + d) | 0;
  }
  // The digest's first 8 bytes are a0 then b0, each little-endian; read as big-endian halves.
  sum.addHalves(bswap(a0), bswap(b0));
}

/** Writes n in decimal at p; returns the position after it. Short lengths without a string in between. */
function writeDigits(buf: Buffer, p: number, n: number): number {
  if (n < 10) {
    buf[p] = 48 + n;
    return p + 1;
  }
  if (n < 100) {
    buf[p] = 48 + ((n / 10) | 0);
    buf[p + 1] = 48 + (n % 10);
    return p + 2;
  }
  return p + buf.write(String(n), p, 'latin1');
}

/** Sums the row hashes of canonical rows (count and sum modulo 2^64, as `Sum64`). */
export class RowHashSum {
  readonly sum = new Sum64();
  private buf = Buffer.alloc(4096);

  /** Adds the row hash of one row's canonical values in table order. */
  add(values: readonly (string | null)[]): void {
    let p = 0;
    for (let c = 0; c < values.length; c++) {
      const v = values[c];
      if (v === null) {
        if (p + 1 + PAD > this.buf.length) this.grow(p, 1);
        this.buf[p++] = 78; // N
        continue;
      }
      const len = v.length;
      if (p + len * 3 + 12 + PAD > this.buf.length) this.grow(p, len * 3 + 12);
      const buf = this.buf;
      const start = p;
      // Written as ASCII (byte length = length) until a character says otherwise.
      p = writeDigits(buf, p, len);
      buf[p++] = 58; // :
      let i = 0;
      for (; i < len; i++) {
        const ch = v.charCodeAt(i);
        if (ch > 0x7f) break;
        buf[p++] = ch;
      }
      if (i < len) {
        p = writeDigits(buf, start, Buffer.byteLength(v));
        buf[p++] = 58;
        p += buf.write(v, p, 'utf8');
      }
    }
    md5Into(this.buf, p, this.sum);
  }

  private grow(p: number, more: number): void {
    const bigger = Buffer.alloc(Math.max(this.buf.length * 2, p + more + PAD));
    this.buf.copy(bigger, 0, 0, p);
    this.buf = bigger;
  }
}
