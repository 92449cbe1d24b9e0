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
export interface Batch {
  columns: string[];
  rows: Value[][];
}

export interface ReadOptions {
  /** Columns to read, in this order. Default: all columns in table order. */
  columns?: string[];
  /** Deterministic order (normally the primary key); required for resumable reads of databases. */
  orderBy?: string[];
  /** Number of leading rows (in that order) to skip: how a resumed run continues. */
  skip?: number;
  batchSize: number;
  signal?: AbortSignal;
}

export interface Source {
  readonly kind: string;
  /** The URL with any password removed, safe for logs and reports. */
  readonly displayUrl: string;
  introspect(): Promise<SchemaInfo>;
  read(table: string, options: ReadOptions): AsyncIterable<Batch>;
  count(table: string): Promise<number>;
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

/** Everything one batch commits: rows, their quarantine records and the new checkpoint. */
export interface CommitUnit {
  runId: string;
  table: TargetTableDef;
  mode: LoadMode;
  /** Rows aligned with `table.columns`. */
  rows: Value[][];
  quarantine: QuarantineRecord[];
  checkpoint: Checkpoint;
}

/** A run as the target records it, so `--resume` can check it continues the same contract. */
export interface RunRecord {
  runId: string;
  contractDigest: string;
  startedAt: string;
  status: 'running' | 'succeeded' | 'failed' | 'failed_gate' | 'cancelled';
  finishedAt?: string;
}

export interface Target {
  readonly kind: string;
  readonly displayUrl: string;
  introspect(): Promise<SchemaInfo>;
  /** Creates missing target tables (when `create`) and Ferry's bookkeeping tables. */
  ensureSchema(tables: TargetTableDef[], options: { create: boolean }): Promise<void>;
  /** Records a new run, or returns the existing record when resuming. */
  beginRun(run: RunRecord): Promise<void>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  finishRun(runId: string, status: RunRecord['status']): Promise<void>;
  /**
   * Called once per table before its first batch of a fresh (not resumed) run; truncates the
   * table when mode is `truncate`, atomically with a zero checkpoint so a resume never
   * truncates rows it already loaded.
   */
  startTable(table: TargetTableDef, mode: LoadMode, checkpoint: Checkpoint): Promise<void>;
  /** Writes rows, quarantine records and checkpoint in one atomic unit. */
  commit(unit: CommitUnit): Promise<void>;
  checkpoints(runId: string): Promise<Checkpoint[]>;
  quarantine(runId: string): AsyncIterable<QuarantineRecord>;
  close(): Promise<void>;
}
