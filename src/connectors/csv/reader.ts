/**
 * Streams the records of one CSV file: bytes → iconv-lite decoding → Ferry's record parser
 * (parser.ts explains why not csv-parse), never the whole file in memory. An empty unquoted field reads as null and a quoted empty field `""` as '',
 * so the two stay distinguishable. Parse errors become FerryErrors naming the file and line
 * only: a parser's message could quote field contents, which may be patient data.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { FerryError } from '../../errors.js';
import type { CsvConfig } from './config.js';

import { CsvParser, CsvSyntaxError, type CsvRecord } from './parser.js';

export type { CsvRecord };

const EXPLAIN: Record<string, string> = {
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'has a different number of fields than the header',
  CSV_QUOTE_NOT_CLOSED: 'opens a quoted field that is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'has characters after the closing quote of a field',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'has characters after the closing quote of a field',
  INVALID_OPENING_QUOTE: 'has a quote where a field cannot start one',
  CSV_MAX_RECORD_SIZE: 'has a record too large to read',
};

/** Yields every record of `file`, the header first. */
export async function* csvRecords(file: string, config: CsvConfig): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser(config.delimiter, config.quote);
  const raw = createReadStream(file);
  const decoded = raw.pipe(iconv.decodeStream(config.encoding));
  const out: CsvRecord[] = [];
  try {
    for await (const chunk of decoded as AsyncIterable<string>) {
      parser.push(chunk, out);
      for (const r of out) yield r;
      out.length = 0;
    }
    parser.end(out);
    for (const r of out) yield r;
  } catch (err) {
    throw csvFileError(file, err);
  } finally {
    raw.destroy();
  }
}

/** Translates a parse or I/O failure into a FerryError without any field content. */
function csvFileError(file: string, err: unknown): FerryError {
  const name = path.basename(file);
  if (err instanceof CsvSyntaxError) {
    const line = err.line;
    const what = EXPLAIN[err.code] ?? `cannot be parsed (${err.code})`;
    return new FerryError(
      'contract',
      `csv.${err.code.toLowerCase()}`,
      `${name} line ${line ?? '?'} ${what}; fix or re-export the file (Ferry never drops rows silently), or check the delimiter, quote and encoding options`,
      [{ severity: 'error', code: `csv.${err.code.toLowerCase()}`, path: name, message: what, file, line }],
    );
  }
  if (err instanceof FerryError) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return new FerryError('not_found', 'csv.file_missing', `${file} does not exist`);
  return new FerryError('connection', 'csv.read_failed', `cannot read ${file} (${code ?? 'error'}); check the file and its permissions`, [], { cause: err });
}

/** Reads only the header of `file`, checking it names every column once. */
export async function csvHeader(file: string, config: CsvConfig): Promise<string[]> {
  for await (const header of csvRecords(file, config)) return checkHeader(file, header);
  throw new FerryError('contract', 'csv.no_header', `${path.basename(file)} is empty; a CSV table needs a header row naming its columns`);
}

/** Header names, refusing blank or repeated names (they could not be mapped unambiguously). */
export function checkHeader(file: string, header: CsvRecord): string[] {
  const names = header.map((h) => (h ?? '').trim());
  const blank = names.findIndex((n) => n === '');
  if (blank >= 0) {
    throw new FerryError('contract', 'csv.blank_header', `${path.basename(file)} header has no name for column ${blank + 1}; every column needs a name`);
  }
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new FerryError('contract', 'csv.duplicate_header', `${path.basename(file)} header names column ${dup} twice; column names must be unique`);
  return names;
}
