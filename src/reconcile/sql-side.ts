/**
 * A database target as a TargetSide: range checksums are single aggregate queries over a key
 * range (an index range scan on the primary key), and leaf ranges are read in key-ordered
 * pages of hashes. The connection sits in a read-only transaction so every query sees one
 * snapshot and reconciliation can never write to the target.
 */
import type { Bound, KeyRange, RangeAggregate, SideRow, SideTable, TargetSide } from './side.js';
import { rowTextSql, valueHashSql, type SqlDialect } from './sql-dialect.js';

/** Runs one statement and returns its rows as arrays. */
export type Exec = (sql: string, params: unknown[]) => Promise<unknown[][]>;

const PAGE = 5000;

/** `WHERE` text and parameters for a key range over the given (quoted) key columns. */
export function rangeWhere(keys: readonly string[], range: KeyRange, placeholder: (i: number) => string, param: (v: bigint | string | null) => unknown, first = 1): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const tuple = keys.length === 1 ? keys[0] : `(${keys.join(', ')})`;
  const bind = (b: Bound): string => {
    const ph = b.map((v) => {
      params.push(param(v));
      return placeholder(first + params.length - 1);
    });
    return ph.length === 1 ? ph[0] : `(${ph.join(', ')})`;
  };
  if (range.lower) clauses.push(`${tuple} > ${bind(range.lower)}`);
  if (range.upper) clauses.push(`${tuple} <= ${bind(range.upper)}`);
  return { sql: clauses.length ? clauses.join(' AND ') : '1 = 1', params };
}

/** Reads a database sum (text, number or bigint; NULL for no rows) as a bigint. */
export function sumOf(v: unknown): bigint {
  if (v === null || v === undefined) return 0n;
  return BigInt(typeof v === 'string' ? v.replace(/\.0*$/, '') : (v as number | bigint));
}

export class SqlSide implements TargetSide {
  readonly method = 'sql' as const;
  private readonly keys: string[];
  private readonly rowHash: string;
  private readonly valueHashes: string[];

  constructor(
    private readonly d: SqlDialect,
    private readonly exec: Exec,
    /** The quoted (and qualified) table name. */
    private readonly tableSql: string,
    private readonly table: SideTable,
    private readonly closer: () => Promise<void>,
  ) {
    this.keys = table.keyIdx.map((i) => d.ident(table.columns[i].name));
    this.rowHash = d.hex16(rowTextSql(d, table.columns));
    this.valueHashes = table.columns.map((c) => valueHashSql(d, c));
  }

  async aggregate(range: KeyRange, withColumns: boolean): Promise<RangeAggregate> {
    const w = rangeWhere(this.keys, range, this.d.placeholder, this.d.param);
    const select = ['count(*)', this.d.hashSum(this.rowHash)];
    if (withColumns) for (const c of this.table.columns) select.push(`count(${this.d.ident(c.name)})`);
    const [row] = await this.exec(`SELECT ${select.join(', ')} FROM ${this.tableSql} WHERE ${w.sql}`, w.params);
    const out: RangeAggregate = { count: Number(row[0]), sum: sumOf(row[1]) };
    if (withColumns) out.nonNull = row.slice(2).map(Number);
    return out;
  }

  async *rows(range: KeyRange): AsyncIterable<SideRow[]> {
    const nk = this.keys.length;
    const raw = this.keys.map((k) => this.d.rawKey(k));
    const canon = this.table.keyIdx.map((i, j) => `CASE WHEN ${this.keys[j]} IS NULL THEN '' ELSE ${this.d.canon(this.table.columns[i].type, this.keys[j])} END`);
    // Aliased so ORDER BY names the table's key columns, never a same-named output column.
    const select = [...raw, ...canon, this.rowHash, ...this.valueHashes].map((e, i) => `${e} AS ${this.d.ident(`_f${i}`)}`).join(', ');
    const order = this.keys.join(', ');
    let after: Bound | undefined;
    for (;;) {
      const w = rangeWhere(this.keys, range, this.d.placeholder, this.d.param);
      let where = w.sql;
      const params = w.params;
      if (after) {
        const more = rangeWhere(this.keys, { lower: after }, this.d.placeholder, (v) => v, params.length + 1);
        where += ` AND ${more.sql}`;
        params.push(...more.params);
      }
      const rows = await this.exec(`SELECT ${select} FROM ${this.tableSql} WHERE ${where} ORDER BY ${order} LIMIT ${PAGE}`, params);
      if (rows.length === 0) return;
      yield rows.map((r) => ({
        kt: r
          .slice(nk, 2 * nk)
          .map(String)
          .join('|'),
        rh: String(r[2 * nk]),
        ch: r.slice(2 * nk + 1).map((h) => (h === null ? null : String(h))),
      }));
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1].slice(0, nk) as Bound;
    }
  }

  close(): Promise<void> {
    return this.closer();
  }
}
