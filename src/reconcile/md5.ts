/**
 * MD5 (RFC 1321) in JavaScript over a caller's buffer, for the 64-bit hashes of hash.ts.
 * node:crypto's one-shot hash costs about 3 µs a call on Node 20 whatever the input's size
 * (OpenSSL sets up a context per call); this costs well under 1 µs for a short text, and
 * reconciliation hashes one text per row and per value. A checksum, not a security control.
 * test/reconcile/canonical.test.ts pins it to node:crypto.
 */
const S = [
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10,
  15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
];
const K = new Int32Array(64).map((_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0);
const M = new Int32Array(16);
/** Room for MD5's padding and length after the text. */
export const MD5_PAD = 72;

const bswap = (x: number): number => (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;

/** The first 64 bits of the last digest, as big-endian unsigned halves. */
export const digest64 = { hi: 0, lo: 0 };

/** MD5 (RFC 1321) of the first n bytes of buf, which must have MD5_PAD bytes to spare after them; its first 64 bits go to `digest64`. */
export function md5Into(buf: Buffer, n: number): void {
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
  digest64.hi = bswap(a0);
  digest64.lo = bswap(b0);
}

let scratch = Buffer.alloc(1024);

/** The first 64 bits of MD5 of a text's UTF-8 bytes, into `digest64`. */
export function md5Text(text: string): void {
  const need = text.length * 3 + MD5_PAD;
  if (need > scratch.length) scratch = Buffer.alloc(Math.max(need, scratch.length * 2));
  let n = 0;
  for (; n < text.length; n++) {
    const ch = text.charCodeAt(n);
    if (ch > 0x7f) break;
    scratch[n] = ch;
  }
  if (n < text.length) n = scratch.write(text, 0, 'utf8');
  md5Into(scratch, n);
}
