/**
 * A numbered, forward-only schema change, for any store Ferry versions (the control store, the
 * ledger Ferry keeps in a target). Each dialect gets its own statements so types can be
 * native; the checksum covers exactly the statements that run, so an edited released
 * migration is caught wherever it was applied.
 */
import { createHash } from 'node:crypto';

export interface Migration<D extends string> {
  /** 1, 2, 3, … with no gaps: the order they apply in. */
  id: number;
  name: string;
  sql: Record<D, readonly string[]>;
}

/** A migration as a store's history records it. */
export interface AppliedMigration {
  id: number;
  name: string;
  checksum: string;
}

/** SHA-256 of a migration's statements for one dialect, recorded when it is applied. */
export function migrationChecksum<D extends string>(m: Migration<D>, dialect: D): string {
  return createHash('sha256').update(m.sql[dialect].join(';\n')).digest('hex');
}
