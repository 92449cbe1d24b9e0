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
import type Database from 'better-sqlite3';
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
  /** Tests only: stage every row as if the first had arrived out of key order (the general path). */
  alwaysStage?: boolean;
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
  const derived: DerivedCounts = { read: 0, loaded: 0, quarantined: 0, excluded: 0 };
  const width = types.length;
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

/** One key part as the scratch store holds it: INTEGER for integer columns, TEXT otherwise. */
type KeyPart = bigint | string | null;

/** Whether a UTF-16 code unit is half of a surrogate pair (or a lone surrogate). */
function isSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdfff;
}

/**
 * Orders two texts as SQLite's BINARY collation orders their UTF-8 bytes: -1, 0 or 1, or
 * undefined where a surrogate decides (UTF-16 order differs from UTF-8 there, and lone
 * surrogates are rewritten on the way in), which the caller leaves to SQLite.
 */
function textOrder(a: string, b: string): number | undefined {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return isSurrogate((a.length > n ? a : b).charCodeAt(n)) ? undefined : a.length < b.length ? -1 : 1;
  const x = a.charCodeAt(i);
  const y = b.charCodeAt(i);
  if (isSurrogate(x) || isSurrogate(y)) return undefined;
  return x < y ? -1 : 1;
}

/**
 * Whether `key` sorts strictly after `prev` (undefined: the first row) in the scratch store's
 * key order, compared as a tuple. False whenever that cannot be told for sure: a NULL part, a
 * non-integer value in an integer column (SQLite's affinity would decide) or a surrogate.
 */
function strictlyAfter(key: readonly KeyPart[], prev: readonly KeyPart[] | undefined, integer: readonly boolean[]): boolean {
  for (let j = 0; j < key.length; j++) {
    const k = key[j];
    if (k === null || typeof k !== (integer[j] ? 'bigint' : 'string')) return false;
  }
  if (prev === undefined) return true;
  for (let j = 0; j < key.length; j++) {
    const k = key[j]!;
    const p = prev[j]!;
    const order = typeof k === 'bigint' ? (k < (p as bigint) ? -1 : k > (p as bigint) ? 1 : 0) : textOrder(k, p as string);
    if (order === undefined || order < 0) return false;
    if (order > 0) return true;
  }
  return false; // equal: a second row for one target key
}

/**
 * Streams the source through the row program into the scratch store; returns what the target must hold.
 *
 * While the rows arrive in strictly increasing target-key order (the target key follows the
 * source's key order, the common case) they go straight into the positioned table. The first
 * row that does not (out of order, or a repeated key) moves what is there into a stage table
 * keyed on the target key, where a later row for a key replaces the earlier one as the
 * engine's upsert did, and the positioned table is rebuilt from it sorted once at the end.
 */
export async function buildExpected(o: ExpectedOptions): Promise<ExpectedTable> {
  const db = o.scratch.db;
  const types = o.def.columns.map((c) => c.type);
  const keyIdx = keyIndexes(o.def);
  const keyTypes = keyIdx.map((i) => types[i]);
  const integer = keyTypes.map((t) => keyColumnType(t) === 'INTEGER');
  const kc = keyCols(keyIdx.length);
  const cols = [...kc, 'kt', 'sk', 'rhi', 'rlo', 'ch'];
  const marks = cols.map(() => '?').join(', ');
  const stage = `stage_${o.id}`;
  const name = `exp_${o.id}`;
  const keyDdl = kc.map((k, i) => `${k} ${keyColumnType(keyTypes[i])}`).join(', ');
  const createExpected = (): void => {
    db.exec(`CREATE TABLE ${name} (pos INTEGER PRIMARY KEY, ${keyDdl}, kt TEXT, sk TEXT, rhi INTEGER, rlo INTEGER, ch BLOB)`);
  };
  const toStage = (): Database.Statement => {
    db.exec(`CREATE TABLE ${stage} (${keyDdl}, kt TEXT, sk TEXT, rhi INTEGER, rlo INTEGER, ch BLOB, PRIMARY KEY (${kc.join(', ')})) WITHOUT ROWID`);
    db.exec(`INSERT INTO ${stage} SELECT ${cols.join(', ')} FROM ${name}`);
    db.exec(`DROP TABLE ${name}`);
    return db.prepare(`INSERT OR REPLACE INTO ${stage} VALUES (${marks})`);
  };
  createExpected();
  const append = db.prepare(`INSERT INTO ${name} VALUES (?, ${marks})`);
  let staged = o.alwaysStage ? toStage() : undefined;
  const valueHashes = new ValueHashes(types.length);
  const rowHash = new RowHashSum();
  const nonNull = types.map(() => 0);
  let pos = 0;
  let key: KeyPart[] = new Array(kc.length);
  let prev: KeyPart[] | undefined;
  const appendParams: unknown[] = new Array(cols.length + 1);
  const stageParams: unknown[] = new Array(cols.length);
  const inTransaction = db.transaction((work: () => void) => work());

  const derived = await deriveLoaded(
    o,
    (canon, sourceKey) => {
      let kt = '';
      for (let j = 0; j < keyIdx.length; j++) {
        const part = canon[keyIdx[j]] ?? '';
        key[j] = canon[keyIdx[j]] === null ? null : keyValue(keyTypes[j], part);
        kt = j === 0 ? part : `${kt}|${part}`;
      }
      if (!staged) {
        if (strictlyAfter(key, prev, integer)) [prev, key] = [key, prev ?? new Array(kc.length)];
        else staged = toStage();
      }
      const keyNow = staged ? key : prev!;
      const params = staged ? stageParams : appendParams;
      let p = 0;
      if (!staged) params[p++] = ++pos;
      for (let j = 0; j < keyNow.length; j++) params[p++] = keyNow[j];
      rowHash.hash(canon);
      params[p++] = kt;
      params[p++] = sourceKey();
      params[p++] = digest64.hi;
      params[p++] = digest64.lo;
      const ch = valueHashes.pack(canon);
      params[p] = ch;
      if (staged) {
        staged.run(params);
      } else {
        append.run(params);
        countNonNull(nonNull, ch);
      }
    },
    (work) => inTransaction(work),
    Math.min(o.sliceRows, SMALL_SLICE_ROWS),
  );

  if (!staged) return { name, count: pos, derived, nonNull };
  createExpected();
  db.exec(`INSERT INTO ${name} (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM ${stage} ORDER BY ${kc.join(', ')}`);
  db.exec(`DROP TABLE ${stage}`);
  nonNull.fill(0);
  for (const row of db.prepare(`SELECT ch FROM ${name}`).raw(true).iterate() as IterableIterator<[Buffer]>) countNonNull(nonNull, row[0]);
  const count = Number((db.prepare(`SELECT count(*) FROM ${name}`).pluck().get() as bigint) ?? 0n);
  return { name, count, derived, nonNull };
}

/** Adds one row's non-null columns (a non-zero value hash; NULL packs as zero) to `counts`. */
function countNonNull(counts: number[], ch: Buffer): void {
  for (let i = 0; i < counts.length; i++) if (ch.readUInt32BE(i * 8) !== 0 || ch.readUInt32BE(i * 8 + 4) !== 0) counts[i]++;
}
