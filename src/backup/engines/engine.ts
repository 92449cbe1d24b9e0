/**
 * What each kind of target does for a backup: dump tables inside one consistent snapshot, and
 * restore them in one transaction where the engine has one. The dump format is the engine's
 * own exact one (PostgreSQL's COPY text, typed JSON lines for MariaDB and SQLite, the file's
 * bytes for file targets); only the engine that wrote a dump reads it back.
 */
import type { BackupColumn, BackupTable } from '../manifest.js';

/** A table as found at backup time, before its dump. */
export interface TableShape {
  name: string;
  absent: boolean;
  columns: BackupColumn[];
  primaryKey: string[];
  references: string[];
  create: string | null;
}

/** Counts what a dump wrote. */
export interface DumpCounter {
  rows: number;
}

/** A consistent read of the target's tables. */
export interface BackupSnapshot {
  /** Describes each table, as of the snapshot; a table that does not exist is `absent`. */
  describe(tables: readonly string[]): Promise<TableShape[]>;
  /** The table's exact contents as a byte stream, counting rows into `counter`. */
  dump(table: TableShape, counter: DumpCounter): AsyncIterable<Buffer>;
  /** Ends the snapshot and disconnects. */
  close(): Promise<void>;
}

/** Writes tables back, all or nothing where the engine allows. */
export interface RestoreSession {
  /** Which of `tables` exist now. */
  existing(tables: readonly string[]): Promise<Set<string>>;
  /** Starts the transaction and empties the tables about to be reloaded (`present` of them exist now). */
  begin(tables: readonly BackupTable[], present: ReadonlySet<string>): Promise<void>;
  /** Loads one table's dump, recreating the table first when it no longer exists; returns the rows written. */
  load(table: BackupTable, present: boolean, data: AsyncIterable<Buffer>): Promise<number>;
  /** Drops a table that did not exist when the backup was taken. */
  drop(table: string): Promise<void>;
  commit(): Promise<void>;
  /** Undoes everything since `begin` (when the engine can) and disconnects. */
  abort(): Promise<void>;
  close(): Promise<void>;
}

/** Orders tables so each comes after the tables it references (a parent is restored before its children). */
export function parentsFirst<T extends { name: string; references: string[] }>(tables: readonly T[]): T[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const out: T[] = [];
  const seen = new Set<string>();
  const visit = (t: T, path: Set<string>): void => {
    if (seen.has(t.name) || path.has(t.name)) return;
    path.add(t.name);
    for (const r of t.references) {
      const parent = byName.get(r);
      if (parent && r !== t.name) visit(parent, path);
    }
    seen.add(t.name);
    out.push(t);
  };
  for (const t of tables) visit(t, new Set());
  return out;
}

/** Counts line feeds: one per row in COPY text and in JSON lines (values never hold a raw one). */
export function countLines(chunk: Buffer): number {
  let n = 0;
  let at = chunk.indexOf(10);
  while (at !== -1) {
    n++;
    at = chunk.indexOf(10, at + 1);
  }
  return n;
}
