/**
 * Orphan rows per reference (declared or inferred), and exact recounts of repeated identifiers.
 * Both are counted from the profile's exact value counts while the columns fit the exact limit.
 * Beyond it the sketches only estimate: the share of distinct values missing overstates orphan
 * rows when orphan values are rarer than the others, and a HyperLogLog cannot tell a few percent
 * of duplicates from its own error. So those figures are counted again exactly by reading just
 * the key columns concerned, as long as their values fit in memory (MAX_EXACT_KEYS). Only past
 * that does a figure stay an estimate, and it says so.
 */
import type { Source, Value } from '../../connectors/connector.js';
import { round } from '../column-profile.js';
import { textOf } from '../column-stats.js';
import { inclusion, type TableFacts } from '../keys.js';
import type { ForeignKeyCandidate } from '../types.js';
import type { Orphan } from './model.js';

/** Key values held in a set for an exact recount (a few hundred MB at most). */
export const MAX_EXACT_KEYS = 2_000_000;

export interface RecountOptions {
  sliceRows: number;
  signal?: AbortSignal;
  /** Most rows whose key values are held in a set for an exact recount; default MAX_EXACT_KEYS. */
  maxExactKeys?: number;
}

/** Orphan figures of every reference, by child table. */
export async function orphanFigures(source: Source, references: Map<string, ForeignKeyCandidate[]>, facts: Map<string, TableFacts>, o: RecountOptions): Promise<Map<string, Orphan[]>> {
  const parentKeys = new Map<string, Set<string>>();
  const out = new Map<string, Orphan[]>();
  for (const [table, fks] of references) {
    const list: Orphan[] = [];
    for (const fk of fks) {
      const child = facts.get(table)!;
      let figure = fromStatistics(fk, child, facts);
      const parent = facts.get(fk.references.table);
      if (figure.estimated && parent && fk.columns.length === 1 && parent.rows <= (o.maxExactKeys ?? MAX_EXACT_KEYS)) {
        const k = `${fk.references.table}\u0000${fk.references.columns[0]}`;
        let keys = parentKeys.get(k);
        if (!keys) parentKeys.set(k, (keys = await readValues(source, fk.references.table, fk.references.columns[0], o)));
        const parentSet = keys;
        let rows = 0;
        let missing = 0;
        await eachValue(source, table, fk.columns[0], o, (v) => {
          rows++;
          if (!parentSet.has(v)) missing++;
        });
        figure = { ...figure, child_rows: rows, orphan_rows: missing, orphan_rate: rate(missing, rows), estimated: false };
      }
      list.push(figure);
    }
    out.set(table, list);
  }
  return out;
}

function fromStatistics(fk: ForeignKeyCandidate, child: TableFacts, tables: Map<string, TableFacts>): Orphan {
  const base = { columns: fk.columns, references: fk.references, declared: fk.declared, strength: fk.strength };
  const parent = tables.get(fk.references.table);
  const ci = fk.columns.length === 1 ? child.columns.findIndex((c) => c.name === fk.columns[0]) : -1;
  const pi = parent && fk.references.columns.length === 1 ? parent.columns.findIndex((c) => c.name === fk.references.columns[0]) : -1;
  if (ci < 0 || pi < 0) return { ...base, child_rows: 0, orphan_rows: null, orphan_rate: null, estimated: false };
  const cs = child.stats[ci];
  const ps = parent!.stats[pi];
  const rows = cs.filled;
  if (cs.frequent.exact && ps.frequent.exact) {
    let missing = 0;
    for (const [value, n] of cs.frequent.counts) if (!ps.frequent.counts.has(value)) missing += n;
    return { ...base, child_rows: rows, orphan_rows: missing, orphan_rate: rate(missing, rows), estimated: false };
  }
  const m = inclusion(cs, ps);
  if (!m) return { ...base, child_rows: rows, orphan_rows: null, orphan_rate: null, estimated: true };
  // Even an exact containment of distinct values only estimates rows: orphan values are often rarer than the others.
  const missing = Math.round((1 - m.fraction) * rows);
  return { ...base, child_rows: rows, orphan_rows: missing, orphan_rate: rate(missing, rows), estimated: true };
}

/** Exact repeated values of one column (filled rows minus distinct values), or null when the table is too large to hold them. */
export async function exactDuplicates(source: Source, table: TableFacts, column: string, o: RecountOptions): Promise<number | null> {
  if (table.rows > (o.maxExactKeys ?? MAX_EXACT_KEYS)) return null;
  let filled = 0;
  const seen = new Set<string>();
  await eachValue(source, table.name, column, o, (v) => {
    filled++;
    seen.add(v);
  });
  return filled - seen.size;
}

async function readValues(source: Source, table: string, column: string, o: RecountOptions): Promise<Set<string>> {
  const set = new Set<string>();
  await eachValue(source, table, column, o, (v) => set.add(v));
  return set;
}

// A column's non-empty values as profiling counts them: text, trimmed.
async function eachValue(source: Source, table: string, column: string, o: RecountOptions, fn: (value: string) => void): Promise<void> {
  for await (const slice of source.read(table, { columns: [column], sliceRows: o.sliceRows, signal: o.signal })) {
    for (const row of slice.rows) {
      const v = row[0] as Value | undefined;
      if (v === null || v === undefined) continue;
      const t = textOf(v).trim();
      if (t.length > 0) fn(t);
    }
  }
}

function rate(k: number, n: number): number {
  return n === 0 ? 0 : round(k / n);
}
