/**
 * The scratch store: a throwaway SQLite file that holds the expected side (and, for file
 * targets, the target side) as keys and hashes, indexed by key, so reconciliation stays
 * memory-flat on tens of millions of rows. It holds no values, only keys and hashes, lives in
 * a private temporary directory and is deleted when reconciliation ends.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { LogicalType } from '../connectors/connector.js';

export interface Scratch {
  db: Database.Database;
  close(): Promise<void>;
}

/** Opens a fresh scratch database under `dir` (default: the system temporary directory). */
export async function openScratch(dir?: string): Promise<Scratch> {
  const home = await mkdtemp(path.join(dir ?? os.tmpdir(), 'ferry-reconcile-'));
  const db = new Database(path.join(home, 'scratch.db'));
  // Nothing here needs to survive a crash: the store is rebuilt on every reconciliation.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = FILE');
  db.defaultSafeIntegers(true);
  return {
    db,
    close: async () => {
      if (db.open) db.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** SQLite column type for a key column: integers sort numerically, every other canonical form as text. */
export function keyColumnType(type: LogicalType): 'INTEGER' | 'TEXT' {
  return type === 'integer' ? 'INTEGER' : 'TEXT';
}

/** Converts a canonical key part to the value stored (and compared) in the scratch store. */
export function keyValue(type: LogicalType, canonicalText: string): bigint | string {
  if (type === 'integer' && /^-?\d+$/.test(canonicalText)) return BigInt(canonicalText);
  return canonicalText;
}
