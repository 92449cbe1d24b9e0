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
import type { ReadOptions, RowProblem, SchemaInfo, Slice, Source, Value } from '../connector.js';
import type { CsvConfig } from './config.js';
import { introspectCsv } from './introspect.js';
import { checkHeader, csvRecords, csvRowCount, type RecordProblem } from './reader.js';

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
    // A file table is one partition: reading it whole as a "partition" would load it once per partition.
    if (options.range) throw new FerryError('usage', 'source.range_unsupported', `CSV table ${table} cannot be read by key range; a file table is read whole, as one partition`);
    if (options.valuesIn) throw new FerryError('usage', 'source.values_in_unsupported', `CSV table ${table} cannot be read by column value; a file table is read whole`);
    if (options.changedAfter) {
      throw new FerryError(
        'usage',
        'source.changed_after_unsupported',
        `CSV table ${table} cannot be read by change column; a file has no rows changed since a poll, so sync a file source by loading it again`,
      );
    }
    const file = await tableFile(this.dir, table, EXT);
    // Refusing means refusing before the first row is loaded, so the whole file is checked first.
    if (this.config.on_bad_bytes === 'refuse') for await (const _ of csvRecords(file, this.config)) options.signal?.throwIfAborted();
    const sliceRows = Math.max(1, Math.floor(options.sliceRows));
    let toSkip = options.skip ?? 0;
    let pick: number[] | undefined;
    let columns: string[] = [];
    let rows: Value[][] = [];
    let problems: RowProblem[] = [];
    // The reader reports a record's problems just before yielding it; those in a column read (or of the whole record) are the row's.
    const pending: RowProblem[] = [];
    const onProblem = (p: RecordProblem): void => {
      if (!pick) return;
      const at = p.field === undefined ? -1 : pick.indexOf(p.field);
      if (p.field !== undefined && at < 0) return;
      pending.push({ row: -1, reasonCode: p.reasonCode, ...(at >= 0 ? { column: columns[at] } : {}), ...(p.likelyEncoding ? { likelyEncoding: p.likelyEncoding } : {}), message: p.message });
    };
    for await (const record of csvRecords(file, this.config, onProblem)) {
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
        pending.length = 0;
        continue;
      }
      if (pending.length) {
        for (const p of pending) problems.push({ ...p, row: rows.length });
        pending.length = 0;
      }
      rows.push(pick.map((i) => record[i]));
      if (rows.length === sliceRows) {
        options.signal?.throwIfAborted();
        yield problems.length ? { columns, rows, problems } : { columns, rows };
        rows = [];
        problems = [];
      }
    }
    options.signal?.throwIfAborted();
    if (rows.length) yield problems.length ? { columns, rows, problems } : { columns, rows };
  }

  async count(table: string): Promise<number> {
    return csvRowCount(await tableFile(this.dir, table, EXT), this.config);
  }

  async close(): Promise<void> {}
}
