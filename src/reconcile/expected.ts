/**
 * The expected side: the source streamed through the contract's compiled row program (the
 * same code the engine ran), each loaded row reduced to canonical column values. Two uses:
 *
 * - `deriveTotals` (pass 1) keeps only the row count, the sum of row hashes and per-column
 *   non-null counts, in memory: what the target's whole-table aggregate is compared with.
 * - `buildExpected` (pass 2, and file targets) stores each row's target key, source key, row
 *   hash and per-column value hashes in the scratch store sorted by target key with a dense
 *   position. Positions let bisection split the expected rows into equal ranges and read each
 *   range's bounds in O(log n).
 */
import type { RowProblem, Source, TargetTableDef, Value } from '../connectors/connector.js';
import type { LoadedContract } from '../contract/model.js';
import type { LoadedKeys } from '../engine/cascade.js';
import type { LookupCache } from '../engine/joins.js';
import { compileRowProgram, EXCLUDED, LOADED } from '../engine/row-program.js';
import { detachedString } from '../transform/text-value.js';
import { canonical } from './canonical.js';
import { digest64, md5Text } from './md5.js';
import { RowHashSum } from './row-hash.js';
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
  /** Per target column: non-null expected values. */
  nonNull: number[];
}

/** Pass 1: what the loaded rows add up to, without storing any of them. */
export interface ExpectedTotals {
  derived: DerivedCounts;
  /** Loaded rows (with their row hashes summed in `sum`). */
  count: number;
  /** Sum of row hashes modulo 2^64. */
  sum: bigint;
  /** Per target column: non-null values over the loaded rows. */
  nonNull: number[];
}

/** What re-deriving a table's expected rows needs. */
export interface DeriveOptions {
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

export interface ExpectedOptions extends DeriveOptions {
  scratch: Scratch;
  /** Unique suffix for the scratch tables of this target table. */
  id: number;
}

/** Distinct value hashes remembered per column: code lists and dates repeat, names rarely do. */
const MEMO_LIMIT = 4096;

/**
 * Packs a row's value hashes, 8 bytes per column (all zero for NULL, as hash.ts `packHashes`),
 * straight from the digest's halves, remembering the hashes of frequent values per column.
 */
export class ValueHashes {
  private readonly memo: Array<Map<string, number[]>>;

  constructor(private readonly width: number) {
    this.memo = Array.from({ length: width }, () => new Map());
  }

  /** The packed value hashes of one row's canonical values. */
  pack(canon: readonly (string | null)[]): Buffer {
    const out = Buffer.alloc(this.width * 8);
    for (let i = 0; i < this.width; i++) {
      const text = canon[i];
      if (text === null) continue;
      const memo = this.memo[i];
      let h = memo.get(text);
      if (h === undefined) {
        md5Text(text);
        h = [digest64.hi, digest64.lo];
        if (memo.size < MEMO_LIMIT) memo.set(detachedString(text), h);
      }
      out.writeUInt32BE(h[0], i * 8);
      out.writeUInt32BE(h[1], i * 8 + 4);
    }
    return out;
  }
}

/** Key column positions of a target table definition. */
export function keyIndexes(def: TargetTableDef): number[] {
  return def.primaryKey.map((k) => def.columns.findIndex((c) => c.name === k));
}

/** Scratch column list for key parts: k0, k1, … */
export function keyCols(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `k${i}`);
}

/**
 * Runs the source through the row program and hands each loaded row's canonical values to
 * `onRow` (the array is reused: copy what must outlive the call). `slice` wraps the work of
 * one slice of `readSliceRows` source rows, e.g. in a scratch-store transaction. Returns the
 * derived counts.
 */
async function deriveLoaded(
  o: DeriveOptions,
  onRow: (canon: (string | null)[], sourceKey: () => string) => void,
  slice: (work: () => void) => void = (work) => work(),
  readSliceRows = o.sliceRows,
): Promise<DerivedCounts> {
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
    reuseOut: true,
  });
  const types = o.def.columns.map((c) => c.type);
  const width = types.length;
  const derived: DerivedCounts = { read: 0, loaded: 0, quarantined: 0, excluded: 0 };
  const canon: (string | null)[] = new Array(width);
  let src: Value[] = [];
  const sourceKey = (): string => program.sourceKey(src);
  const run = (rows: Value[][], problems: RowProblem[] | undefined): void => {
    let pi = 0;
    for (let r = 0; r < rows.length; r++) {
      src = rows[r];
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
      for (let i = 0; i < width; i++) canon[i] = canonical(types[i], out[i]);
      onRow(canon, sourceKey);
    }
  };
  for await (const s of o.source.read(program.source, { columns: program.readColumns, orderBy: program.orderBy, sliceRows: readSliceRows, signal: o.signal })) {
    derived.read += s.rows.length;
    slice(() => run(s.rows, s.problems));
  }
  return derived;
}

/**
 * The source is read in slices of at most this many rows, as the engine does
 * (engine/table-job.ts): source rows then die young, and a million rows cost about a quarter
 * less CPU than in 10,000-row slices (measured).
 */
const SMALL_SLICE_ROWS = 250;

/** Pass 1: the count, row-hash sum and non-null counts of the loaded rows, in memory and without per-value hashes. */
export async function deriveTotals(o: DeriveOptions): Promise<ExpectedTotals> {
  const rows = new RowHashSum();
  const nonNull = o.def.columns.map(() => 0);
  const derived = await deriveLoaded(
    o,
    (canon) => {
      for (let i = 0; i < canon.length; i++) if (canon[i] !== null) nonNull[i]++;
      rows.add(canon);
    },
    undefined,
    Math.min(o.sliceRows, SMALL_SLICE_ROWS),
  );
  return { derived, count: rows.sum.count, sum: rows.sum.value(), nonNull };
}

/** Streams the source through the row program into the scratch store; returns what the target must hold. */
export async function buildExpected(o: ExpectedOptions): Promise<ExpectedTable> {
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
  const valueHashes = new ValueHashes(types.length);
  const rowHash = new RowHashSum();
  const width = types.length;
  const params: unknown[] = new Array(kc.length + 5);
  const inTransaction = db.transaction((work: () => void) => work());

  const derived = await deriveLoaded(
    o,
    (canon, sourceKey) => {
      let kt = '';
      for (let j = 0; j < keyIdx.length; j++) {
        const part = canon[keyIdx[j]] ?? '';
        params[j] = canon[keyIdx[j]] === null ? null : keyValue(types[keyIdx[j]], part);
        kt = j === 0 ? part : `${kt}|${part}`;
      }
      rowHash.hash(canon);
      let p = keyIdx.length;
      params[p++] = kt;
      params[p++] = sourceKey();
      params[p++] = digest64.hi;
      params[p++] = digest64.lo;
      params[p] = valueHashes.pack(canon);
      insert.run(params);
    },
    (work) => inTransaction(work),
    Math.min(o.sliceRows, SMALL_SLICE_ROWS),
  );

  db.exec(`CREATE TABLE ${name} (pos INTEGER PRIMARY KEY, ${keyDdl}, kt TEXT, sk TEXT, rhi INTEGER, rlo INTEGER, ch BLOB)`);
  db.exec(`INSERT INTO ${name} (${kc.join(', ')}, kt, sk, rhi, rlo, ch) SELECT ${kc.join(', ')}, kt, sk, rhi, rlo, ch FROM ${stage} ORDER BY ${kc.join(', ')}`);
  db.exec(`DROP TABLE ${stage}`);

  const nonNull = types.map(() => 0);
  for (const row of db.prepare(`SELECT ch FROM ${name}`).raw(true).iterate() as IterableIterator<[Buffer]>) {
    const ch = row[0];
    for (let i = 0; i < width; i++) if (ch.readUInt32BE(i * 8) !== 0 || ch.readUInt32BE(i * 8 + 4) !== 0) nonNull[i]++;
  }
  const count = Number((db.prepare(`SELECT count(*) FROM ${name}`).pluck().get() as bigint) ?? 0n);
  return { name, count, derived, nonNull };
}
