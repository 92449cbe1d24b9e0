/**
 * One partition of a mapping (the whole table, or one key range of it: partitions.ts), end to
 * end: stream its source rows through the compiled row program and commit loaded rows,
 * quarantine records and the partition's checkpoint as one unit per batch. Every row that is
 * read ends loaded, quarantined or excluded by the contract's filter — never dropped. The
 * table's start (truncate) and end belong to the run (run.ts), which may run several
 * partitions of one table at once.
 *
 * A resumed partition first replays the rows its earlier process committed: they are read and
 * evaluated again, so the crosswalk observer, the parent keys and the quality gate see them as
 * in an uninterrupted run, but nothing is written for them. A resumed run thus decides exactly
 * what an uninterrupted one decides, and a source that changed since the interruption is caught
 * before any of its rows is written (run.source_changed).
 */
import {
  binaryBytes,
  SLICE_BYTES,
  type Checkpoint,
  type CommitUnit,
  type LineageRow,
  type QuarantineRecord,
  type Slice,
  type Source,
  type Target,
  type TargetTableDef,
  type Value,
} from '../connectors/connector.js';
import type { LoadedContract } from '../contract/model.js';
import { FerryError } from '../errors.js';
import type { CrosswalkObserver } from '../transform/compile.js';
import type { RunEventListener, TableCounts } from './events.js';
import type { Partition } from './partitions.js';
import type { LoadedKeys } from './cascade.js';
import type { LookupCache } from './joins.js';
import type { BatchOutcome, RunObserver } from './observer.js';
import { compileRowProgram, EXCLUDED, LOADED } from './row-program.js';
import { keyRenderer } from './source-key.js';

export interface TableJobOptions {
  runId: string;
  loaded: LoadedContract;
  table: string;
  def: TargetTableDef;
  /** The share of the table this job reads and the checkpoint it commits under. */
  partition: Partition;
  /** The table's running totals, shared by its partitions: what progress events report. */
  tally: TableCounts;
  source: Source;
  /** Absent in a dry run: everything happens except the write. */
  target?: Target;
  batchSize: number;
  /** A commit unit also closes once its binary values hold this many bytes (default BATCH_BYTES). */
  batchBytes?: number;
  /** A row-holding commit unit also closes once it holds this many values (default UNIT_VALUES). */
  unitValues?: number;
  /** Where a resumed run continues (its first `offset` rows are replayed, a `done` partition wholly); undefined for a fresh start. */
  resumeFrom?: Checkpoint;
  /** Primary keys of the source rows in the pilot subset, when running a pilot on a linked table. */
  pilotKeys?: Set<string>;
  lookups: LookupCache;
  signal?: AbortSignal;
  onEvent?: RunEventListener;
  observer?: CrosswalkObserver;
  /** Sees every committed batch's outcome (quality KPIs, lineage). */
  runObserver?: RunObserver;
  /** Today's date as YYYY-MM-DD, injectable so date rules are testable. */
  today: () => string;
  /** Write per-source-row lineage with every batch (docs/lineage.md). */
  lineage?: boolean;
  /** Record the undo log so the run can be rolled back. */
  undo?: boolean;
  /** The run's loaded parent keys (cascade.ts): children of a parent that did not load are quarantined. */
  parentKeys?: LoadedKeys;
}

export interface ReasonCount {
  reasonCode: string;
  rule: string;
  count: number;
}

export interface TableResult extends TableCounts {
  table: string;
  source: string;
  /** The checkpoint name of the partition it covers (the table's own name for a whole table). */
  partition: string;
  elapsedMs: number;
  /** Source rows read by this process: `read` less the rows a resumed run had read before. */
  readHere: number;
  /** Issues found on the table's rows in this run, the replayed rows of a resumed run included. */
  reasons: Map<string, ReasonCount>;
  warnings: Map<string, ReasonCount>;
}

/** Source rows read per slice: small, so rows are short-lived and an in-flight commit gets an event-loop turn every few milliseconds (250 measured best of 100–2,500); commit units are batchSize rows (UNIT_VALUES below). */
const READ_SLICE = 250;

/**
 * Commit units handed to the target at once: while one is written the next waits behind it, so
 * a slow commit does not stop evaluation at the unit boundary (measured: median load time 3.8 s
 * → 3.4 s on the 1M-row benchmark). Units holding binary values go one at a time beyond
 * batchBytes, so memory stays bounded by two units' bytes as before.
 */
const COMMITS_IN_FLIGHT = 2;

/**
 * Default byte bound of a commit unit's binary values. Row counts bound ordinary batches; a
 * table of scanned letters (a few MB each) would hold gigabytes in 10,000 rows, so its units
 * close by bytes instead and memory stays flat whatever the values' size.
 */
export const BATCH_BYTES = 64 * 1024 * 1024;

/**
 * Target values a commit unit may hold for targets that receive rows rather than encoded bytes:
 * such a unit closes at batchSize rows or this many values, whichever comes first, so a wide
 * table's units take about as much memory as a narrow one's (20 columns: 25,000 rows; 200
 * columns: 2,500).
 */
export const UNIT_VALUES = 500_000;

/** A commit unit being filled. */
interface OpenUnit {
  read: number;
  /** Bytes of binary values in the unit's loaded rows. */
  bytes: number;
  loaded: number;
  quarantined: number;
  excluded: number;
  rows: Value[][];
  quarantine: QuarantineRecord[];
  lineage?: LineageRow[];
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function openUnit(lineage: boolean): OpenUnit {
  return { read: 0, bytes: 0, loaded: 0, quarantined: 0, excluded: 0, rows: [], quarantine: [], ...(lineage ? { lineage: [] } : {}) };
}

function describe(c: Pick<TableCounts, 'read' | 'loaded' | 'quarantined' | 'excluded'>): string {
  return `read ${c.read}, loaded ${c.loaded}, quarantined ${c.quarantined}, excluded ${c.excluded}`;
}

function tally(map: Map<string, ReasonCount>, rule: string, reasonCode: string): void {
  const k = `${reasonCode}\u0000${rule}`;
  const hit = map.get(k);
  if (hit) hit.count++;
  else map.set(k, { reasonCode, rule, count: 1 });
}

/** Runs one partition of a mapping to completion (or until aborted) and returns its counts. */
export async function runPartition(o: TableJobOptions): Promise<TableResult> {
  const started = Date.now();
  const mapping = o.loaded.contract.mappings[o.table];
  const mode = mapping.load;
  const resume = o.resumeFrom;
  const part = o.partition;
  /** A partition that finished before the resume is replayed whole and writes nothing. */
  const finished = resume?.done === true;
  const lineage = Boolean(o.lineage && o.target) && !finished;
  const encoder = o.target?.batchEncoder && !finished ? await o.target.batchEncoder({ runId: o.runId, table: o.def, mode, sourceTable: mapping.source, undo: o.undo ?? false, lineage }) : undefined;
  // Rows the encoder consumes (or a dry run discards) are not kept, so one row array serves them all.
  const keepRows = Boolean(o.target) && !encoder && !finished;
  const program = await compileRowProgram({
    reuseOut: !keepRows,
    loaded: o.loaded,
    table: o.table,
    def: o.def,
    source: o.source,
    lookups: o.lookups,
    sliceRows: o.batchSize,
    pilotKeys: o.pilotKeys,
    observer: o.observer,
    today: o.today,
    signal: o.signal,
    parentKeys: o.parentKeys,
  });
  const counts: TableCounts = { read: resume?.offset ?? 0, loaded: resume?.loaded ?? 0, quarantined: resume?.quarantined ?? 0, excluded: resume?.excluded ?? 0 };
  const reasons = new Map<string, ReasonCount>();
  const warnings = new Map<string, ReasonCount>();
  const readBefore = counts.read;
  const result = (): TableResult => ({
    table: o.table,
    source: mapping.source,
    partition: part.checkpoint,
    ...counts,
    elapsedMs: Date.now() - started,
    readHere: counts.read - readBefore,
    reasons,
    warnings,
  });

  const targetKey = o.def.primaryKey.length > 0 ? keyRenderer(o.def.primaryKey.map((k) => o.def.columns.findIndex((c) => c.name === k))) : undefined;

  const onLoaded = o.runObserver?.loadedRows(o.table, o.def, mapping);
  // Rows are read in small slices and each is evaluated, measured and encoded at once: a batch
  // waiting for its commit then holds bytes (or, for targets without an encoder, the target
  // rows), while source rows die young. A commit unit gathers batchSize source rows (fewer for
  // wide tables whose rows the target keeps: UNIT_VALUES).
  const batchBytes = o.batchBytes ?? BATCH_BYTES;
  const unitRows = keepRows ? Math.min(o.batchSize, Math.max(1, Math.floor((o.unitValues ?? UNIT_VALUES) / Math.max(1, o.def.columns.length)))) : o.batchSize;
  const binaryAt = o.def.columns.flatMap((c, i) => (c.type === 'binary' ? [i] : []));
  const stream = o.source.read(mapping.source, {
    columns: program.readColumns,
    orderBy: program.orderBy,
    sliceRows: Math.min(unitRows, READ_SLICE),
    sliceBytes: Math.min(SLICE_BYTES, batchBytes),
    ...(part.range ? { range: part.range } : {}),
    signal: o.signal,
  });
  const keepLineage = lineage && !encoder;
  let unit = openUnit(keepLineage);
  /** Commits handed to the target and not yet finished, oldest first; each starts when the one before it ends. */
  const inflight: Array<{ done: Promise<void>; bytes: number }> = [];
  const inflightBytes = (): number => inflight.reduce((n, c) => n + c.bytes, 0);
  const outcome = (u: OpenUnit): BatchOutcome => ({ runId: o.runId, table: o.table, def: o.def, mapping, quarantine: u.quarantine, quarantinedRows: u.quarantined, excluded: u.excluded });
  const commitUnit = async (u: OpenUnit): Promise<void> => {
    counts.read += u.read;
    counts.loaded += u.loaded;
    counts.quarantined += u.quarantined;
    counts.excluded += u.excluded;
    o.tally.read += u.read;
    o.tally.loaded += u.loaded;
    o.tally.quarantined += u.quarantined;
    o.tally.excluded += u.excluded;
    const checkpoint: Checkpoint = { runId: o.runId, table: part.checkpoint, offset: counts.read, loaded: counts.loaded, quarantined: counts.quarantined, excluded: counts.excluded, done: false };
    const snapshot = { ...o.tally };
    const after = () => {
      o.runObserver?.batch(outcome(u));
      o.onEvent?.({ type: 'batch:loaded', runId: o.runId, table: o.table, batchRows: u.read, counts: snapshot });
    };
    // Overlap: evaluate the next unit while earlier ones are being written; commits stay in order.
    while (inflight.length >= COMMITS_IN_FLIGHT || (inflight.length > 0 && inflightBytes() + u.bytes > batchBytes)) await inflight.shift()!.done;
    const commit: CommitUnit = { runId: o.runId, table: o.def, mode, rows: u.rows, quarantine: u.quarantine, checkpoint, undo: o.undo ?? false };
    if (encoder) commit.encoded = encoder.take();
    else if (u.lineage) commit.lineage = { sourceTable: mapping.source, rows: u.lineage };
    const target = o.target;
    // Chained: a commit never starts before the one before it has finished, and never after it failed.
    const done = (inflight.at(-1)?.done ?? Promise.resolve()).then(() => (target ? target.commit(commit) : undefined)).then(after);
    // A failure is reported where the commit is awaited; until then it must not count as unhandled.
    done.catch(() => undefined);
    inflight.push({ done, bytes: u.bytes });
  };

  /** Source rows of the committed prefix still to replay; while any are left (and for a finished table) nothing is written. */
  let replayLeft = resume?.offset ?? 0;
  let writing = false;
  const replayed: TableCounts = { read: 0, loaded: 0, quarantined: 0, excluded: 0 };
  /** Hands a replayed unit's outcome to the observers as its commit did in the earlier process. */
  const replayUnit = (): void => {
    replayed.read += unit.read;
    replayed.loaded += unit.loaded;
    replayed.quarantined += unit.quarantined;
    replayed.excluded += unit.excluded;
    if (unit.read > 0) o.runObserver?.batch(outcome(unit));
    unit = openUnit(keepLineage);
  };
  /** Ends the replay: the re-derived prefix must be what the checkpoint recorded, or two sources would mix. */
  const endReplay = (): void => {
    replayUnit();
    if (resume && (replayed.read !== resume.offset || replayed.loaded !== resume.loaded || replayed.quarantined !== resume.quarantined || replayed.excluded !== resume.excluded)) {
      throw sourceChanged(`its first ${resume.offset} rows now give ${describe(replayed)}, where the checkpoint has ${describe({ ...resume, read: resume.offset })}`);
    }
    writing = !finished;
  };
  const sourceChanged = (what: string): FerryError =>
    new FerryError(
      'conflict',
      'run.source_changed',
      `the source changed since run ${o.runId} was interrupted: table ${o.table} (source ${mapping.source}${part.count > 1 ? `, partition ${part.index + 1} of ${part.count}` : ''}) ${what}; resuming would mix two sources, so start a new run`,
    );

  /** Lineage of a row that was not loaded: where the encoder takes lineage, or the unit keeps it. */
  const notLoaded = (key: string, outcome: 'X' | 'Q', reason: string | null) => {
    if (!writing) return;
    if (encoder) {
      if (lineage) encoder.lineage(key, outcome, null, reason);
    } else unit.lineage?.push([key, outcome, null, reason]);
  };
  /** Quarantines a row with every issue it raised; its lineage names `reason`. */
  const quarantine = (key: string, issues: ReadonlyArray<{ rule: string; reasonCode: string; message: string }>, reason: string | null) => {
    notLoaded(key, 'Q', reason);
    for (const i of issues) {
      tally(reasons, i.rule, i.reasonCode);
      unit.quarantine.push({ runId: o.runId, sourceTable: mapping.source, sourceKey: key, targetTable: o.table, rule: i.rule, reasonCode: i.reasonCode, message: i.message });
    }
    unit.quarantined++;
  };

  /** Evaluates rows [from, to) of a slice into the open unit; while replaying, only observers see them. */
  const evaluate = (slice: Slice, from: number, to: number): void => {
    const clean = slice.clean === true && program.keepsClean;
    const problems = slice.problems;
    let pi = 0;
    if (problems !== undefined) while (pi < problems.length && problems[pi].row < from) pi++;
    for (let r = from; r < to; r++) {
      const src = slice.rows[r];
      if (problems !== undefined && problems[pi]?.row === r) {
        // The source could not read this row faithfully: it is quarantined before any step runs
        // (its filter cannot be trusted on replaced values), unless a pilot leaves it out by key.
        const key = program.sourceKey(src);
        const first = pi;
        while (problems[pi]?.row === r) pi++;
        if (o.pilotKeys && !o.pilotKeys.has(key)) {
          unit.excluded++;
          notLoaded(key, 'X', 'excluded.pilot');
          continue;
        }
        const issues = problems.slice(first, pi).map((p) => ({ rule: p.column ? `${p.column}: source` : 'source', reasonCode: p.reasonCode, message: p.message }));
        quarantine(key, issues, issues[issues.length - 1].reasonCode);
        continue;
      }
      const status = program.evaluate(src);
      if (status === EXCLUDED) {
        unit.excluded++;
        if (lineage && writing) {
          const key = program.sourceKey(src);
          notLoaded(key, 'X', o.pilotKeys && !o.pilotKeys.has(key) ? 'excluded.pilot' : 'excluded.filter');
        }
        continue;
      }
      const key = program.sourceKey(src);
      const warned = program.warnings.length > 0;
      if (warned) for (const w of program.warnings) tally(warnings, w.rule, w.reasonCode);
      if (status === LOADED) {
        const out = program.out;
        unit.loaded++;
        onLoaded?.(out, key, warned);
        if (!writing) continue;
        if (binaryAt.length > 0) unit.bytes += binaryBytes(out, binaryAt);
        if (encoder) {
          encoder.row(out, clean);
          if (lineage) encoder.lineage(key, 'L', targetKey ? targetKey(out) : null, null);
        } else {
          if (keepRows) unit.rows.push(out);
          if (unit.lineage) unit.lineage.push([key, 'L', targetKey ? targetKey(out) : null, null]);
        }
        continue;
      }
      quarantine(key, program.issues, program.issues[0]?.reasonCode ?? null);
    }
  };

  if (replayLeft === 0) endReplay();
  try {
    for await (const slice of stream) {
      if (o.signal?.aborted) break;
      let from = 0;
      if (replayLeft > 0) {
        from = Math.min(replayLeft, slice.rows.length);
        evaluate(slice, 0, from);
        unit.read += from;
        replayLeft -= from;
        if (replayLeft === 0) endReplay();
        else if (unit.read >= unitRows) replayUnit();
        if (from === slice.rows.length) continue;
      }
      if (!writing) throw sourceChanged(`has more than the ${counts.read} rows it had when it finished`);
      evaluate(slice, from, slice.rows.length);
      unit.read += slice.rows.length - from;
      if (unit.read >= unitRows || unit.bytes >= batchBytes) {
        await commitUnit(unit);
        unit = openUnit(keepLineage);
      } else if (inflight.length > 0) {
        // Buffered source data arrives through microtasks alone, which would starve the commit in
        // flight: give the event loop a turn so its round trips proceed while we evaluate.
        await yieldToEventLoop();
      }
    }
  } catch (err) {
    // A source that answers a cancellation by throwing has done what was asked: the run ends cancelled with the counts it committed.
    if (!o.signal?.aborted) throw err;
  }
  // A source shorter than the committed prefix ends the stream while replaying: endReplay refuses it.
  if (!o.signal?.aborted && replayLeft > 0) endReplay();
  if (!o.signal?.aborted && writing && unit.read > 0) await commitUnit(unit);
  while (inflight.length > 0) await inflight.shift()!.done;
  if (o.signal?.aborted || finished) return result();
  if (o.target) {
    await o.target.commit({
      runId: o.runId,
      table: o.def,
      mode,
      rows: [],
      quarantine: [],
      checkpoint: { runId: o.runId, table: part.checkpoint, offset: counts.read, loaded: counts.loaded, quarantined: counts.quarantined, excluded: counts.excluded, done: true },
    });
  }
  return result();
}
