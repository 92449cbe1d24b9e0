/**
 * The expected side: the source streamed through the contract's compiled row program (the
 * same code the engine ran), each loaded row reduced to its target key, source key, row hash
 * and per-column value hashes, and stored in the scratch store sorted by target key with a
 * dense position. Positions let bisection split the expected rows into equal ranges and read
 * each range's bounds in O(log n).
 */
import type { RowProblem, Source, TargetTableDef, Value } from '../connectors/connector.js';
import type { LoadedContract } from '../contract/model.js';
import type { LoadedKeys } from '../engine/cascade.js';
import type { LookupCache } from '../engine/joins.js';
import { compileRowProgram, EXCLUDED, LOADED } from '../engine/row-program.js';
import { detachedString } from '../transform/text-value.js';
import { canonical } from './canonical.js';
import { hex16, packHashes, rowText, Sum64 } from './hash.js';
import { keyColumnType, keyValue, type Scratch } from './scratch.js';

export interface DerivedCounts {
  read: number;
  loaded: number;
  quarantined: number;
  excluded: number;
}

export interface ExpectedTable {
  /** Scratch table holding the expected rows: pos, k0…kn, kt, sk, rhi, rlo, ch. */
  name: string;
  /** Distinct target keys (rows) expected in the target. */
  count: number;
  derived: DerivedCounts;
  /** Per target column: non-null count and value-hash sum of the expected values. */
  columns: Sum64[];
}

export interface ExpectedOptions {
  scratch: Scratch;
  /** Unique suffix for the scratch tables of this target table. */
  id: number;
  loaded: LoadedContract;
  table: string;
  def: TargetTableDef;
  source: Source;
  lookups: LookupCache;
  sliceRows: number;
  pilotKeys?: Set<string>;
  today: () => string;
  signal?: AbortSignal;
  /** The run's parent keys, so children of a parent that did not load are expected quarantined too. */
  parentKeys?: LoadedKeys;
}

/** Distinct value hashes remembered per column: code lists and dates repeat, names rarely do. */
const MEMO_LIMIT = 4096;

/** A value hasher for one column that remembers the hashes of frequent values. */
export function memoHasher(): (text: string) => string {
  const memo = new Map<string, string>();
  return (text) => {
    let h = memo.get(text);
    if (h === undefined) {
      h = hex16(text);
      if (memo.size < MEMO_LIMIT) memo.set(detachedString(text), h);
    }
    return h;
  };
}

/** Key column positions of a target table definition. */
export function keyIndexes(def: TargetTableDef): number[] {
  return def.primaryKey.map((k) => def.columns.findIndex((c) => c.name === k));
}

/** Scratch column list for key parts: k0, k1, … */
export function keyCols(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `k${i}`);
}

/** Streams the source through the row program into the scratch store; returns what the target must hold. */
export async function buildExpected(o: ExpectedOptions): Promise<ExpectedTable> {
  const program = await compileRowProgram({
    loaded: o.loaded,
    table: o.table,
    def: o.def,
    source: o.source,
    lookups: o.lookups,
    sliceRows: o.sliceRows,
    pilotKeys: o.pilotKeys,
    today: o.today,
    signal: o.signal,
    parentKeys: o.parentKeys,
  });
  const db = o.scratch.db;
  const types = o.def.columns.map((c) => c.type);
  const keyIdx = keyIndexes(o.def);
  const kc = keyCols(keyIdx.length);
  const stage = `stage_${o.id}`;
  const name = `exp_${o.id}`;
  const keyDdl = kc.map((k, i) => `${k} ${keyColumnType(types[keyIdx[i]])}`).join(', ');
  // Keyed on the target key, so a later source row for the same key replaces an earlier one,
  // exactly as the engine's upsert did (both read the source in primary-key order).
  db.exec(`CREATE TABLE ${stage} (${keyDdl}, kt TEXT, sk TEXT, rhi INTEGER, rlo INTEGER, ch BLOB, PRIMARY KEY (${kc.join(', ')})) WITHOUT ROWID`);
  const insert = db.prepare(`INSERT OR REPLACE INTO ${stage} VALUES (${[...kc, 'kt', 'sk', 'rhi', 'rlo', 'ch'].map(() => '?').join(', ')})`);
  const hashers = types.map(() => memoHasher());
  const derived: DerivedCounts = { read: 0, loaded: 0, quarantined: 0, excluded: 0 };
  const width = types.length;
  const canon: (string | null)[] = new Array(width);
  const hashes: (string | null)[] = new Array(width);
  const params: unknown[] = new Array(kc.length + 5);

  const writeBatch = db.transaction((rows: Value[][], problems: RowProblem[] | undefined) => {
    let pi = 0;
    for (let r = 0; r < rows.length; r++) {
      const src = rows[r];
      // A row the source could not read faithfully is quarantined by the engine before any step.
      if (problems !== undefined && problems[pi]?.row === r) {
        while (problems[pi]?.row === r) pi++;
        if (o.pilotKeys && !o.pilotKeys.has(program.sourceKey(src))) derived.excluded++;
        else derived.quarantined++;
        continue;
      }
      const status = program.evaluate(src);
      if (status === EXCLUDED) {
        derived.excluded++;
        continue;
      }
      if (status !== LOADED) {
        derived.quarantined++;
        continue;
      }
      derived.loaded++;
      const out = program.out;
      for (let i = 0; i < width; i++) {
        const c = canonical(types[i], out[i]);
        canon[i] = c;
        hashes[i] = c === null ? null : hashers[i](c);
      }
      let kt = '';
      for (let j = 0; j < keyIdx.length; j++) {
        const part = canon[keyIdx[j]] ?? '';
        params[j] = canon[keyIdx[j]] === null ? null : keyValue(types[keyIdx[j]], part);
        kt = j === 0 ? part : `${kt}|${part}`;
      }
      const rh = hex16(rowText(canon));
      let p = keyIdx.length;
      params[p++] = kt;
      params[p++] = program.sourceKey(src);
      params[p++] = parseInt(rh.slice(0, 8), 16);
      params[p++] = parseInt(rh.slice(8, 16), 16);
      params[p] = packHashes(hashes);
      insert.run(params);
    }
  });

  for await (const slice of o.source.read(program.source, { columns: program.readColumns, orderBy: program.orderBy, sliceRows: o.sliceRows, signal: o.signal })) {
    derived.read += slice.rows.length;
    writeBatch(slice.rows, slice.problems);
  }

  db.exec(`CREATE TABLE ${name} (pos INTEGER PRIMARY KEY, ${keyDdl}, kt TEXT, sk TEXT, rhi INTEGER, rlo INTEGER, ch BLOB)`);
  db.exec(`INSERT INTO ${name} (${kc.join(', ')}, kt, sk, rhi, rlo, ch) SELECT ${kc.join(', ')}, kt, sk, rhi, rlo, ch FROM ${stage} ORDER BY ${kc.join(', ')}`);
  db.exec(`DROP TABLE ${stage}`);

  const columns = types.map(() => new Sum64());
  for (const row of db.prepare(`SELECT ch FROM ${name}`).raw(true).iterate() as IterableIterator<[Buffer]>) {
    const ch = row[0];
    for (let i = 0; i < width; i++) {
      const hi = ch.readUInt32BE(i * 8);
      const lo = ch.readUInt32BE(i * 8 + 4);
      if (hi !== 0 || lo !== 0) columns[i].addHalves(hi, lo);
    }
  }
  const count = Number((db.prepare(`SELECT count(*) FROM ${name}`).pluck().get() as bigint) ?? 0n);
  return { name, count, derived, columns };
}
