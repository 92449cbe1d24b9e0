/**
 * Row hashes without the row text as a string: the same h(row text) as hash.ts (`N` /
 * `<UTF-8 byte length>:<canonical>` per column), written byte by byte into one reused buffer
 * and hashed there (md5.ts), which spares the garbage collector a million concatenations per
 * million rows.
 */
import { digest64, MD5_PAD as PAD, md5Into } from './md5.js';
import { Sum64 } from './hash.js';

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

/** Row hashes of canonical rows, one at a time into `digest64`, or summed (count and sum modulo 2^64, as `Sum64`). */
export class RowHashSum {
  readonly sum = new Sum64();
  private buf = Buffer.alloc(4096);

  /** Adds the row hash of one row's canonical values in table order. */
  add(values: readonly (string | null)[]): void {
    this.hash(values);
    this.sum.addHalves(digest64.hi, digest64.lo);
  }

  /** The row hash of one row's canonical values in table order, into `digest64`. */
  hash(values: readonly (string | null)[]): void {
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
    md5Into(this.buf, p);
  }

  private grow(p: number, more: number): void {
    const bigger = Buffer.alloc(Math.max(this.buf.length * 2, p + more + PAD));
    this.buf.copy(bigger, 0, 0, p);
    this.buf = bigger;
  }
}
