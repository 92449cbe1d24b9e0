/**
 * How steps see values as text. Numbers, bigints and booleans have a string form (`String(v)`),
 * so `null_if: ['0']` matches the number 0 and `pad` can zero-fill an integer. Buffers have
 * none: binary columns are moved, never transformed.
 */
import type { Value } from '../connectors/connector.js';

/** The string form of a non-null value, or undefined for binary data. */
export function textOf(v: Exclude<Value, null>): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return undefined;
  return String(v);
}

/** True for characters `String.prototype.trim` removes, without allocating a trimmed copy. */
export function isSpaceCode(c: number): boolean {
  if (c === 32 || (c >= 9 && c <= 13)) return true;
  if (c < 160) return false;
  return c === 160 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** True for the empty string or whitespace only. */
export function isBlankText(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isSpaceCode(s.charCodeAt(i))) return false;
  return true;
}

/** True for null or a string that is empty or whitespace only; numbers and binary data are never blank. */
export function isBlank(v: Value): boolean {
  return v === null || (typeof v === 'string' && isBlankText(v));
}

/** True when the string holds a UTF-16 surrogate, i.e. a code point outside the BMP. */
export function hasSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}

/** Length in code points. */
export function codePointLength(s: string): number {
  if (!hasSurrogate(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

// V8 cuts substrings of 13 characters or more as views into the string they came from, so a
// value kept from a parsed chunk would keep the whole chunk (64 KB or more) alive with it.
const SLICE_MIN = 13;

/**
 * A copy of `s` that does not keep alive the larger string it was cut from. For values held
 * beyond their row (samples, frequent-value maps, key sets): without it, memory grows with the
 * size of the data read rather than with what is kept.
 */
export function detachedString(s: string): string {
  return s.length < SLICE_MIN ? s : (' ' + s).slice(1);
}
