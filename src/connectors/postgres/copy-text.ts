/**
 * PostgreSQL's COPY text format, both directions. Rows end at a newline, fields are separated
 * by tabs, `\N` is NULL, and backslash escapes any tab, newline, carriage return or backslash
 * inside a value. This is the hot path of every PostgreSQL move, so it works on whole chunks
 * with indexOf/split and only takes the slow per-character path for fields holding a backslash.
 */
import { FerryError } from '../../errors.js';
import type { Value } from '../connector.js';

const BACKSLASH = 92;
const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function isOctal(c: number): boolean {
  return c >= 48 && c <= 55;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/**
 * Undoes COPY text escaping. Octal and hex escapes denote bytes (PostgreSQL only emits them
 * on input, but other tools write them), so consecutive ones are gathered and decoded as UTF-8.
 */
export function unescapeCopyText(field: string): string {
  let out = '';
  let bytes: number[] = [];
  let i = 0;
  const n = field.length;
  const flush = (): void => {
    if (bytes.length) {
      out += Buffer.from(bytes).toString('utf8');
      bytes = [];
    }
  };
  while (i < n) {
    const c = field.charCodeAt(i);
    if (c !== BACKSLASH || i + 1 === n) {
      flush();
      const next = field.indexOf('\\', i + 1);
      const end = next < 0 || next === n - 1 ? n : next;
      out += field.slice(i, end);
      i = end;
      continue;
    }
    const e = field.charCodeAt(i + 1);
    if (isOctal(e)) {
      let j = i + 1;
      let code = 0;
      while (j < n && j < i + 4 && isOctal(field.charCodeAt(j))) code = code * 8 + field.charCodeAt(j++) - 48;
      bytes.push(code & 0xff);
      i = j;
    } else if (e === 120 /* x */ && i + 2 < n && isHex(field.charCodeAt(i + 2))) {
      const len = i + 3 < n && isHex(field.charCodeAt(i + 3)) ? 2 : 1;
      bytes.push(parseInt(field.substr(i + 2, len), 16));
      i += 2 + len;
    } else {
      flush();
      const ch = field[i + 1];
      out += SIMPLE_ESCAPES[ch] ?? ch;
      i += 2;
    }
  }
  flush();
  return out;
}

/** Decodes a bytea field in COPY text form (`\\x0a0b…`, the backslash itself escaped). */
export function decodeByteaField(field: string): Buffer {
  if (field.startsWith('\\\\x')) return Buffer.from(field.slice(3), 'hex');
  if (field.startsWith('\\x')) return Buffer.from(field.slice(2), 'hex');
  throw new FerryError('run', 'source.bad_bytea', 'a bytea value was not in hex form; the session sets bytea_output = hex, so check for a proxy rewriting settings');
}

/**
 * Incremental COPY text parser: feed it the stream's chunks (which split rows and even UTF-8
 * characters anywhere) and it appends complete rows to the array you pass.
 */
export class CopyTextDecoder {
  /** The partial row carried over: chunk copies, joined only once its newline arrives. */
  private rest: Buffer[] = [];
  private restBytes = 0;

  /** `binary[i]` says whether column i is bytea and must decode to a Buffer. */
  constructor(private readonly binary: readonly boolean[]) {}

  /**
   * Parses every complete row in `chunk` (plus any carried-over partial row) into `out`. When
   * `escaped` is given, the index in `out` of every row that held an escape is appended to it:
   * every other row's values contain no backslash, tab, newline or carriage return.
   */
  push(chunk: Buffer, out: Value[][], escaped?: number[]): void {
    let buf = chunk;
    if (this.restBytes > 0) {
      // Complete the carried-over row on its own rather than copying the whole chunk behind it;
      // a row spanning many chunks (a scanned letter) is joined once, not once per chunk.
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.carry(chunk);
        return;
      }
      this.rest.push(chunk.subarray(0, nl + 1));
      const row = Buffer.concat(this.rest, this.restBytes + nl + 1);
      this.rest = [];
      this.restBytes = 0;
      this.parseLines(row.toString('utf8'), out, escaped);
      buf = chunk.subarray(nl + 1);
      if (buf.length === 0) return;
    }
    const last = buf.lastIndexOf(10);
    if (last < 0) {
      this.carry(buf);
      return;
    }
    if (last < buf.length - 1) this.carry(buf.subarray(last + 1));
    this.parseLines(buf.toString('utf8', 0, last + 1), out, escaped);
  }

  // Copied, not a view: the stream may reuse the chunk's memory after push returns.
  private carry(part: Buffer): void {
    this.rest.push(Buffer.from(part));
    this.restBytes += part.length;
  }

  /** Confirms the stream ended on a row boundary. */
  end(): void {
    if (this.restBytes > 0) {
      throw new FerryError('run', 'source.truncated_copy', 'the COPY stream ended in the middle of a row; the connection was probably interrupted, so rerun with --resume');
    }
  }

  // Fields are sliced straight out of the chunk text (no per-line string or split array):
  // this halved the decoder's CPU time and garbage on a 1M-row read.
  private parseLines(text: string, out: Value[][], escaped: number[] | undefined): void {
    const binary = this.binary;
    const width = binary.length;
    const last = width - 1;
    let pos = 0;
    // The first backslash at or after pos (text.length when none): most chunks hold none, and
    // one search per escape beats one per field.
    let bs = text.indexOf('\\');
    if (bs < 0) bs = text.length;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) return;
      const start = pos;
      const row: Value[] = new Array(width);
      let plain = true;
      for (let i = 0; i < width; i++) {
        let end = nl;
        if (i < last) {
          end = text.indexOf('\t', pos);
          if (end < 0 || end > nl) this.badRow(text, start, nl);
        }
        const f = text.slice(pos, end);
        pos = end + 1;
        if (i === last && f.indexOf('\t') >= 0) this.badRow(text, start, nl);
        if (bs >= end) row[i] = binary[i] ? decodeByteaField(f) : f;
        else {
          bs = text.indexOf('\\', end);
          if (bs < 0) bs = text.length;
          if (f === '\\N') row[i] = null;
          else {
            plain = false;
            row[i] = binary[i] ? decodeByteaField(f) : unescapeCopyText(f);
          }
        }
      }
      if (!plain && escaped !== undefined) escaped.push(out.length);
      out.push(row);
    }
  }

  private badRow(text: string, start: number, nl: number): never {
    const fields = text.slice(start, nl).split('\t').length;
    throw new FerryError('run', 'source.bad_copy_row', `a COPY row had ${fields} fields where ${this.binary.length} columns were requested`);
  }
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPE_ALL = /[\\\t\n\r]/g;
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const escapeChar = (c: string): string => ESCAPED[c];

/** Escapes a string for COPY text. */
export function escapeCopyText(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPE_ALL, escapeChar) : s;
}

/** Encodes one value as a COPY text field. */
export function encodeCopyValue(v: Value): string {
  if (v === null || v === undefined) return '\\N';
  switch (typeof v) {
    case 'string':
      return NEEDS_ESCAPE.test(v) ? v.replace(ESCAPE_ALL, escapeChar) : v;
    case 'number':
    case 'bigint':
      return String(v);
    case 'boolean':
      return v ? 't' : 'f';
    default:
      return `\\\\x${v.toString('hex')}`;
  }
}

/** Encodes one column's value as a COPY text field. */
export type FieldEncoder = (v: Value) => string;

/**
 * Encodes a value the engine has conformed to an integer, decimal, date or boolean column:
 * digits, signs, dots, dashes or a boolean, none of which COPY escapes, so the per-value
 * escape scan is skipped.
 */
export function encodeConformedValue(v: Value): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  return typeof v === 'string' ? v : String(v);
}

/** Target chunk size: large enough to amortise stream overhead, small enough to stay cache- and memory-friendly. */
const CHUNK_CHARS = 256 * 1024;

/**
 * Encodes rows as COPY text in chunks of about 256K characters, lazily: a COPY that pulls
 * chunks from this generator lets PostgreSQL parse one chunk while the next is being encoded.
 * `encoders[i]` encodes column i.
 */
export function* encodeCopyRows(rows: readonly Value[][], encoders: readonly FieldEncoder[]): Generator<string> {
  const last = encoders.length - 1;
  let chunk = '';
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    // Appending field by field onto the chunk measured faster than building a line first.
    for (let i = 0; i < last; i++) chunk += encoders[i](row[i]) + '\t';
    chunk += encoders[last](row[last]) + '\n';
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** Size at which CopyChunks turns its text into a Buffer. */
const BUFFER_CHARS = 64 * 1024;

/**
 * Collects COPY text into Buffers of about 64 KB as it is produced. A batch waiting for its
 * commit is then a few off-heap buffers: the strings that built it die young, which keeps
 * the garbage collector's work (and the process's memory) independent of the batch size.
 */
export class CopyChunks {
  private text = '';
  private chunks: Buffer[] = [];

  /** Appends one row encoded field by field (`encoders[i]` encodes column i). */
  addRow(row: readonly Value[], encoders: readonly FieldEncoder[]): void {
    const last = encoders.length - 1;
    let text = this.text;
    for (let i = 0; i < last; i++) text += encoders[i](row[i]) + '\t';
    this.text = text + encoders[last](row[last]) + '\n';
    if (this.text.length >= BUFFER_CHARS) this.seal();
  }

  /** Appends one complete line (newline included). */
  addLine(line: string): void {
    this.text += line;
    if (this.text.length >= BUFFER_CHARS) this.seal();
  }

  /** Everything appended since the last call. */
  take(): Buffer[] {
    if (this.text.length > 0) this.seal();
    const chunks = this.chunks;
    this.chunks = [];
    return chunks;
  }

  private seal(): void {
    this.chunks.push(Buffer.from(this.text, 'utf8'));
    this.text = '';
  }
}
