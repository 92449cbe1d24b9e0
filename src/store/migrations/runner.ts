/**
 * Applies pending migrations inside one write transaction that excludes every other
 * migrator: PostgreSQL takes an advisory lock, SQLite `BEGIN IMMEDIATE`. When two instances
 * start together, the second waits, then finds nothing left to do. DDL is transactional in
 * both dialects, so a failed migration leaves the schema as it was.
 */
import { sql } from 'kysely';
import { FerryError, issue, type Issue } from '../../errors.js';
import type { Store } from '../db.js';
import type { MigrationRow } from '../schema.js';
import { MIGRATIONS } from './index.js';
import { migrationChecksum, type Migration } from './migration.js';

export interface MigrationResult {
  id: number;
  name: string;
  checksum: string;
}

type MigrationHost = Pick<Store, 'dialect' | 'pgSchema' | 'writeTransaction' | 'lock'>;

/** Brings the store's schema up to date; returns the migrations this call applied. */
export async function runMigrations(store: MigrationHost, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationResult[]> {
  return store.writeTransaction(async (trx) => {
    if (store.dialect === 'postgres') {
      await store.lock(trx, 'migrations');
      await sql`create schema if not exists ${sql.id(store.pgSchema ?? 'public')}`.execute(trx);
    }
    await sql`create table if not exists "ferry_migrations" ("id" integer primary key, "name" text not null, "checksum" text not null, "applied_at" text not null)`.execute(trx);
    const applied = await trx.selectFrom('ferry_migrations').selectAll().orderBy('id').execute();
    checkApplied(applied, migrations, store.dialect);
    const done = new Set(applied.map((a) => a.id));
    const results: MigrationResult[] = [];
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      for (const statement of m.sql[store.dialect]) await sql.raw(statement).execute(trx);
      const checksum = migrationChecksum(m, store.dialect);
      await trx.insertInto('ferry_migrations').values({ id: m.id, name: m.name, checksum, applied_at: new Date().toISOString() }).execute();
      results.push({ id: m.id, name: m.name, checksum });
    }
    return results;
  });
}

/** Refuses a store whose history does not match this build: changed, unknown or skipped migrations. */
function checkApplied(applied: MigrationRow[], migrations: readonly Migration[], dialect: Store['dialect']): void {
  const known = new Map(migrations.map((m) => [m.id, m]));
  const issues: Issue[] = [];
  for (const a of applied) {
    const m = known.get(a.id);
    if (!m) {
      issues.push(issue('store.unknown_migration', `migrations.${a.id}`, `migration ${a.id} (${a.name}) was applied by a newer Ferry; upgrade Ferry to use this store`));
    } else if (migrationChecksum(m, dialect) !== a.checksum) {
      issues.push(
        issue(
          'store.migration_changed',
          `migrations.${a.id}`,
          `migration ${a.id} (${a.name}) differs from the one applied to this store (checksum ${a.checksum.slice(0, 12)}…); released migrations must never be edited: restore the original and add a new numbered migration`,
        ),
      );
    }
  }
  const maxApplied = Math.max(0, ...applied.map((a) => a.id));
  const appliedIds = new Set(applied.map((a) => a.id));
  for (const m of migrations) {
    if (m.id < maxApplied && !appliedIds.has(m.id)) {
      issues.push(
        issue(
          'store.migration_skipped',
          `migrations.${m.id}`,
          `migration ${m.id} (${m.name}) is pending but the later migration ${maxApplied} is applied; migrations are forward-only and must be numbered after the last released one`,
        ),
      );
    }
  }
  if (issues.length > 0) {
    throw new FerryError(
      'conflict',
      'store.migrations_mismatch',
      `the control store's schema history does not match this version of Ferry (${issues.length} problem(s)); Ferry will not start against it`,
      issues,
    );
  }
}
