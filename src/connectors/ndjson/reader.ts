/**
 * Streams the objects of one NDJSON file, a line at a time. A line that is not a JSON object
 * becomes a FerryError naming the file and line, never the line's content.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { FerryError } from '../../errors.js';
import type { Value } from '../connector.js';

export type JsonObject = Record<string, unknown>;

/** Yields each non-blank line of `file` parsed as a JSON object. */
export async function* ndjsonObjects(file: string): AsyncGenerator<JsonObject> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (let text of lines) {
      line++;
      if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (!text.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw lineError(file, line, 'is not valid JSON');
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw lineError(file, line, 'is not a JSON object');
      yield value as JsonObject;
    }
  } catch (err) {
    if (err instanceof FerryError) throw err;
    const code = (err as NodeJS.ErrnoException)?.code;
    throw new FerryError('connection', 'ndjson.read_failed', `cannot read ${file} (${code ?? 'error'}); check the file and its permissions`, [], { cause: err });
  } finally {
    lines.close();
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
