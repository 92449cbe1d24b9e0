/**
 * Streams generated rows to one CSV file per legacy table (header row, `\n` line ends, fields
 * quoted only when they hold a comma, quote or line break), in UTF-8 or Windows-1252. Rows are
 * encoded into a 64 KiB chunk per table and written when it fills; the generator awaits `ready()` so memory
 * stays flat however many patients are generated.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import iconv from 'iconv-lite';
import type { Cell, RowSink } from './context.js';
import type { LegacyTable } from './schema.js';

export type CsvEncoding = 'utf8' | 'windows-1252';

const CHUNK = 64 * 1024;
const BEYOND_LATIN1 = /[^\x00-\xff]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field; the empty string is written unquoted, which CSV readers take as null. */
export function csvCell(v: Cell): string {
  if (typeof v === 'number') return String(v);
  return NEEDS_QUOTES.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** A row sink writing `<TABLE>.csv` files into a directory. */
export class CsvSink implements RowSink {
  private readonly streams: WriteStream[];
  // Each table's pending bytes. Lines are encoded into these as soon as they are built, so no
  // string outlives its row: long-lived concatenated strings were most of the GC cost.
  private readonly chunks: Buffer[];
  private readonly used: number[];
  private readonly counts: number[];
  private waiting: Promise<void>[] = [];

  private constructor(
    readonly dir: string,
    private readonly tables: LegacyTable[],
    private readonly encoding: CsvEncoding,
  ) {
    this.streams = tables.map((t) => createWriteStream(path.join(dir, `${t.name}.csv`)));
    this.chunks = tables.map(() => Buffer.allocUnsafe(CHUNK));
    this.used = tables.map(() => 0);
    this.counts = tables.map(() => 0);
    tables.forEach((t, i) => this.append(i, `${t.columns.map((c) => c.name).join(',')}\n`));
  }

  /** Creates the directory and opens one file per table. */
  static async open(dir: string, tables: LegacyTable[], encoding: CsvEncoding): Promise<CsvSink> {
    await mkdir(dir, { recursive: true });
    return new CsvSink(dir, tables, encoding);
  }

  row(table: number, values: Cell[]): void {
    let line = csvCell(values[0]);
    for (let i = 1; i < values.length; i++) line += `,${csvCell(values[i])}`;
    this.append(table, `${line}\n`);
    this.counts[table]++;
  }

  /** Resolves when every file can take more data; undefined when no file is backed up. */
  ready(): Promise<void> | undefined {
    if (this.waiting.length === 0) return undefined;
    const all = Promise.all(this.waiting).then(() => undefined);
    this.waiting = [];
    return all;
  }

  /** Rows written per table name. */
  rowCounts(): Record<string, number> {
    return Object.fromEntries(this.tables.map((t, i) => [t.name, this.counts[i]]));
  }

  /** Flushes every buffer and closes the files. */
  async close(): Promise<void> {
    for (let i = 0; i < this.tables.length; i++) this.flush(i);
    await Promise.all(
      this.streams.map(
        (s) =>
          new Promise<void>((resolve, reject) => {
            s.once('error', reject);
            s.end(() => resolve());
          }),
      ),
    );
  }

  /** Closes the files without waiting, after a failure. */
  destroy(): void {
    for (const s of this.streams) s.destroy();
  }

  private append(table: number, text: string): void {
    // Three bytes per UTF-16 unit is the most UTF-8 needs; one is the most Windows-1252 needs.
    if (this.used[table] + text.length * 3 > CHUNK) this.flush(table);
    const chunk = this.chunks[table];
    if (text.length * 3 > CHUNK) {
      this.write(table, this.encode(text));
      return;
    }
    if (this.encoding === 'utf8') {
      this.used[table] += chunk.write(text, this.used[table], 'utf8');
    } else if (!BEYOND_LATIN1.test(text)) {
      // Windows-1252 and Latin-1 agree on every character up to U+00FF except the C1 range,
      // which generated text never contains, so the fast Latin-1 write gives the right bytes.
      this.used[table] += chunk.write(text, this.used[table], 'latin1');
    } else {
      const bytes = iconv.encode(text, this.encoding);
      bytes.copy(chunk, this.used[table]);
      this.used[table] += bytes.length;
    }
  }

  private encode(text: string): Buffer {
    return this.encoding === 'utf8' ? Buffer.from(text, 'utf8') : iconv.encode(text, this.encoding);
  }

  private flush(table: number): void {
    if (this.used[table] === 0) return;
    const full = this.chunks[table].subarray(0, this.used[table]);
    this.chunks[table] = Buffer.allocUnsafe(CHUNK);
    this.used[table] = 0;
    this.write(table, full);
  }

  private write(table: number, bytes: Buffer): void {
    const stream = this.streams[table];
    if (!stream.write(bytes)) {
      this.waiting.push(
        new Promise<void>((resolve, reject) => {
          const onError = (err: Error) => reject(err);
          stream.once('error', onError);
          stream.once('drain', () => {
            stream.off('error', onError);
            resolve();
          });
        }),
      );
    }
  }
}
