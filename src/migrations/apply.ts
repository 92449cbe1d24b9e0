/**
 * The apply loop shared by every versioned store. The caller owns the transaction and the lock
 * that keeps two migrators apart (an advisory lock, GET_LOCK, BEGIN IMMEDIATE, a lock file) and
 * hands over an adapter bound to them, so this loop stays free of any driver.
 */
import { checkHistory, type HistoryProblem } from './history.js';
import { migrationChecksum, type AppliedMigration, type Migration } from './migration.js';

/** What the apply loop needs from a store, all inside the caller's transaction and lock. */
export interface MigrationAdapter<D extends string> {
  readonly dialect: D;
  /** The history as recorded, in any order (creating the history table first if the store keeps one). */
  readApplied(): Promise<AppliedMigration[]>;
  /** Runs one statement of a pending migration. */
  run(statement: string): Promise<void>;
  /** Records a migration as applied. */
  record(row: AppliedMigration & { appliedAt: string }): Promise<void>;
}

/**
 * Checks the history and applies every pending migration in order; returns those it applied.
 * `refuse` turns the problems of a history that does not fit into the caller's own FerryError.
 */
export async function applyMigrations<D extends string>(adapter: MigrationAdapter<D>, migrations: readonly Migration<D>[], refuse: (problems: HistoryProblem[]) => Error): Promise<AppliedMigration[]> {
  const applied = await adapter.readApplied();
  const problems = checkHistory(applied, migrations, adapter.dialect);
  if (problems.length > 0) throw refuse(problems);
  const done = new Set(applied.map((a) => a.id));
  const results: AppliedMigration[] = [];
  for (const m of [...migrations].sort((a, b) => a.id - b.id)) {
    if (done.has(m.id)) continue;
    for (const statement of m.sql[adapter.dialect]) await adapter.run(statement);
    const row = { id: m.id, name: m.name, checksum: migrationChecksum(m, adapter.dialect) };
    await adapter.record({ ...row, appliedAt: new Date().toISOString() });
    results.push(row);
  }
  return results;
}
