/**
 * Streaming text decoding that never replaces a byte silently. A byte the encoding cannot
 * decode (invalid UTF-8, or one of the five bytes Windows-1252 leaves undefined) becomes a
 * lone low surrogate U+DC80–U+DCFF (Python's "surrogateescape"): no valid input can produce
 * one, so the reader can find exactly the fields that held such bytes, and the decoder keeps
 * each one's byte offset in the file for a message that names a position, never a value.
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

/** What a file with undecodable bytes does (`?on_bad_bytes=`): quarantine their rows (the default) or refuse the file before loading. */
export const BAD_BYTES = ['quarantine', 'refuse'] as const;
export type BadBytes = (typeof BAD_BYTES)[number];

/** The first code unit of an escaped byte; the byte is `code - ESCAPE_BASE`. */
const ESCAPE_BASE = 0xdc00;
const REPLACEMENT = '\ufffd';

/** True when `code` is a byte escaped by StrictDecoder (a lone surrogate U+DC80–U+DCFF). */
export function isEscapedByte(code: number): boolean {
  return code >= 0xdc80 && code <= 0xdcff;
}

/** Decodes chunks of one file; `pending` counts escaped bytes the reader has not yet claimed. */
export class StrictDecoder {
  private carry: Buffer | null = null;
  private consumed = 0;
  private readonly offsets: number[] = [];
  private head = 0;
  private readonly utf8: boolean;
  private readonly iconvName: string;

  constructor(encoding: string) {
    this.utf8 = encoding === 'utf8';
    this.iconvName = encoding;
  }

  /** Escaped bytes emitted and not yet claimed with `claim`. */
  get pending(): number {
    return this.offsets.length - this.head;
  }

  /** The file offset of the oldest unclaimed escaped byte (they are claimed in stream order). */
  claim(): number {
    const at = this.offsets[this.head++];
    if (this.head === this.offsets.length) {
      this.offsets.length = 0;
      this.head = 0;
    }
    return at;
  }

  /** Decodes what `chunk` completes. */
  write(chunk: Buffer): string {
    if (!this.utf8) return this.single(chunk);
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const base = this.consumed - (this.carry?.length ?? 0);
    const end = completeUpTo(buf);
    this.carry = end < buf.length ? Buffer.from(buf.subarray(end)) : null;
    this.consumed += chunk.length;
    return this.utf8Text(buf, 0, end, base);
  }

  /** Decodes what is left at end of input (an incomplete sequence is invalid). */
  end(): string {
    if (!this.carry) return '';
    const buf = this.carry;
    this.carry = null;
    return this.utf8Text(buf, 0, buf.length, this.consumed - buf.length);
  }

  private single(chunk: Buffer): string {
    const base = this.consumed;
    this.consumed += chunk.length;
    const text = iconv.decode(chunk, this.iconvName);
    let at = text.indexOf(REPLACEMENT);
    if (at < 0) return text;
    // Single-byte encodings map byte i to code unit i, so a replacement's index is its byte.
    let out = '';
    let from = 0;
    for (; at >= 0; at = text.indexOf(REPLACEMENT, at + 1)) {
      out += text.slice(from, at) + String.fromCharCode(ESCAPE_BASE + chunk[at]);
      this.offsets.push(base + at);
      from = at + 1;
    }
    return out + text.slice(from);
  }

  private utf8Text(buf: Buffer, start: number, end: number, base: number): string {
    const part = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
    if (isUtf8(part)) return part.toString('utf8');
    let out = '';
    let run = start;
    let i = start;
    while (i < end) {
      const n = sequenceLength(buf, i, end);
      if (n > 0) {
        i += n;
        continue;
      }
      if (run < i) out += buf.toString('utf8', run, i);
      out += String.fromCharCode(ESCAPE_BASE + buf[i]);
      this.offsets.push(base + i);
      i++;
      run = i;
    }
    if (run < end) out += buf.toString('utf8', run, end);
    return out;
  }
}

/** Length of the valid UTF-8 sequence at `i`, or 0 when the byte there starts none. */
function sequenceLength(buf: Buffer, i: number, end: number): number {
  const b = buf[i];
  if (b < 0x80) return 1;
  let n: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) n = 2;
  else if (b >= 0xe0 && b <= 0xef) {
    n = 3;
    if (b === 0xe0) lo = 0xa0;
    else if (b === 0xed) hi = 0x9f; // U+D800–U+DFFF are not characters
  } else if (b >= 0xf0 && b <= 0xf4) {
    n = 4;
    if (b === 0xf0) lo = 0x90;
    else if (b === 0xf4) hi = 0x8f;
  } else return 0;
  for (let k = 1; k < n; k++) {
    if (i + k >= end) return 0;
    const c = buf[i + k];
    if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return 0;
  }
  return n;
}

/** Where the last complete UTF-8 sequence of `buf` ends: a sequence cut by the chunk boundary waits for the next chunk. */
function completeUpTo(buf: Buffer): number {
  const len = buf.length;
  for (let back = 1; back <= 3 && back <= len; back++) {
    const b = buf[len - back];
    if (b < 0x80) return len;
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return need > back ? len - back : len;
    }
  }
  return len;
}

/** Bytes Windows-1252 leaves undefined: a file holding them is not Windows-1252. */
const UNDEFINED_IN_1252 = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

/**
 * The encoding the escaped bytes of `text` most likely come from, read as `declared`: a file
 * that is not UTF-8 is nearly always a Windows export (’ is 0x92, Á 0xC1), and Latin-1 when it
 * holds a byte Windows-1252 does not define.
 */
export function likelyEncoding(text: string, declared: string): 'windows-1252' | 'latin1' | undefined {
  if (declared === 'latin1') return undefined;
  if (declared === 'windows-1252') return 'latin1';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isEscapedByte(c) && UNDEFINED_IN_1252.has(c - ESCAPE_BASE)) return 'latin1';
  }
  return 'windows-1252';
}

/** `text` with every escaped byte shown as U+FFFD, for values that travel on (keys of quarantined rows). */
export function unescapeBytes(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if (isEscapedByte(text.charCodeAt(i))) {
      out += text.slice(from, i) + REPLACEMENT;
      from = i + 1;
    }
  }
  return from === 0 ? text : out + text.slice(from);
}

/** Index of the first escaped byte in `text`, or -1. */
export function firstEscapedByte(text: string): number {
  for (let i = 0; i < text.length; i++) if (isEscapedByte(text.charCodeAt(i))) return i;
  return -1;
}

/** Counts the escaped bytes in `text`. */
export function countEscapedBytes(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (isEscapedByte(text.charCodeAt(i))) n++;
  return n;
}
