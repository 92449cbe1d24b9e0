/**
 * Reads a directory of NDJSON files as a Source. Files are only ever opened for reading.
 *
 * Order: `orderBy` is ignored and objects come in file order (deterministic while the file is
 * unchanged); `skip` counts objects in that order. A key missing from a line reads as null.
 * Without `columns`, the columns are every key in the file (an extra pass); with `columns`, a
 * column that no line has is refused once the file has been read, before the last batch, so a
 * misspelt column can never complete a table full of nulls.
 */
import { FerryError } from '../../errors.js';
import { tableFile } from '../file/tables.js';
import type { ReadOptions, RowProblem, SchemaInfo, Slice, Source, Value } from '../connector.js';
import type { BadBytes } from '../file/decode.js';
import { EXT, introspectNdjson, ndjsonKeys } from './introspect.js';
import { ndjsonObjects, toValue, type LineProblem } from './reader.js';

/** An `ndjson:DIR` source; construct through `openSource` in index.ts. */
export class NdjsonSource implements Source {
  readonly kind = 'ndjson';

  constructor(
    readonly displayUrl: string,
    private readonly dir: string,
    private readonly onBadBytes: BadBytes = 'quarantine',
  ) {}

  introspect(): Promise<SchemaInfo> {
    return introspectNdjson(this.dir);
  }

  async *read(table: string, options: ReadOptions): AsyncIterable<Slice> {
    options.signal?.throwIfAborted();
    // A file table is one partition: reading it whole as a "partition" would load it once per partition.
    if (options.range) throw new FerryError('usage', 'source.range_unsupported', `NDJSON table ${table} cannot be read by key range; a file table is read whole, as one partition`);
    if (options.valuesIn) throw new FerryError('usage', 'source.values_in_unsupported', `NDJSON table ${table} cannot be read by column value; a file table is read whole`);
    if (options.changedAfter) {
      throw new FerryError(
        'usage',
        'source.changed_after_unsupported',
        `NDJSON table ${table} cannot be read by change column; a file has no rows changed since a poll, so sync a file source by loading it again`,
      );
    }
    const file = await tableFile(this.dir, table, EXT);
    const columns = options.columns ?? (await ndjsonKeys(file));
    // Refusing means refusing before the first row is loaded, so the whole file is checked first.
    if (this.onBadBytes === 'refuse') for await (const _ of ndjsonObjects(file, { onBadBytes: 'refuse' })) options.signal?.throwIfAborted();
    const unseen = new Set(options.columns ? columns : []);
    const sliceRows = Math.max(1, Math.floor(options.sliceRows));
    let toSkip = options.skip ?? 0;
    let rows: Value[][] = [];
    let problems: RowProblem[] = [];
    // The reader reports a line's problems just before yielding it; those in a column read are the row's.
    const pending: LineProblem[] = [];
    const onProblem = (p: LineProblem): void => {
      if (columns.includes(p.column)) pending.push(p);
    };
    for await (const obj of ndjsonObjects(file, { onProblem })) {
      if (unseen.size) for (const c of unseen) if (c in obj) unseen.delete(c);
      if (toSkip > 0) {
        toSkip--;
        pending.length = 0;
        continue;
      }
      if (pending.length) {
        for (const p of pending) problems.push({ row: rows.length, ...p });
        pending.length = 0;
      }
      rows.push(columns.map((c) => toValue(obj[c])));
      if (rows.length === sliceRows) {
        options.signal?.throwIfAborted();
        yield problems.length ? { columns, rows, problems } : { columns, rows };
        rows = [];
        problems = [];
      }
    }
    if (unseen.size) {
      throw new FerryError('not_found', 'connector.column_missing', `no line of ${table}${EXT} has the key(s) ${[...unseen].join(', ')}; check the column names against ferry's introspection`);
    }
    options.signal?.throwIfAborted();
    if (rows.length) yield problems.length ? { columns, rows, problems } : { columns, rows };
  }

  async count(table: string): Promise<number> {
    let n = 0;
    for await (const _ of ndjsonObjects(await tableFile(this.dir, table, EXT))) n++;
    return n;
  }

  async close(): Promise<void> {}
}
