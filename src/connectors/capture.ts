/**
 * Change data capture (issue #18): a source database that, besides serving one consistent
 * snapshot, streams every transaction committed after that snapshot, in commit order, so a
 * sync can load the snapshot through the contract and then apply the changes through the same
 * contract without a gap or an overlap. PostgreSQL captures with logical replication
 * (publication, slot, pgoutput); MySQL/MariaDB with the row-based binlog. Positions are opaque
 * text outside their connector, ordered by `comparePositions`, so every target's ledger can
 * store them.
 */
import type { LogicalType, Source, Value } from './connector.js';

/** A point in a source's change history (PostgreSQL: an LSN such as `0/16B3748`; MySQL: `binlog.000003:4711`). */
export type ChangePosition = string;

/** One row changed at the source. Values are decoded exactly as the connector's Source.read yields them for the same column. */
export interface RowChange {
  kind: 'insert' | 'update' | 'delete';
  /** The source table, unqualified, as the contract's source schema names it. */
  table: string;
  /** Every column of the table, in table order; `row` and `old` are aligned with it. */
  columns: string[];
  /** The row after an insert or update. */
  row?: Value[];
  /**
   * The row before an update or delete, as far as the source sent it: at least the key
   * columns for a delete and for an update that changed the key (others `undefined`); the
   * whole row under PostgreSQL's REPLICA IDENTITY FULL or MySQL's full row image. Absent for
   * an update when the source sent no old image (the key did not change).
   */
  old?: Array<Value | undefined>;
  /**
   * Indices into `row` whose values the source did not send because they did not change
   * (PostgreSQL's "unchanged TOAST"): the row's value there is `null` and must not be applied
   * as null.
   */
  unchanged?: number[];
}

/** Every row of these tables was removed at the source (TRUNCATE). */
export interface TruncateChange {
  kind: 'truncate';
  tables: string[];
}

/**
 * The source told the shape of a table (PostgreSQL sends a Relation message before a table's
 * first change in a stream and after every change of its columns; MySQL's table maps with full
 * row metadata). The sync compares it with the contract's pinned source schema and stops on a
 * difference: a captured table's DDL needs a new snapshot.
 */
export interface SchemaChange {
  kind: 'schema';
  table: string;
  columns: Array<{ name: string; type: LogicalType }>;
}

export type Change = RowChange | TruncateChange | SchemaChange;

/** One committed source transaction, with the position a sync stores once it is applied. */
export interface SourceTransaction {
  /**
   * Where the source is once this transaction is applied: stored in the target in the same
   * transaction as its rows, then acknowledged. A stream started from it yields only
   * transactions committed after it.
   */
  position: ChangePosition;
  /** When the transaction committed at the source. */
  committedAt: Date;
  changes: Change[];
}

/** A reason the source cannot be captured as it stands (wal_level, slots, a table without a key…). */
export interface CaptureFinding {
  /** Stable code, e.g. `sync.wal_level`, `sync.no_primary_key`. */
  code: string;
  table?: string;
  /** What is wrong and what to change, without any row value. */
  message: string;
}

/** What `begin` created: the consistent point and a way to read the snapshot that ends at it. */
export interface CaptureStart {
  /** The snapshot's consistent point: the stream starts after it. */
  position: ChangePosition;
  /**
   * Opens a read-only Source whose every read (concurrent ones included) sees exactly the
   * snapshot at `position`. Valid until `release`.
   */
  openSnapshot(): Promise<Source>;
  /** Ends the snapshot (PostgreSQL: closes the replication connection that exported it). */
  release(): Promise<void>;
}

/** How far a stored position is behind the source's head. */
export interface CaptureLag {
  /** The source's current position (where new changes will be written). */
  head: ChangePosition;
  /** Bytes of change history between the position and the head, when the source can tell. */
  bytes: number | null;
}

/** A running stream of committed transactions. */
export interface ChangeStream extends AsyncIterable<SourceTransaction> {
  /**
   * Tells the source everything up to `position` is durably applied, so it may discard that
   * history (PostgreSQL: the slot's confirmed flush position). Call only after the target
   * committed the transaction carrying it.
   */
  acknowledge(position: ChangePosition): Promise<void>;
  /** Ends the stream: the iteration finishes after the transaction it is in. */
  stop(): Promise<void>;
}

/** A source that can be synchronised: snapshot, then a gap-free stream of its changes. */
export interface ChangeCapture {
  readonly kind: string;
  /** The URL with any password removed. */
  readonly displayUrl: string;
  /** Everything that stops capture of these tables before anything is created; empty when ready. */
  preflight(tables: string[]): Promise<CaptureFinding[]>;
  /**
   * Creates what capture needs at the source for sync `name` (PostgreSQL: publication, then the
   * slot with an exported snapshot) and returns the consistent point and its snapshot.
   */
  begin(name: string, tables: string[]): Promise<CaptureStart>;
  /**
   * Streams the transactions committed after `from`, in commit order. Refuses with a
   * FerryError (`sync.slot_missing`, `sync.slot_recreated`, `sync.position_lost`…) when it
   * cannot guarantee that no change between `from` and now is missing.
   */
  stream(name: string, tables: string[], from: ChangePosition, signal?: AbortSignal): Promise<ChangeStream>;
  /** The source's head and how far `position` is behind it. */
  lag(name: string, position: ChangePosition): Promise<CaptureLag>;
  /**
   * Whether a client is reading sync `name`'s capture right now (PostgreSQL: the slot has an
   * active walsender), or undefined when the source cannot tell (binlog, watermark). A resume
   * uses it to tell a streaming process that was killed from one that is alive.
   */
  readerActive?(name: string): Promise<boolean | undefined>;
  /** Negative, zero or positive as position `a` is before, at or after `b`. */
  comparePositions(a: ChangePosition, b: ChangePosition): number;
  /** Removes what `begin` created for sync `name`; nothing when it is already gone. */
  drop(name: string): Promise<void>;
  close(): Promise<void>;
}
