/**
 * A numbered, forward-only schema change. Each dialect gets its own statements so types and
 * triggers can be native; the checksum covers exactly the statements that ran.
 */
import { createHash } from 'node:crypto';
import type { StoreDialect } from '../db.js';

export interface Migration {
  /** 1, 2, 3, … with no gaps: the order they apply in. */
  id: number;
  name: string;
  sql: Record<StoreDialect, readonly string[]>;
}

/** SHA-256 of a migration's statements for one dialect, recorded when it is applied. */
export function migrationChecksum(m: Migration, dialect: StoreDialect): string {
  return createHash('sha256').update(m.sql[dialect].join(';\n')).digest('hex');
}
