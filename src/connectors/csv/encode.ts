/**
 * How values are written to CSV, chosen so the reader gets back exactly what was written:
 *   null            → empty, unquoted
 *   '' (any empty)  → "" (quoted), so it reads back as '' rather than null
 *   text            → as is, quoted when it holds the delimiter, the quote or a line break
 *   integer/decimal → their text; booleans → true / false
 *   binary (Buffer) → base64
 * Hand-written rather than csv-stringify because csv-stringify writes null and '' the same way.
 */
import iconv from 'iconv-lite';
import { FerryError } from '../../errors.js';
import type { TargetTableDef, Value } from '../connector.js';
import type { CsvConfig } from './config.js';

/** Encodes one field in the configured dialect. */
export function csvField(value: Value, config: CsvConfig): string {
  if (value === null || value === undefined) return '';
  const text = Buffer.isBuffer(value) ? value.toString('base64') : typeof value === 'string' ? value : String(value);
  const q = config.quote;
  if (text === '') return q + q;
  if (text.includes(config.delimiter) || text.includes(q) || text.includes('\n') || text.includes('\r')) {
    return q + text.split(q).join(q + q) + q;
  }
  return text;
}

/** Encodes rows (or a header) as lines of text. */
export function csvLines(rows: readonly Value[][], config: CsvConfig): string {
  let out = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      if (i) out += config.delimiter;
      out += csvField(row[i], config);
    }
    out += '\n';
  }
  return out;
}

/**
 * Converts text to the file's encoding, refusing characters the encoding cannot hold (an
 * emoji in windows-1252): iconv-lite would silently write '?' and corrupt the value.
 */
export function toBytes(text: string, def: TargetTableDef, rows: readonly Value[][], config: CsvConfig): Buffer {
  if (config.encoding === 'utf8') return Buffer.from(text, 'utf8');
  const bytes = iconv.encode(text, config.encoding);
  if (iconv.decode(bytes, config.encoding) === text) return bytes;
  for (let r = 0; r < rows.length; r++) {
    for (let c = 0; c < def.columns.length; c++) {
      const v = rows[r][c];
      if (typeof v === 'string' && iconv.decode(iconv.encode(v, config.encoding), config.encoding) !== v) {
        throw new FerryError(
          'run',
          'csv.unencodable',
          `row ${r + 1} of the batch for table ${def.name} has a character in column ${def.columns[c].name} that ${config.encoding} cannot represent; use encoding=utf8 for this target`,
        );
      }
    }
  }
  throw new FerryError('run', 'csv.unencodable', `a column name of table ${def.name} cannot be represented in ${config.encoding}; use encoding=utf8 for this target`);
}
