/**
 * A control-store migration: the shared forward-only migration shape (src/migrations/) over the
 * store's two dialects, so types and triggers can be native.
 */
import { migrationChecksum as checksumOf, type Migration as AnyMigration } from '../../migrations/migration.js';
import type { StoreDialect } from '../db.js';

export type Migration = AnyMigration<StoreDialect>;

/** SHA-256 of a migration's statements for one dialect, recorded when it is applied. */
export function migrationChecksum(m: Migration, dialect: StoreDialect): string {
  return checksumOf(m, dialect);
}
