/**
 * Applies pending migrations inside one write transaction that excludes every other
 * migrator: PostgreSQL takes an advisory lock, SQLite `BEGIN IMMEDIATE`. When two instances
 * start together, the second waits, then finds nothing left to do. DDL is transactional in
 * both dialects, so a failed migration leaves the schema as it was. The history check and the
 * apply loop are the ones every versioned store shares (src/migrations/).
 */
import { sql } from 'kysely';
import { FerryError, issue } from '../../errors.js';
import { applyMigrations } from '../../migrations/apply.js';
import { describeProblem, type HistoryProblem } from '../../migrations/history.js';
import type { Store } from '../db.js';
import { MIGRATIONS } from './index.js';
import type { Migration } from './migration.js';

export interface MigrationResult {
  id: number;
  name: string;
  checksum: string;
}

type MigrationHost = Pick<Store, 'dialect' | 'pgSchema' | 'writeTransaction' | 'lock'>;

const PROBLEM_CODES: Record<HistoryProblem['kind'], string> = {
  unknown: 'store.unknown_migration',
  changed: 'store.migration_changed',
  skipped: 'store.migration_skipped',
};

/** Brings the store's schema up to date; returns the migrations this call applied. */
export async function runMigrations(store: MigrationHost, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationResult[]> {
  return store.writeTransaction(async (trx) => {
    if (store.dialect === 'postgres') {
      await store.lock(trx, 'migrations');
      await sql`create schema if not exists ${sql.id(store.pgSchema ?? 'public')}`.execute(trx);
    }
    await sql`create table if not exists "ferry_migrations" ("id" integer primary key, "name" text not null, "checksum" text not null, "applied_at" text not null)`.execute(trx);
    return applyMigrations(
      {
        dialect: store.dialect,
        readApplied: () => trx.selectFrom('ferry_migrations').select(['id', 'name', 'checksum']).orderBy('id').execute(),
        run: async (statement) => {
          await sql.raw(statement).execute(trx);
        },
        record: async (row) => {
          await trx.insertInto('ferry_migrations').values({ id: row.id, name: row.name, checksum: row.checksum, applied_at: row.appliedAt }).execute();
        },
      },
      migrations,
      refuse,
    );
  });
}

/** Refuses a store whose history does not match this build: changed, unknown or skipped migrations. */
function refuse(problems: HistoryProblem[]): FerryError {
  const issues = problems.map((p) => issue(PROBLEM_CODES[p.kind], `migrations.${p.id}`, describeProblem(p, 'this store')));
  return new FerryError(
    'conflict',
    'store.migrations_mismatch',
    `the control store's schema history does not match this version of Ferry (${issues.length} problem(s)); Ferry will not start against it`,
    issues,
  );
}
