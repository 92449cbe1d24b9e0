/**
 * Streams the objects of one NDJSON file, a line at a time, decoded strictly (file/decode.ts). A line that is not a JSON object
 * becomes a FerryError naming the file and line, never the line's content.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { FerryError } from '../../errors.js';
import { countEscapedBytes, firstEscapedByte, likelyEncoding, StrictDecoder, unescapeBytes, type BadBytes } from '../file/decode.js';
import type { Value } from '../connector.js';

export type JsonObject = Record<string, unknown>;

/** A line whose values held bytes that are not UTF-8: where and in which key, never the value. */
export interface LineProblem {
  reasonCode: 'source.encoding';
  column: string;
  likelyEncoding?: string;
  message: string;
}

export interface NdjsonReadOptions {
  /** `refuse` throws at the first undecodable byte; otherwise `onProblem` hears of it before its line's object is yielded. */
  onBadBytes?: BadBytes;
  onProblem?: (p: LineProblem) => void;
}

const HINT = 'NDJSON is UTF-8 by definition; re-export the file as UTF-8';

/**
 * Yields each non-blank line of `file` parsed as a JSON object. Bytes that are not UTF-8 are
 * never replaced silently: inside a value they are reported through `onProblem` (the value
 * then shows U+FFFD), in a key or outside any string they refuse the file.
 */
export async function* ndjsonObjects(file: string, options: NdjsonReadOptions = {}): AsyncGenerator<JsonObject> {
  const name = path.basename(file);
  const input = createReadStream(file);
  const decoder = new StrictDecoder('utf8');
  let line = 0;
  let rest = '';
  const parseLine = (raw: string): JsonObject | undefined => {
    line++;
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (!text.trim()) return undefined;
    const bad = decoder.pending > 0 ? countEscapedBytes(text) : 0;
    const offset = bad > 0 ? decoder.claim() : -1;
    for (let n = bad - 1; n > 0; n--) decoder.claim();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw lineError(file, line, bad > 0 ? `is not valid JSON (the byte at offset ${offset} is not valid UTF-8)` : 'is not valid JSON');
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw lineError(file, line, 'is not a JSON object');
    if (bad === 0) return value as JsonObject;
    const where = `${name} line ${line}: the byte at offset ${offset} of the file is not valid UTF-8`;
    const refuse = (why: string): FerryError =>
      new FerryError('contract', 'ndjson.bad_bytes', `${where}${why}; the file is refused before loading. ${HINT}`, [
        { severity: 'error', code: 'ndjson.bad_bytes', path: name, message: `the byte at offset ${offset} is not valid UTF-8`, file, line },
      ]);
    const obj = value as JsonObject;
    const keys = Object.keys(obj);
    if (keys.some((k) => firstEscapedByte(k) >= 0)) throw refuse(' (in a key)');
    const hit = keys.filter((k) => firstEscapedByte(typeof obj[k] === 'string' ? (obj[k] as string) : JSON.stringify(obj[k])) >= 0);
    if (options.onBadBytes === 'refuse') throw refuse(` (key ${hit[0]})`);
    const guess = likelyEncoding(text, 'utf8');
    for (const k of hit)
      options.onProblem?.({
        reasonCode: 'source.encoding',
        column: k,
        ...(guess ? { likelyEncoding: guess } : {}),
        message: `${where} (key ${k}); the row is set aside rather than loaded with replaced characters. ${HINT}`,
      });
    return JSON.parse(unescapeBytes(text)) as JsonObject;
  };
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      const text = rest + decoder.write(chunk);
      let from = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
        const obj = parseLine(text.slice(from, nl));
        from = nl + 1;
        if (obj) yield obj;
      }
      rest = text.slice(from);
    }
    rest += decoder.end();
    if (rest) {
      const obj = parseLine(rest);
      if (obj) yield obj;
    }
  } catch (err) {
    if (err instanceof FerryError) throw err;
    const code = (err as NodeJS.ErrnoException)?.code;
    throw new FerryError('connection', 'ndjson.read_failed', `cannot read ${file} (${code ?? 'error'}); check the file and its permissions`, [], { cause: err });
  } finally {
    input.destroy();
  }
}

function lineError(file: string, line: number, what: string): FerryError {
  const name = path.basename(file);
  return new FerryError('contract', 'ndjson.bad_line', `${name} line ${line} ${what}; each line must hold one JSON object (fix or re-export the file)`, [
    { severity: 'error', code: 'ndjson.bad_line', path: name, message: what, file, line },
  ]);
}

/** A JSON value as a Ferry value: scalars as they are, objects and arrays as their JSON text. */
export function toValue(v: unknown): Value {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}
