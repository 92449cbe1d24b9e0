/**
 * String hashing for the profiling sketches: MurmurHash3's 32-bit mixing over UTF-16 code
 * units, seeded so that two independent hashes can be combined into a 53-bit one.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** 32-bit MurmurHash3-style hash of a string's UTF-16 code units (two per block). */
export function hash32(s: string, seed = 0): number {
  let h = seed | 0;
  const n = s.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    let k = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16) | 0;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < n) {
    let k = s.charCodeAt(i);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const TWO_POW_21 = 2 ** 21;

/** A 53-bit hash as a float in [0, 1): precise enough for k-minimum-values sketches of billions of values. */
export function unitHash(s: string): number {
  const hi = hash32(s, 0x9747b28c);
  const lo = hash32(s, 0x5bd1e995) >>> 11;
  return (hi * TWO_POW_21 + lo) / 2 ** 53;
}
