/**
 * Streams the records of one CSV file: bytes → strict decoding (file/decode.ts: no byte is
 * ever replaced silently) → Ferry's record parser (parser.ts explains why not csv-parse),
 * never the whole file in memory. An empty unquoted field reads as null and a quoted empty field `""` as '',
 * so the two stay distinguishable; in a one-column file a blank line is therefore a row holding
 * NULL (RFC 4180, and what PostgreSQL's COPY writes), not layout to skip. Parse errors become FerryErrors naming the file and line
 * only: a parser's message could quote field contents, which may be patient data.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { FerryError } from '../../errors.js';
import { countEscapedBytes, firstEscapedByte, likelyEncoding, StrictDecoder, unescapeBytes } from '../file/decode.js';
import type { CsvConfig } from './config.js';

import { CsvParser, CsvSyntaxError, type CsvRecord } from './parser.js';

export type { CsvRecord };

const EXPLAIN: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'opens a quoted field that is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'has characters after the closing quote of a field',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'has characters after the closing quote of a field',
  INVALID_OPENING_QUOTE: 'has a quote where a field cannot start one',
  CSV_MAX_RECORD_SIZE: 'has a record too large to read',
};

/** A record that could not be read faithfully: where and why, never its values. */
export interface RecordProblem {
  reasonCode: 'source.encoding' | 'source.malformed';
  /** The field concerned (0-based), for an encoding problem. */
  field?: number;
  /** For an encoding problem: the encoding the bytes look like. */
  likelyEncoding?: string;
  message: string;
}

const LABEL: Record<string, string> = { utf8: 'UTF-8', 'windows-1252': 'Windows-1252', latin1: 'Latin-1' };

/**
 * Yields every record of `file`, the header first. A record holding bytes the encoding cannot
 * decode, or with another number of fields than the header, is still yielded (as many fields
 * as the header, undecodable bytes shown as U+FFFD) after `onProblem` has been told why, so the
 * source can quarantine it; with `on_bad_bytes=refuse` undecodable bytes refuse the file.
 */
export async function* csvRecords(file: string, config: CsvConfig, onProblem?: (p: RecordProblem) => void): AsyncGenerator<CsvRecord> {
  const name = path.basename(file);
  const parser = new CsvParser(config.delimiter, config.quote);
  const decoder = new StrictDecoder(config.encoding);
  const label = LABEL[config.encoding] ?? config.encoding;
  const raw = createReadStream(file);
  const out: CsvRecord[] = [];
  const lines: number[] = [];
  let header: string[] | undefined;

  /**
   * A blank line (the parser's [null]) is a record only in a one-column file, where it is how a
   * NULL is written; elsewhere it is layout (legacy exports end with blank lines) and is skipped,
   * as it is before the header.
   */
  const blank = (record: CsvRecord): boolean => record.length === 1 && record[0] === null && header?.length !== 1;

  /** Claims the record's undecodable bytes and checks its width; the header's must be clean. */
  const inspect = (record: CsvRecord, line: number): void => {
    if (decoder.pending > 0) {
      for (let j = 0; j < record.length; j++) {
        const v = record[j];
        if (v === null || firstEscapedByte(v) < 0) continue;
        const offset = decoder.claim();
        for (let n = countEscapedBytes(v) - 1; n > 0; n--) decoder.claim();
        const guess = likelyEncoding(v, config.encoding);
        const hint = guess ? `; the bytes look like ${LABEL[guess]}: read the file with ?encoding=${guess}` : '';
        record[j] = unescapeBytes(v);
        const column = header ? (header[j] ?? `field ${j + 1}`) : `header field ${j + 1}`;
        const where = `${name} line ${line}, column ${column}: the byte at offset ${offset} of the file is not valid ${label}`;
        if (!header || config.on_bad_bytes === 'refuse') {
          const instead = header ? ', or ?on_bad_bytes=quarantine sets such rows aside' : ' (a header cannot be set aside)';
          throw new FerryError('contract', 'csv.bad_bytes', `${where}; the file is refused before loading${hint}${instead}`, [
            { severity: 'error', code: 'csv.bad_bytes', path: name, message: `the byte at offset ${offset} is not valid ${label}`, file, line },
          ]);
        }
        onProblem?.({
          reasonCode: 'source.encoding',
          field: j,
          ...(guess ? { likelyEncoding: guess } : {}),
          message: `${where}; the row is set aside rather than loaded with replaced characters${hint}`,
        });
      }
    }
    if (!header) {
      header = record.map((h) => h ?? '');
      return;
    }
    const width = header.length;
    if (record.length !== width) {
      onProblem?.({ reasonCode: 'source.malformed', message: `${name} line ${line} has ${record.length} field(s) where the header has ${width}` });
      if (record.length > width) record.length = width;
      else while (record.length < width) record.push(null);
    }
  };

  try {
    for await (const chunk of raw as AsyncIterable<Buffer>) {
      parser.push(decoder.write(chunk), out, lines);
      for (let i = 0; i < out.length; i++) {
        if (blank(out[i])) continue;
        inspect(out[i], lines[i]);
        yield out[i];
      }
      out.length = 0;
      lines.length = 0;
    }
    parser.push(decoder.end(), out, lines);
    parser.end(out, lines);
    for (let i = 0; i < out.length; i++) {
      if (blank(out[i])) continue;
      inspect(out[i], lines[i]);
      yield out[i];
    }
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

/** Data rows of `file`: its records after the header. */
export async function csvRowCount(file: string, config: CsvConfig): Promise<number> {
  let n = -1;
  for await (const _ of csvRecords(file, config)) n++;
  return Math.max(0, n);
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
  const second = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (second >= 0) {
    // Refused, not quarantined: no row of the file could say which of the two columns it means.
    const first = names.indexOf(names[second]);
    throw new FerryError('contract', 'csv.duplicate_header', `${path.basename(file)} line 1 names column ${names[second]} twice (fields ${first + 1} and ${second + 1}); column names must be unique`, [
      { severity: 'error', code: 'csv.duplicate_header', path: path.basename(file), message: `column ${names[second]} named twice`, file, line: 1 },
    ]);
  }
  return names;
}
