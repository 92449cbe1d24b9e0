/**
 * Checksum bisection over key ranges (the data-diff method). The expected rows, sorted by
 * target key with dense positions, are cut into `fanout` ranges of equal size; each range's
 * row count and row-hash sum are compared with the target's over the same key bounds (one
 * aggregate query, an index range scan). Only ranges that differ are cut again, until a range
 * holds at most `leafSize` expected rows; those are compared row by row. With d differing
 * rows in a table of n the target reads about n rows for the first level plus
 * d × (fanout × leafSize) × log_fanout(n / leafSize) after it, and memory stays at one leaf.
 */
import { keyCols, type ExpectedTable } from './expected.js';
import { type Candidates } from './candidates.js';
import { mod64, packHashes } from './hash.js';
import type { Scratch } from './scratch.js';
import type { Bound, KeyRange, RangeAggregate, TargetSide } from './side.js';
import { sumOf } from './sql-side.js';

export interface BisectOptions {
  scratch: Scratch;
  exp: ExpectedTable;
  side: TargetSide;
  keyCount: number;
  columnCount: number;
  candidates: Candidates;
  leafSize: number;
  fanout: number;
  signal?: AbortSignal;
}

export interface BisectResult {
  /** Rows in the whole target table. */
  targetRows: number;
  /** Per-column non-null counts over the whole target table. */
  targetNonNull: number[];
  ranges: number;
  leaves: number;
  rowsCompared: number;
}

interface Segment {
  a: number;
  b: number;
  range: KeyRange;
}

function same(x: RangeAggregate, y: RangeAggregate): boolean {
  return x.count === y.count && mod64(x.sum) === mod64(y.sum);
}

/** Compares the expected rows with the target by key-range checksums, recording every difference as a candidate. */
export async function bisect(o: BisectOptions): Promise<BisectResult> {
  const db = o.scratch.db;
  const exp = o.exp.name;
  const kc = keyCols(o.keyCount);
  const aggStmt = db.prepare(`SELECT count(*), sum(rhi), sum(rlo) FROM ${exp} WHERE pos BETWEEN ? AND ?`).raw(true);
  const keyStmt = db.prepare(`SELECT ${kc.join(', ')} FROM ${exp} WHERE pos = ?`).raw(true);
  const rowsStmt = db.prepare(`SELECT kt, sk, rhi, rlo, ch FROM ${exp} WHERE pos BETWEEN ? AND ?`).raw(true);
  const result: BisectResult = { targetRows: 0, targetNonNull: [], ranges: 0, leaves: 0, rowsCompared: 0 };

  const expAgg = (a: number, b: number): RangeAggregate => {
    const [n, hi, lo] = aggStmt.get(a, b) as unknown[];
    return { count: Number(n), sum: (sumOf(hi) << 32n) + sumOf(lo) };
  };
  const keyAt = (p: number): Bound => keyStmt.get(p) as Bound;

  const segments = (s: Segment, min: number): Segment[] => {
    const n = s.b - s.a + 1;
    const parts = Math.max(min, Math.min(o.fanout, Math.ceil(n / o.leafSize), n));
    const out: Segment[] = [];
    let lower = s.range.lower;
    for (let j = 0; j < parts; j++) {
      const a = s.a + Math.floor((j * n) / parts);
      const b = s.a + Math.floor(((j + 1) * n) / parts) - 1;
      const upper = j === parts - 1 ? s.range.upper : keyAt(b);
      out.push({ a, b, range: { lower, upper } });
      lower = upper;
    }
    return out;
  };

  const leaf = async (s: Segment): Promise<void> => {
    result.leaves++;
    const expected = new Map<string, { sk: string; rh: string; ch: Buffer; used: boolean }>();
    for (const [kt, sk, hi, lo, ch] of rowsStmt.all(s.a, s.b) as Array<[string, string, bigint, bigint, Buffer]>) {
      expected.set(kt, { sk, rh: hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0'), ch, used: false });
    }
    result.rowsCompared += expected.size;
    for await (const page of o.side.rows(s.range)) {
      o.signal?.throwIfAborted();
      for (const row of page) {
        result.rowsCompared++;
        const e = expected.get(row.kt);
        if (e && !e.used) {
          e.used = true;
          if (e.rh !== row.rh) o.candidates.add({ kind: 'different', kt: row.kt, sk: e.sk, erh: e.rh, trh: row.rh, ech: e.ch, tch: packHashes(row.ch) });
        } else {
          o.candidates.add({ kind: 'extra', kt: row.kt, sk: null, erh: null, trh: row.rh, ech: null, tch: packHashes(row.ch) });
        }
      }
    }
    for (const [kt, e] of expected) {
      if (!e.used) o.candidates.add({ kind: 'missing', kt, sk: e.sk, erh: e.rh, trh: null, ech: e.ch, tch: null });
    }
  };

  const visit = async (s: Segment): Promise<void> => {
    if (s.b - s.a + 1 <= o.leafSize) return leaf(s);
    for (const part of segments(s, 2)) {
      o.signal?.throwIfAborted();
      result.ranges++;
      if (!same(expAgg(part.a, part.b), await o.side.aggregate(part.range, false))) await visit(part);
    }
  };

  const precomputed = o.side.columnTotals?.();
  const totals = Array.from({ length: o.columnCount }, () => 0);
  const top: Segment = { a: 1, b: o.exp.count, range: {} };
  // The first level is one pass over the whole target, which also yields the non-null counts.
  const first = o.exp.count === 0 ? [top] : segments(top, 1);
  for (const part of first) {
    o.signal?.throwIfAborted();
    result.ranges++;
    const t = await o.side.aggregate(part.range, precomputed === undefined);
    result.targetRows += t.count;
    t.nonNull?.forEach((n, i) => (totals[i] += n));
    const e = part.b >= part.a ? expAgg(part.a, part.b) : { count: 0, sum: 0n };
    if (!same(e, t)) await (part.b - part.a + 1 <= o.leafSize ? leaf(part) : visit(part));
  }
  result.targetNonNull = precomputed ?? totals;
  return result;
}
