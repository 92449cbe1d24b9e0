/**
 * File targets (CSV, NDJSON) cannot answer range queries, and their rows are in load order,
 * not key order. The target table is streamed once through the canonical forms into the
 * scratch store (keys and hashes only, indexed by key), which then answers the same range
 * queries a database would. Duplicate keys (an append loaded twice) are kept: each copy past
 * the first shows up as an extra row.
 */
import type { Source } from '../connectors/connector.js';
import { canonical, type BinaryText } from './canonical.js';
import { keyCols, ValueHashes } from './expected.js';
import { unpackHash } from './hash.js';
import { digest64 } from './md5.js';
import { RowHashSum } from './row-hash.js';
import { keyColumnType, keyValue, type Scratch } from './scratch.js';
import type { Bound, KeyRange, RangeAggregate, SideRow, SideTable, TargetSide } from './side.js';
import { rangeWhere, sumOf } from './sql-side.js';

const PAGE = 5000;

export interface StreamSideOptions {
  scratch: Scratch;
  id: number;
  target: Source;
  table: SideTable;
  sliceRows: number;
  binaryText: BinaryText;
  signal?: AbortSignal;
}

/** A target side backed by the scratch store; `columnTotals` were counted while streaming. */
export class StreamSide implements TargetSide {
  readonly method = 'stream' as const;

  private constructor(
    private readonly scratch: Scratch,
    private readonly name: string,
    private readonly keys: string[],
    private readonly totals: number[],
  ) {}

  /** Streams the target table into the scratch store. */
  static async load(o: StreamSideOptions): Promise<StreamSide> {
    const db = o.scratch.db;
    const name = `act_${o.id}`;
    const cols = o.table.columns;
    const kc = keyCols(o.table.keyIdx.length);
    db.exec(`CREATE TABLE ${name} (${kc.map((k, j) => `${k} ${keyColumnType(cols[o.table.keyIdx[j]].type)}`).join(', ')}, kt TEXT, rhi INTEGER, rlo INTEGER, ch BLOB)`);
    const insert = db.prepare(`INSERT INTO ${name} VALUES (${[...kc, 'kt', 'rhi', 'rlo', 'ch'].map(() => '?').join(', ')})`);
    const nonNull = cols.map(() => 0);
    const valueHashes = new ValueHashes(cols.length);
    const rowHash = new RowHashSum();
    const write = db.transaction((rows: unknown[][]) => {
      for (const row of rows) {
        const canon = cols.map((c, i) => canonical(c.type, row[i] as never, o.binaryText));
        canon.forEach((v, i) => v !== null && nonNull[i]++);
        const keys = o.table.keyIdx.map((i) => (canon[i] === null ? null : keyValue(cols[i].type, canon[i]!)));
        rowHash.hash(canon);
        insert.run(...keys, o.table.keyIdx.map((i) => canon[i] ?? '').join('|'), digest64.hi, digest64.lo, valueHashes.pack(canon));
      }
    });
    for await (const slice of o.target.read(o.table.name, { columns: cols.map((c) => c.name), sliceRows: o.sliceRows, signal: o.signal })) write(slice.rows);
    db.exec(`CREATE INDEX ${name}_k ON ${name} (${kc.join(', ')})`);
    return new StreamSide(o.scratch, name, kc, nonNull);
  }

  /** Per-column non-null counts over the whole target table. */
  columnTotals(): number[] {
    return this.totals;
  }

  async aggregate(range: KeyRange): Promise<RangeAggregate> {
    const w = rangeWhere(
      this.keys,
      range,
      () => '?',
      (v) => v,
    );
    const row = this.scratch.db
      .prepare(`SELECT count(*), sum(rhi), sum(rlo) FROM ${this.name} WHERE ${w.sql}`)
      .raw(true)
      .get(...w.params) as unknown[];
    return { count: Number(row[0]), sum: (sumOf(row[1]) << 32n) + sumOf(row[2]) };
  }

  async *rows(range: KeyRange): AsyncIterable<SideRow[]> {
    const order = [...this.keys, 'rowid'];
    let after: Bound | undefined;
    for (;;) {
      const w = rangeWhere(
        this.keys,
        range,
        () => '?',
        (v) => v,
      );
      let where = w.sql;
      if (after) {
        const more = rangeWhere(
          order,
          { lower: after },
          () => '?',
          (v) => v,
        );
        where += ` AND ${more.sql}`;
        w.params.push(...more.params);
      }
      const rows = this.scratch.db
        .prepare(`SELECT ${order.join(', ')}, kt, rhi, rlo, ch FROM ${this.name} WHERE ${where} ORDER BY ${order.join(', ')} LIMIT ${PAGE}`)
        .raw(true)
        .all(...w.params) as unknown[][];
      if (rows.length === 0) return;
      const n = order.length;
      yield rows.map((r) => {
        const ch = r[n + 3] as Buffer;
        return {
          kt: String(r[n]),
          rh:
            Number(r[n + 1])
              .toString(16)
              .padStart(8, '0') +
            Number(r[n + 2])
              .toString(16)
              .padStart(8, '0'),
          ch: Array.from({ length: ch.length / 8 }, (_, i) => unpackHash(ch, i)),
        };
      });
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1].slice(0, n) as Bound;
    }
  }

  async close(): Promise<void> {}
}
