/**
 * Reads a crosswalk CSV (source_code,target_code,target_display[,equivalence,note]) into
 * entries, reporting every problem with its CSV line so an analyst can fix the sheet in one go.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { FerryError, issue, type Issue } from '../errors.js';
import type { CrosswalkEntry } from './model.js';

export const REQUIRED_HEADERS = ['source_code', 'target_code', 'target_display'] as const;
export const OPTIONAL_HEADERS = ['equivalence', 'note'] as const;
const KNOWN_HEADERS: readonly string[] = [...REQUIRED_HEADERS, ...OPTIONAL_HEADERS];

export interface CrosswalkLoadOptions {
  /** Treat source codes that differ only in case as duplicates (the contract's default). */
  caseInsensitive?: boolean;
  /** File name to show in issues, e.g. relative to the working directory; defaults to `path`. */
  displayPath?: string;
}

/** Loads and checks one crosswalk file; throws FerryError('contract', 'crosswalk.invalid') listing every problem. */
export async function loadCrosswalkFile(path: string, options: CrosswalkLoadOptions = {}): Promise<CrosswalkEntry[]> {
  const file = options.displayPath ?? path;
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new FerryError('contract', 'crosswalk.unreadable', `${file}: cannot read the crosswalk file`, [
      issue('crosswalk.unreadable', '', `cannot read the crosswalk file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file, line: 1, column: 1 }),
    ]);
  }
  return parseCrosswalk(bytes, { ...options, displayPath: file });
}

/** Parses crosswalk CSV bytes (UTF-8, optional BOM, any line endings). */
export function parseCrosswalk(bytes: Buffer, options: CrosswalkLoadOptions = {}): CrosswalkEntry[] {
  const file = options.displayPath ?? 'crosswalk.csv';
  const at = (line: number, column = 1) => ({ file, line, column });
  const fail = (issues: Issue[]): never => {
    throw new FerryError('contract', 'crosswalk.invalid', `${file}: ${issues.length} problem(s) in the crosswalk`, issues);
  };

  let text: string;
  try {
    // fatal: a Windows-1252 export read as UTF-8 would silently corrupt accented displays.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail([issue('crosswalk.encoding', '', 'expected UTF-8 text; found bytes that are not UTF-8 (convert the file, e.g. from Windows-1252, to UTF-8)', at(1))]);
  }

  let records: Array<{ record: string[]; raw: string; info: { lines: number } }>;
  try {
    records = parse(text, {
      bom: true,
      info: true,
      raw: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as unknown as typeof records;
  } catch (err) {
    const e = err as Error & { lines?: number };
    return fail([issue('crosswalk.syntax', '', `not valid CSV: ${e.message}`, at(e.lines ?? 1))]);
  }
  if (records.length === 0) return fail([issue('crosswalk.empty', '', `expected a header row ${REQUIRED_HEADERS.join(',')}; found an empty file`, at(1))]);

  const issues: Issue[] = [];
  const header = records[0].record;
  const headerLine = startLine(records[0]);
  for (const name of REQUIRED_HEADERS)
    if (!header.includes(name)) issues.push(issue('crosswalk.missing_header', name, `missing required column '${name}'; found columns ${header.join(', ')}`, at(headerLine)));
  header.forEach((name, i) => {
    if (!KNOWN_HEADERS.includes(name)) issues.push(issue('crosswalk.unknown_header', name, `unknown column '${name}'; expected ${KNOWN_HEADERS.join(', ')}`, at(headerLine, i + 1)));
    else if (header.indexOf(name) !== i) issues.push(issue('crosswalk.duplicate_header', name, `column '${name}' appears twice`, at(headerLine)));
  });
  if (issues.length > 0) return fail(issues);
  if (records.length === 1) return fail([issue('crosswalk.empty', '', 'expected at least one code after the header; found none', at(headerLine))]);

  const column = (name: string) => header.indexOf(name);
  const seen = new Map<string, { code: string; line: number }>();
  const caseInsensitive = options.caseInsensitive ?? true;
  const entries: CrosswalkEntry[] = [];
  for (const rec of records.slice(1)) {
    const line = startLine(rec);
    const cells = rec.record;
    if (cells.length !== header.length) {
      issues.push(issue('crosswalk.column_count', '', `expected ${header.length} columns; found ${cells.length}`, at(line)));
      continue;
    }
    const get = (name: string) => (column(name) >= 0 ? cells[column(name)] : '');
    const entry: CrosswalkEntry = {
      source_code: get('source_code'),
      target_code: get('target_code'),
      target_display: get('target_display'),
      equivalence: get('equivalence'),
      note: get('note'),
    };
    for (const name of ['source_code', 'target_code'] as const)
      if (entry[name] === '') issues.push(issue('crosswalk.empty_code', name, `expected a value in '${name}'; found an empty cell`, at(line, column(name) + 1)));
    if (entry.source_code !== '') {
      const key = caseInsensitive ? entry.source_code.toLowerCase() : entry.source_code;
      const first = seen.get(key);
      if (first) {
        const how = first.code === entry.source_code ? '' : ` ('${first.code}' when compared ignoring case)`;
        issues.push(issue('crosswalk.duplicate_code', 'source_code', `duplicate source code '${entry.source_code}'${how}; first defined on line ${first.line}`, at(line)));
      } else seen.set(key, { code: entry.source_code, line });
    }
    entries.push(entry);
  }
  if (issues.length > 0) return fail(issues);
  return entries;
}

// csv-parse reports the line a record ends on; quoted cells may span lines, so count back.
function startLine(rec: { raw: string; info: { lines: number } }): number {
  const body = rec.raw.replace(/^[\r\n]+|[\r\n]+$/g, '');
  return rec.info.lines - (body.match(/\r\n|\n|\r/g)?.length ?? 0);
}
