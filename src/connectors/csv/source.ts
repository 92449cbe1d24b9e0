/**
 * Reads a directory of CSV files as a Source. Files are read-only here by construction: the
 * source only ever opens them with createReadStream.
 *
 * Order: a CSV file has no ORDER BY, so `orderBy` is ignored and rows come in file order, which
 * is deterministic as long as the file is unchanged; `skip` counts records in that order, which
 * is what lets a resumed run continue where it stopped.
 */
import { FerryError } from '../../errors.js';
import { tableFile } from '../file/tables.js';
import type { Slice, ReadOptions, SchemaInfo, Source, Value } from '../connector.js';
import type { CsvConfig } from './config.js';
import { introspectCsv } from './introspect.js';
import { checkHeader, csvRecords } from './reader.js';

const EXT = '.csv';

/** A `csv:DIR` source; construct through `openSource` in index.ts. */
export class CsvSource implements Source {
  readonly kind = 'csv';

  constructor(
    readonly displayUrl: string,
    private readonly dir: string,
    private readonly config: CsvConfig,
  ) {}

  introspect(): Promise<SchemaInfo> {
    return introspectCsv(this.dir, this.config);
  }

  async *read(table: string, options: ReadOptions): AsyncIterable<Slice> {
    options.signal?.throwIfAborted();
    const file = await tableFile(this.dir, table, EXT);
    const sliceRows = Math.max(1, Math.floor(options.sliceRows));
    let toSkip = options.skip ?? 0;
    let pick: number[] | undefined;
    let columns: string[] = [];
    let rows: Value[][] = [];
    for await (const record of csvRecords(file, this.config)) {
      if (!pick) {
        const header = checkHeader(file, record);
        columns = options.columns ?? header;
        pick = columns.map((c) => header.indexOf(c));
        const missing = columns.filter((_, i) => pick![i] < 0);
        if (missing.length) {
          throw new FerryError('not_found', 'connector.column_missing', `${table}${EXT} has no column(s) ${missing.join(', ')}; its header has ${header.join(', ')}`);
        }
        continue;
      }
      if (toSkip > 0) {
        toSkip--;
        continue;
      }
      rows.push(pick.map((i) => record[i]));
      if (rows.length === sliceRows) {
        options.signal?.throwIfAborted();
        yield { columns, rows };
        rows = [];
      }
    }
    options.signal?.throwIfAborted();
    if (rows.length) yield { columns, rows };
  }

  async count(table: string): Promise<number> {
    let n = -1;
    for await (const _ of csvRecords(await tableFile(this.dir, table, EXT), this.config)) n++;
    return Math.max(0, n);
  }

  async close(): Promise<void> {}
}
