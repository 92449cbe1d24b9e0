/**
 * Joins and lookups read a whole (normally small, reference-like) source table into memory
 * once per run, keyed for constant-time matching. This keeps the engine connector-agnostic:
 * a CSV patient file can be joined to a PostgreSQL GP table. Large fact tables belong in
 * their own mapping, not in a join.
 */
import type { Source, Value } from '../connectors/connector.js';
import type { Contract, Mapping } from '../contract/model.js';
import { FerryError } from '../errors.js';
import { keyRenderer } from './source-key.js';

export interface LoadedJoin {
  alias: string;
  columns: string[];
  /** The joined row's values for a source row, or nulls when nothing matches (a left join). */
  match(row: readonly Value[]): readonly Value[];
}

/** Loads a joined table keyed on its `on` columns; the first row for a key wins. */
export async function loadJoin(source: Source, contract: Contract, join: Mapping['joins'][number], index: Map<string, number>, sliceRows: number, signal?: AbortSignal): Promise<LoadedJoin> {
  const def = contract.source.tables[join.table];
  if (!def) throw new FerryError('contract', 'contract.unknown_source_table', `join table ${join.table} is not pinned in the contract's source schema`);
  const columns = Object.keys(def.columns);
  const local = Object.keys(join.on);
  const remote = Object.values(join.on);
  const remoteIdx = remote.map((c) => {
    const i = columns.indexOf(c);
    if (i < 0) throw new FerryError('contract', 'contract.unknown_column', `join on ${join.table}.${c}: no such column`);
    return i;
  });
  const localIdx = local.map((c) => {
    const i = index.get(c);
    if (i === undefined) throw new FerryError('contract', 'contract.unknown_column', `join on ${c}: not a column of the mapping's source table`);
    return i;
  });
  const remoteKey = keyRenderer(remoteIdx);
  const localKey = keyRenderer(localIdx);
  const rows = new Map<string, Value[]>();
  for await (const slice of source.read(join.table, { columns, orderBy: def.primary_key, sliceRows, signal })) {
    for (const r of slice.rows) {
      const k = remoteKey(r);
      if (!rows.has(k)) rows.set(k, r);
    }
  }
  const empty: Value[] = new Array(columns.length).fill(null);
  return {
    alias: join.alias ?? join.table,
    columns,
    match: (row) => rows.get(localKey(row)) ?? empty,
  };
}

/** How a lookup keys a value: binary as hex, everything else as its text; NULL is never a key. */
function lookupKey(k: Value | undefined): string | undefined {
  if (k === null || k === undefined) return undefined;
  return Buffer.isBuffer(k) ? k.toString('hex') : String(k);
}

/** Lookup tables preloaded per (table, key, value), shared by every mapping of a run. */
export class LookupCache {
  private readonly maps = new Map<string, Map<string, Value>>();
  private readonly specs: Array<{ table: string; key: string; value: string; map: Map<string, Value> }> = [];

  /** Loads every lookup a contract uses. */
  async load(source: Source, specs: Array<{ table: string; key: string; value: string }>, sliceRows: number, signal?: AbortSignal): Promise<void> {
    for (const s of specs) {
      const id = `${s.table}\u0000${s.key}\u0000${s.value}`;
      if (this.maps.has(id)) continue;
      const map = new Map<string, Value>();
      for await (const slice of source.read(s.table, { columns: [s.key, s.value], sliceRows, signal })) {
        // A row the source could not read faithfully is left out: a value looked up in it is missing, never a replaced one.
        const bad = slice.problems ? new Set(slice.problems.map((p) => p.row)) : undefined;
        for (let r = 0; r < slice.rows.length; r++) {
          if (bad?.has(r)) continue;
          const [k, v] = slice.rows[r];
          const key = lookupKey(k);
          if (key !== undefined && !map.has(key)) map.set(key, v);
        }
      }
      this.maps.set(id, map);
      this.specs.push({ ...s, map });
    }
  }

  /**
   * Follows one changed row of source table `table` during a sync: its old key leaves every
   * lookup on the table and its new key takes the new value, so rows evaluated afterwards see
   * the source as it now is. `before`/`after` read a column of the old and new row (absent for
   * an insert or a delete).
   */
  change(table: string, before: ((column: string) => Value | undefined) | undefined, after: ((column: string) => Value | undefined) | undefined): void {
    for (const s of this.specs) {
      if (s.table !== table) continue;
      const oldKey = before ? lookupKey(before(s.key)) : undefined;
      if (oldKey !== undefined) s.map.delete(oldKey);
      const newKey = after ? lookupKey(after(s.key)) : undefined;
      if (newKey !== undefined) s.map.set(newKey, after!(s.value) ?? null);
    }
  }

  /** Empties every lookup on source table `table` (it was truncated at the source). */
  clear(table: string): void {
    for (const s of this.specs) if (s.table === table) s.map.clear();
  }

  /** The preloaded map for one lookup. */
  get(table: string, key: string, value: string): ReadonlyMap<string, Value> {
    const m = this.maps.get(`${table}\u0000${key}\u0000${value}`);
    if (!m) throw new FerryError('internal', 'engine.lookup_not_loaded', `lookup ${table}.${key} → ${value} was not preloaded`);
    return m;
  }
}
