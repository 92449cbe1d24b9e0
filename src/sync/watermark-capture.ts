/**
 * Watermark change capture (issue #18) for any SQL source that has no change log Ferry streams
 * (SQLite, or PostgreSQL/MySQL where replication is not allowed). Each mapping names a change
 * column (and optionally a delete marker) in its `sync:` block; every poll reads, per table, the
 * rows whose change column rose past the stored watermark and yields them as one transaction.
 * Hard deletes are found by comparing key lists every few polls. What this can miss is listed
 * in docs/sync.md.
 */
import type { CaptureFinding, CaptureLag, CaptureStart, ChangeCapture, ChangeStream, RowChange, SourceTransaction } from '../connectors/capture.js';
import type { Source, Value } from '../connectors/connector.js';
import type { Contract } from '../contract/model.js';
import { FerryError } from '../errors.js';
import { isDeleted } from '../engine/filter.js';
import { compareKeys, decodeValues, encodeValues, rowDigest, vanishedKeys } from './watermark-keys.js';
import { changeAbove, comparePositions, decodePosition, encodePosition, readFrom, type WatermarkPosition } from './watermark-position.js';
import { planTables, requirePlans, type TablePlan } from './watermark-tables.js';

/** How a watermark capture polls. */
export interface WatermarkOptions {
  /** Seconds between polls (default 5). */
  pollSeconds?: number;
  /** How far back a timestamp poll re-reads below the watermark, for rows committed late (default 5; dates: whole days, at least one). */
  overlapSeconds?: number;
  /** Tables without a delete marker have their key list compared every this many polls (default 10). */
  reconcileEvery?: number;
  /** Rows per read slice (default 5000). */
  sliceRows?: number;
  /**
   * Most rows one poll reads from one table (default 100,000; rows sharing the last change
   * value are all read, so a poll never splits them): after a long stop the backlog arrives
   * over several polls instead of in one transaction held in memory. Text change columns are
   * not capped.
   */
  maxRowsPerPoll?: number;
  /**
   * Opens a fresh source on the same database. Given, `begin` and every poll and lag read use
   * a source of their own (required for PostgreSQL and MySQL, whose sources read one snapshot
   * for their lifetime); absent, the source passed to watermarkCapture serves them all.
   */
  open?: () => Promise<Source>;
}

interface Settings {
  pollMs: number;
  overlapSeconds: number;
  reconcileEvery: number;
  sliceRows: number;
  maxRowsPerPoll: number;
}

/** What a begin read besides the watermarks: the key lists of tables without a delete marker, handed to the stream that starts at its position. */
interface Begun {
  position: string;
  keys: Map<string, string[]>;
}

/** Per-table state of a running stream. */
interface TableState {
  plan: TablePlan;
  /** Sorted key list as last read; undefined until the first one is read (a stream started from a stored position). */
  keys?: string[];
  /** Keys upserted since the key list was read: a row inserted and deleted between two lists is still found. */
  added: Set<string>;
  /** Key to row digest of the rows the last poll read: the overlap re-reads them, unchanged ones are not yielded again. */
  seen: Map<string, string>;
}

function settingsOf(options: WatermarkOptions): Settings {
  const { pollSeconds = 5, overlapSeconds = 5, reconcileEvery = 10, sliceRows = 5000, maxRowsPerPoll = 100_000 } = options;
  const bad = (what: string) => new FerryError('usage', 'sync.bad_option', `watermark sync: ${what}`);
  if (!(Number.isFinite(pollSeconds) && pollSeconds > 0)) throw bad(`the poll interval must be a positive number of seconds, got ${pollSeconds}`);
  if (!(Number.isFinite(overlapSeconds) && overlapSeconds >= 0)) throw bad(`the overlap must be zero or more seconds, got ${overlapSeconds}`);
  if (!(Number.isSafeInteger(reconcileEvery) && reconcileEvery >= 1)) throw bad(`the key-list comparison interval must be a whole number of polls, got ${reconcileEvery}`);
  if (!(Number.isSafeInteger(sliceRows) && sliceRows >= 1)) throw bad(`rows per slice must be a whole number, got ${sliceRows}`);
  if (!(Number.isSafeInteger(maxRowsPerPoll) && maxRowsPerPoll >= 1)) throw bad(`rows per poll must be a whole number, got ${maxRowsPerPoll}`);
  return { pollMs: pollSeconds * 1000, overlapSeconds, reconcileEvery, sliceRows, maxRowsPerPoll };
}

/** Creates a watermark ChangeCapture (kind `watermark`) over `source`, polling the tables whose mappings name a change column. */
export function watermarkCapture(source: Source, contract: Contract, options: WatermarkOptions = {}): ChangeCapture {
  return new WatermarkCapture(source, contract, options);
}

class WatermarkCapture implements ChangeCapture {
  readonly kind = 'watermark';
  readonly displayUrl: string;
  private readonly settings: Settings;
  private readonly begun = new Map<string, Begun>();

  constructor(
    private readonly source: Source,
    private readonly contract: Contract,
    private readonly options: WatermarkOptions,
  ) {
    this.displayUrl = source.displayUrl;
    this.settings = settingsOf(options);
  }

  async preflight(tables: string[]): Promise<CaptureFinding[]> {
    return (await planTables(this.source, this.contract, tables, this.options.open !== undefined)).findings;
  }

  /**
   * Reads each table's greatest change value first, then (tables without a delete marker) its
   * key list, on the source the snapshot is read from: rows that change while the snapshot is
   * read are above the watermark, so the first poll reads them again.
   */
  async begin(name: string, tables: string[]): Promise<CaptureStart> {
    const plans = await this.plans(tables);
    const snapshot = this.options.open ? await this.options.open() : this.source;
    const owned = snapshot !== this.source;
    try {
      const w: Record<string, string | null> = {};
      for (const plan of plans) w[plan.table] = await snapshot.maxOf!(plan.table, plan.change);
      const keys = new Map<string, string[]>();
      for (const plan of plans) if (!plan.marker) keys.set(plan.table, await readKeys(snapshot, plan, this.settings.sliceRows));
      const position = encodePosition({ n: 0, w });
      this.begun.set(name, { position, keys });
      let released = false;
      return {
        position,
        openSnapshot: async () => view(snapshot),
        release: async () => {
          if (released) return;
          released = true;
          if (owned) await snapshot.close();
        },
      };
    } catch (err) {
      if (owned) await snapshot.close().catch(() => {});
      throw err;
    }
  }

  async stream(name: string, tables: string[], from: string, signal?: AbortSignal): Promise<ChangeStream> {
    const start = decodePosition(from);
    const plans = await this.plans(tables);
    const missing = plans.find((p) => !(p.table in start.w));
    if (missing) {
      throw new FerryError(
        'usage',
        'sync.position_lost',
        `the stored position has no watermark for table ${missing.table}: it was not captured when the sync began; start the sync again from a new snapshot to add it`,
      );
    }
    // Key lists read at begin serve only the stream that starts at begin's own position.
    const begun = this.begun.get(name);
    const keys = begun?.position === from ? begun.keys : new Map<string, string[]>();
    this.begun.delete(name);
    const states = plans.map((plan): TableState => ({ plan, keys: keys.get(plan.table), added: new Set(), seen: new Map() }));
    return new PollStream(states, start, this.settings, () => this.pollSource(), signal);
  }

  /** The head is the tables' current greatest change values; it is ahead of `position` (one poll number more) when any moved. */
  async lag(_name: string, position: string): Promise<CaptureLag> {
    const p = decodePosition(position);
    const plans = new Map((await this.plans(Object.keys(p.w))).map((plan) => [plan.table, plan]));
    const { source, done } = await this.pollSource();
    try {
      const w: Record<string, string | null> = {};
      for (const table of Object.keys(p.w)) w[table] = await source.maxOf!(table, plans.get(table)!.change);
      const moved = Object.keys(w).some((t) => w[t] !== p.w[t]);
      return { head: encodePosition({ n: moved ? p.n + 1 : p.n, w }), bytes: null };
    } finally {
      await done();
    }
  }

  comparePositions(a: string, b: string): number {
    return comparePositions(a, b);
  }

  /** A watermark sync creates nothing at the source. */
  async drop(_name: string): Promise<void> {}

  /** The source passed in stays open: it belongs to the caller. */
  async close(): Promise<void> {
    this.begun.clear();
  }

  private plans(tables: string[]): Promise<TablePlan[]> {
    return requirePlans(this.source, this.contract, tables, this.options.open !== undefined);
  }

  private async pollSource(): Promise<{ source: Source; done: () => Promise<void> }> {
    if (!this.options.open) return { source: this.source, done: async () => {} };
    const source = await this.options.open();
    return { source, done: () => source.close() };
  }
}

/** The snapshot source as the caller sees it: closing it is release's job, so close does nothing. */
function view(source: Source): Source {
  return {
    kind: source.kind,
    displayUrl: source.displayUrl,
    introspect: () => source.introspect(),
    read: (table, options) => source.read(table, options),
    count: (table) => source.count(table),
    ...(source.keyBounds ? { keyBounds: (table: string, column: string, parts: number, signal?: AbortSignal) => source.keyBounds!(table, column, parts, signal) } : {}),
    ...(source.maxOf ? { maxOf: (table: string, column: string) => source.maxOf!(table, column) } : {}),
    close: async () => {},
  };
}

/** The table's whole key list, encoded and sorted. */
async function readKeys(source: Source, plan: TablePlan, sliceRows: number, signal?: AbortSignal): Promise<string[]> {
  const keys: string[] = [];
  for await (const slice of source.read(plan.table, { columns: plan.key, sliceRows, signal })) for (const row of slice.rows) keys.push(encodeValues(row));
  return keys.sort(compareKeys);
}

/** Polls until stopped, yielding one transaction per poll that found a change or moved a watermark. */
class PollStream implements ChangeStream {
  private stopped = false;
  private wake?: () => void;

  constructor(
    private readonly states: TableState[],
    private position: WatermarkPosition,
    private readonly settings: Settings,
    private readonly open: () => Promise<{ source: Source; done: () => Promise<void> }>,
    private readonly signal?: AbortSignal,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<SourceTransaction> {
    const onAbort = (): void => this.wake?.();
    this.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let first = true;
      while (!this.stopped) {
        this.signal?.throwIfAborted();
        if (!first) await this.sleep();
        first = false;
        this.signal?.throwIfAborted();
        if (this.stopped) break;
        const tx = await this.poll();
        if (tx) yield tx;
      }
    } finally {
      this.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Nothing to tell the source: the position lives in the target. */
  async acknowledge(_position: string): Promise<void> {}

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
  }

  private sleep(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.settings.pollMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => (this.wake = undefined));
  }

  /**
   * One poll: per table, the greatest change value first (the poll reads up to it and no
   * further, so a row written meanwhile is left whole for the next poll), then the rows above
   * the watermark less the overlap, ordered by change value then key; on every
   * reconcileEvery-th poll, the key lists of tables without a delete marker.
   */
  private async poll(): Promise<SourceTransaction | undefined> {
    const n = this.position.n + 1;
    const committedAt = new Date();
    const { source, done } = await this.open();
    const changes: RowChange[] = [];
    const w: Record<string, string | null> = { ...this.position.w };
    try {
      for (const state of this.states) {
        const { plan } = state;
        const through = await source.maxOf!(plan.table, plan.change);
        const previous = this.position.w[plan.table] ?? undefined;
        const { rows, reached } = through === null ? { rows: [], reached: null } : await this.readChanged(source, plan, previous, through);
        w[plan.table] = reached;
        const seen = new Map<string, string>();
        // In read order (change value, then key); a read yields each key once.
        const byKey = new Map<string, RowChange>();
        for (const row of rows) {
          const key = encodeValues(plan.keyAt.map((i) => row[i]));
          const digest = rowDigest(row);
          seen.set(key, digest);
          if (state.seen.get(key) === digest) continue;
          if (plan.marker && isDeleted(row[plan.marker.at], plan.marker.deleted)) {
            byKey.set(key, { kind: 'delete', table: plan.table, columns: plan.columns, old: row });
          } else {
            byKey.set(key, { kind: 'update', table: plan.table, columns: plan.columns, row });
            state.added.add(key);
          }
        }
        state.seen = seen;
        if (!plan.marker) {
          const listed = state.keys !== undefined;
          if (!listed || n % this.settings.reconcileEvery === 0) {
            const current = await readKeys(source, plan, this.settings.sliceRows, this.signal);
            // Read after the rows: a key upserted above and gone from the list was deleted since, so the delete
            // replaces the upsert (one change per key) and comes last.
            if (listed)
              for (const key of vanishedKeys(state.keys!, state.added, current)) {
                byKey.delete(key);
                byKey.set(key, keyDelete(plan, key));
              }
            state.keys = current;
            state.added.clear();
          }
        }
        changes.push(...byKey.values());
      }
    } finally {
      await done();
    }
    const moved = Object.keys(w).some((t) => w[t] !== this.position.w[t]);
    this.position = { n, w };
    if (changes.length === 0 && !moved) return undefined;
    return { position: encodePosition(this.position), committedAt, changes };
  }

  /**
   * The changed rows above the `previous` watermark less the overlap, up to `through`, and the
   * watermark they reach: `through`, or, when more than maxRowsPerPoll rows lie above
   * `previous`, the change value of the last row read (every row sharing it included), so the
   * next poll continues from there. Rows re-read in the overlap do not count: a backlog denser
   * than the overlap would otherwise fill every poll with the same rows.
   */
  private async readChanged(source: Source, plan: TablePlan, previous: string | undefined, through: string): Promise<{ rows: Value[][]; reached: string }> {
    const after = readFrom(previous, plan.kind, this.settings.overlapSeconds);
    const rows: Value[][] = [];
    const read = source.read(plan.table, {
      columns: plan.columns,
      orderBy: [plan.change, ...plan.key.filter((k) => k !== plan.change)],
      changedAfter: { column: plan.change, ...(after !== undefined ? { after } : {}), through },
      sliceRows: this.settings.sliceRows,
      signal: this.signal,
    });
    // Text is not capped: values the column's collation holds equal ('a', 'A') differ as JS strings, so a cut could split them.
    const cap = plan.kind === 'text' ? Infinity : this.settings.maxRowsPerPoll;
    let counted = 0;
    let last: string | undefined;
    for await (const slice of read) {
      for (const row of slice.rows) {
        const value = canonical(row[plan.changeAt]);
        // Full: stop at the first row past the last change value (breaking off the read ends it at the source).
        if (last !== undefined && value !== last) return { rows, reached: last };
        rows.push(row);
        if (cap !== Infinity && (previous === undefined || changeAbove(value, previous, plan.kind))) counted++;
        if (counted === cap && last === undefined) last = value;
      }
    }
    return { rows, reached: through };
  }
}

/** A change value as the canonical text of a bound (ISO text and decimal integers, as the SQL sources read them). */
function canonical(value: Value): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

/** A delete of a vanished key: the key columns set, the others unknown. */
function keyDelete(plan: TablePlan, key: string): RowChange {
  const values = decodeValues(key);
  const old: Array<Value | undefined> = plan.columns.map(() => undefined);
  plan.keyAt.forEach((at, i) => (old[at] = values[i]));
  return { kind: 'delete', table: plan.table, columns: plan.columns, old };
}
