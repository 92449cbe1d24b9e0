/**
 * The one interface every connector implements. A Source is read-only by construction and
 * streams batches; a Target creates its schema from the contract and commits batches
 * atomically together with their quarantine records and checkpoint, which is what makes a
 * killed run resumable without duplicates or gaps.
 */

/** A cell value as it moves through Ferry. Dates travel as ISO-8601 text (`YYYY-MM-DD`). */
export type Value = string | number | bigint | boolean | Buffer | null;

/** Logical column types shared by the contract, sources and targets. */
export const LOGICAL_TYPES = ['text', 'integer', 'decimal', 'date', 'timestamp', 'boolean', 'binary'] as const;
export type LogicalType = (typeof LOGICAL_TYPES)[number];

export interface ColumnInfo {
  name: string;
  type: LogicalType;
  /** The type as the system itself names it, e.g. `character varying(35)`. */
  nativeType: string;
  nullable: boolean;
}

export interface ForeignKeyInfo {
  columns: string[];
  references: { table: string; columns: string[] };
  /**
   * Target keys only: false when the contract loads rows whose parent was not loaded
   * (`on_parent_quarantined: load`), so the target must not enforce the key as a constraint.
   */
  enforced?: boolean;
}

export interface TableInfo {
  name: string;
  columns: ColumnInfo[];
  primaryKey: string[];
  foreignKeys: ForeignKeyInfo[];
}

export interface SchemaInfo {
  tables: TableInfo[];
}

/** Rows are arrays aligned with `columns`: cheaper than objects on the hot path. */
export interface Slice {
  columns: string[];
  rows: Value[][];
  /**
   * Set by a source that can vouch that no value in these rows contains a backslash, tab,
   * newline or carriage return (PostgreSQL's COPY text escapes exactly those, so a row without
   * an escape has none); a target may then skip its escape scan (see transform/clean-text.ts).
   */
  clean?: boolean;
  /** Rows the source could not read faithfully, in row order; each is quarantined, never loaded (see RowProblem). */
  problems?: RowProblem[];
}

/**
 * A source row that could not be read faithfully (undecodable bytes, a malformed record). The
 * row stays in the slice, so it is counted and keyed, but the engine quarantines it. Carries
 * positions only, never the value.
 */
export interface RowProblem {
  /** Index of the row in the slice's `rows`. */
  row: number;
  /** `source.encoding` or `source.malformed`. */
  reasonCode: string;
  /** The column concerned, when one is. */
  column?: string;
  /** For `source.encoding`: the encoding the undecodable bytes look like (`windows-1252`, `latin1`), when one fits. */
  likelyEncoding?: string;
  /** Where and what, e.g. file, line, column and byte offset. */
  message: string;
}

/**
 * A slice of a table by one key column: rows whose value is above `after` (exclusive) and at
 * most `through` (inclusive); a missing end is open. Bounds are the key's canonical text as
 * keyBounds returns it (integers in decimal). Rows whose key is NULL belong to the open end
 * where the database's ORDER BY puts NULLs (PostgreSQL: last; MySQL and SQLite: first), so the
 * ranges of keyBounds cover a nullable key's rows exactly once too.
 */
export interface KeyRange {
  column: string;
  after?: string;
  through?: string;
}

/**
 * Rows whose change column (a last-updated time or row version) is above `after` (exclusive)
 * and at most `through` (inclusive): one poll of a watermark sync (issue #18). Bounds are the
 * column's canonical text as Source.maxOf returns it (integers in decimal, ISO timestamps and
 * dates); a missing end is open. Rows whose change column is NULL never match.
 */
export interface ChangedAfter {
  column: string;
  after?: string;
  through?: string;
}

export interface ReadOptions {
  /** Columns to read, in this order. Default: all columns in table order. */
  columns?: string[];
  /** Deterministic order (normally the primary key); required for resumable reads of databases. */
  orderBy?: string[];
  /** Number of leading rows (in that order) to skip: how a resumed run continues; with `range`, counted within the range. */
  skip?: number;
  /**
   * Only rows in this key range (one partition of a partitioned run); read with `orderBy` the
   * range's column, the partitions concatenated yield exactly the whole-table read. Sources
   * that cannot (files) refuse it with `source.range_unsupported`.
   */
  range?: KeyRange;
  /**
   * Only rows whose change column lies in this window (combined with `range` when both are
   * given). SQL sources only; files refuse it with `source.changed_after_unsupported`.
   */
  changedAfter?: ChangedAfter;
  /**
   * Only rows whose column holds one of these values (canonical text): how a sync finds the
   * children of a parent row that has just loaded. SQL sources only; files refuse it with
   * `source.values_in_unsupported`.
   */
  valuesIn?: { column: string; values: string[] };
  /** Rows per slice: a slice is the unit a source yields, never the unit a target commits (that is a batch). */
  sliceRows: number;
  /** Also end a slice once its rows hold about this many bytes, so large binary values (scanned letters) never pile up; default SLICE_BYTES. */
  sliceBytes?: number;
  signal?: AbortSignal;
}

/** Default byte bound of a slice (ReadOptions.sliceBytes): ordinary rows never reach it; rows of large binary values do. */
export const SLICE_BYTES = 16 * 1024 * 1024;

/** Bytes the binary values at positions `at` of a row hold (what slices are bounded by besides rows). */
export function binaryBytes(row: readonly Value[], at: readonly number[]): number {
  let n = 0;
  for (let k = 0; k < at.length; k++) n += (row[at[k]] as Buffer | null)?.length ?? 0;
  return n;
}

export interface Source {
  readonly kind: string;
  /** The URL with any password removed, safe for logs and reports. */
  readonly displayUrl: string;
  introspect(): Promise<SchemaInfo>;
  read(table: string, options: ReadOptions): AsyncIterable<Slice>;
  count(table: string): Promise<number>;
  /**
   * Split points s1 < ... < sk (k <= parts - 1, in the column's ORDER BY order) so that the
   * ranges (-inf, s1], (s1, s2], ..., (sk, +inf) hold about equal numbers of rows; [] for an
   * empty table or parts <= 1. Integer and text keys only (`source.partition_key_type`
   * otherwise). Absent on sources whose tables are one partition (files).
   */
  keyBounds?(table: string, column: string, parts: number, signal?: AbortSignal): Promise<string[]>;
  /**
   * The greatest value of a change column as canonical text (see ChangedAfter), or null when
   * it holds no value; read as the source's reads see the table. SQL sources only.
   */
  maxOf?(table: string, column: string): Promise<string | null>;
  close(): Promise<void>;
}

/** A target column as declared in the contract's target schema. */
export interface TargetColumnDef {
  name: string;
  type: LogicalType;
  nullable: boolean;
  /** Maximum length for text columns. */
  length?: number;
  precision?: number;
  scale?: number;
}

export interface TargetTableDef {
  name: string;
  columns: TargetColumnDef[];
  primaryKey: string[];
  foreignKeys: ForeignKeyInfo[];
}

/** How a table is loaded: upsert on the target key, plain append, or truncate-before-load. */
export type LoadMode = 'upsert' | 'append' | 'truncate';

/** One quarantined source row: keys and reason codes only, never the row's values. */
export interface QuarantineRecord {
  runId: string;
  sourceTable: string;
  sourceKey: string;
  targetTable: string;
  /** The field, transform step or rule that failed, e.g. `nhs_number: rule nhs_number`. */
  rule: string;
  reasonCode: string;
  message: string;
}

/** Progress of one mapping within a run, committed atomically with each batch. */
export interface Checkpoint {
  runId: string;
  table: string;
  /** Source rows consumed (in read order) up to and including the last committed batch. */
  offset: number;
  loaded: number;
  quarantined: number;
  excluded: number;
  done: boolean;
}

/** Lineage outcome codes as stored: one character keeps the per-row record narrow. */
export type LineageOutcome = 'L' | 'Q' | 'X';

/** What each stored outcome code means, as LineageEntry spells it. */
export const OUTCOME_NAMES = { L: 'loaded', Q: 'quarantined', X: 'excluded' } as const;

/**
 * What became of one source row in a batch: source key, outcome (`L` loaded, `Q` quarantined,
 * `X` excluded), target key (loaded rows) and reason code (quarantined: the first failure's
 * code; excluded: `excluded.filter` or `excluded.pilot`). Keys and codes only, never values.
 */
export type LineageRow = [sourceKey: string, outcome: LineageOutcome, targetKey: string | null, reason: string | null];

/** The lineage of one batch: every source row it read, in read order. */
export interface LineageBatch {
  sourceTable: string;
  rows: LineageRow[];
}

/** A crosswalk as one run applied it: its declared version and the SHA-256 of its contents. */
export interface CrosswalkVersion {
  name: string;
  version: string | null;
  digest: string;
}

/** Everything one batch commits: rows, their quarantine records and the new checkpoint. */
export interface CommitUnit {
  runId: string;
  table: TargetTableDef;
  mode: LoadMode;
  /** Rows aligned with `table.columns`. */
  rows: Value[][];
  quarantine: QuarantineRecord[];
  checkpoint: Checkpoint;
  /** Per-source-row lineage, written in the same atomic unit; absent when lineage is off. */
  lineage?: LineageBatch;
  /** Record the undo log (first before-image of every key the unit touches) so the run can be rolled back. */
  undo?: boolean;
  /**
   * The unit's rows and lineage as the target's own BatchEncoder encoded them; when present,
   * `rows` is empty and `lineage` absent.
   */
  encoded?: EncodedBatch;
}

/** A batch in a target's wire format, made by its BatchEncoder; only that target reads it. */
export interface EncodedBatch {
  readonly rows: number;
}

/**
 * Encodes a batch as its rows are produced, so a batch waiting for its commit is a few buffers
 * rather than thousands of row arrays (short-lived rows are what keeps the garbage collector
 * cheap and memory flat on big tables).
 */
export interface BatchEncoder {
  /**
   * Encodes one loaded row (aligned with the table's columns); the row is not kept. `clean`:
   * no string in the row contains a backslash, tab, newline or carriage return.
   */
  row(row: readonly Value[], clean?: boolean): void;
  /** Encodes one lineage record (see LineageRow); only called when lineage was asked for. */
  lineage(sourceKey: string, outcome: LineageOutcome, targetKey: string | null, reason: string | null): void;
  /** Hands over everything encoded since the last call, for the next commit. */
  take(): EncodedBatch;
}

/** What a BatchEncoder is for: one table of one run. */
export interface BatchEncoderOptions {
  runId: string;
  table: TargetTableDef;
  mode: LoadMode;
  sourceTable: string;
  undo: boolean;
  lineage: boolean;
}

/** A run as the target records it, so `--resume` can check it continues the same contract. */
export interface RunRecord {
  runId: string;
  contractDigest: string;
  startedAt: string;
  /** `reconciling`: every row is loaded and the end-of-run reconciliation is pending (`ferry run --resume` finishes it). */
  status: 'running' | 'reconciling' | 'succeeded' | 'failed' | 'failed_gate' | 'cancelled' | 'rolled_back';
  finishedAt?: string;
  /**
   * The run's report as JSON (keys and counts only), stored when its load finished and replaced
   * once it was reconciled; opaque to the ledger, read back by the layers that wrote it.
   */
  report?: string;
  /**
   * The run's partition plan as JSON, opaque to the ledger, recorded by beginRun for a new run;
   * a resumed run reads it back, so it continues with the partitions it started with.
   */
  plan?: string;
  /** Crosswalk versions the run applies, recorded once per run for lineage. */
  crosswalks?: CrosswalkVersion[];
}

/** Where one lineage record points: a run, a source row and what became of it. */
export interface LineageEntry {
  runId: string;
  runStatus: RunRecord['status'] | 'unknown';
  contractDigest: string;
  crosswalks: CrosswalkVersion[];
  sourceTable: string;
  sourceKey: string;
  targetTable: string;
  outcome: 'loaded' | 'quarantined' | 'excluded';
  targetKey: string | null;
  reasonCode: string | null;
}

/** A lineage lookup: by target row or by source row. */
export type LineageQuery = { by: 'target'; table: string; key: string } | { by: 'source'; table: string; key: string };

/** What rolling back one table did. */
export interface RollbackTableResult {
  table: string;
  /** Rows the run inserted, removed again. */
  deleted: number;
  /** Rows the run updated (or truncated), put back to their before-image. */
  restored: number;
}

/** Options of a rollback: `check` only verifies it is allowed and counts, writing nothing. */
export interface RollbackOptions {
  check?: boolean;
}

/**
 * Writes a target's tables: creates them from the contract and moves a batch's rows (as arrays
 * or pre-encoded by the target's BatchEncoder). It never commits on its own: a batch's rows
 * commit in the same transaction as what the RunLedger records for them (see Target.commit).
 */
export interface TableWriter {
  readonly kind: string;
  readonly displayUrl: string;
  introspect(): Promise<SchemaInfo>;
  /** Creates missing target tables (when `create`) and brings Ferry's ledger to this version (connectors/ledger/). */
  ensureSchema(tables: TargetTableDef[], options: { create: boolean }): Promise<void>;
  /**
   * An encoder for the table's batches when this target can take them pre-encoded (called once
   * per table, before its first batch); undefined when rows must come as arrays (e.g. an upsert
   * that merges by key).
   */
  batchEncoder?(options: BatchEncoderOptions): Promise<BatchEncoder | undefined>;
  close(): Promise<void>;
}

/**
 * Ferry's ledger inside a target: runs, checkpoints, quarantine, lineage and the undo log that
 * rollback reads. SQL targets share one implementation of its run records (connectors/sql-ledger/);
 * lineage and undo keep per-database fast paths.
 */
export interface RunLedger {
  /** Records a new run (with its plan, RunRecord.plan), or puts an existing one back to running when resuming, keeping its stored plan. */
  beginRun(run: RunRecord): Promise<void>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  /** Sets the run's status; with `report`, replaces its stored report too (RunRecord.report). */
  finishRun(runId: string, status: RunRecord['status'], report?: string): Promise<void>;
  checkpoints(runId: string): Promise<Checkpoint[]>;
  quarantine(runId: string): AsyncIterable<QuarantineRecord>;
  /** Lineage records matching the query, oldest run first. */
  lineage?(query: LineageQuery): Promise<LineageEntry[]>;
  /**
   * Returns the rows run `runId` touched to their pre-run state from its undo log and marks
   * it `rolled_back`; refuses (FerryError, nothing written) when it cannot do so exactly.
   */
  rollback?(runId: string, options?: RollbackOptions): Promise<RollbackTableResult[]>;
}

/**
 * A TableWriter and its RunLedger as one facade, with the two operations that touch both in
 * one transaction: the engine, lineage, reconcile, rollback and the server talk to this.
 */
export interface Target extends TableWriter, RunLedger {
  /**
   * Called once per table before its first batch of a fresh (not resumed) run; truncates the
   * table when mode is `truncate`, atomically with a zero checkpoint so a resume never
   * truncates rows it already loaded. With `undo`, what a rollback needs before the table is
   * touched (for `truncate`, the table's previous contents) is recorded in the same unit.
   */
  startTable(table: TargetTableDef, mode: LoadMode, checkpoint: Checkpoint, options?: { undo?: boolean }): Promise<void>;
  /** Writes rows, quarantine records, lineage, undo log and checkpoint in one atomic unit. */
  commit(unit: CommitUnit): Promise<void>;
  /** The target's sync records and change application (SQL targets); absent where a sync cannot write (files). */
  readonly sync?: SyncLedger;
}

/** What one source transaction does to one target table in a sync (issue #18). */
export interface TableChanges {
  table: TargetTableDef;
  /** The source table the changes came from (lineage, quarantine, pending). */
  sourceTable: string;
  /** Remove every row of the table first (a TRUNCATE of its source table). */
  truncate?: boolean;
  /** Target primary-key tuples to delete (aligned with `table.primaryKey`). */
  deletes: Value[][];
  /** Rows (aligned with `table.columns`) to insert or replace by primary key; at most one per key. */
  upserts: Value[][];
  /** Rows quarantined by this transaction; also recorded as the sync's pending rows until settled. */
  quarantine: QuarantineRecord[];
  /** Source keys whose latest change loaded or deleted: they leave the sync's pending rows. */
  settled: string[];
  /** Per-source-row lineage of this transaction; absent when lineage is off. */
  lineage?: LineageBatch;
}

/**
 * One source transaction's effect on the target, committed atomically with the sync's new
 * position: a sync killed before the commit re-applies the transaction; after it, never.
 */
export interface ChangeUnit {
  syncId: string;
  /** The run record the sync's lineage and quarantine are written under (RunLedger.beginRun). */
  runId: string;
  /** The source position this unit brings the sync to (SyncRecord.position). */
  position: string;
  /** The source commit time of the last transaction in the unit (SyncRecord.lastCommitAt). */
  committedAt: string;
  /**
   * In dependency order (parents first): truncates and deletes are applied last table first,
   * then upserts first table first, so enforced foreign keys hold throughout.
   */
  tables: TableChanges[];
  /** The sync's running totals after this unit, as JSON (SyncRecord.counts). */
  counts: string;
}

/** A sync as its target records it (`ferry sync status` reads it without the source). */
export interface SyncRecord {
  syncId: string;
  contractDigest: string;
  /** `postgres`, `mysql` or `watermark`. */
  method: string;
  /** The source URL without its password. */
  source: string;
  /** The run that loaded the snapshot. */
  snapshotRunId?: string;
  /** The run record the streamed changes' lineage and quarantine are written under. */
  streamRunId?: string;
  state: 'snapshot' | 'streaming' | 'stopping' | 'stopped' | 'cutting_over' | 'cut_over' | 'failed';
  /** Source position of the last applied change (the snapshot's consistent point before any). */
  position?: string;
  startedAt: string;
  updatedAt: string;
  /** Source commit time of the last applied transaction. */
  lastCommitAt?: string;
  /** Running totals per table, JSON (written by applyChanges). */
  counts?: string;
  /** The streaming process's last report (heartbeat, lag), JSON. */
  progress?: string;
  /** The cutover record, JSON. */
  cutover?: string;
  /** Why the sync stopped with `failed`: a code and a message, no row values. */
  error?: string;
}

/** The sync records a SQL target keeps beside its runs (ledger version 4). */
export interface SyncLedger {
  /** Records a new sync; refuses an id already recorded. */
  beginSync(record: SyncRecord): Promise<void>;
  getSync(syncId: string): Promise<SyncRecord | undefined>;
  listSyncs(): Promise<SyncRecord[]>;
  /** Updates the named fields (and updatedAt) of a recorded sync. */
  /** Updates the named fields (and updatedAt) of a recorded sync; an empty string clears a text field (progress, error). */
  updateSync(syncId: string, patch: Partial<Omit<SyncRecord, 'syncId' | 'startedAt' | 'updatedAt'>>): Promise<void>;
  /** Applies one unit of changes and moves the sync's position, counts and lastCommitAt, in one transaction. */
  applyChanges(unit: ChangeUnit): Promise<void>;
  /** The sync's rows quarantined and not settled since, oldest first: what cutover lists for manual re-entry. */
  syncPending(syncId: string): AsyncIterable<QuarantineRecord>;
}
