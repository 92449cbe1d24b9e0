/**
 * Brings the ledger inside a target to the version this Ferry writes, or refuses it: a ledger
 * is upgraded or rejected with a clear message, never half-understood. Targets call this from
 * ensureSchema inside their own transaction and lock, through a LedgerStore bound to them.
 */
import { FerryError, issue } from '../../errors.js';
import { applyMigrations, type MigrationAdapter } from '../../migrations/apply.js';
import { checkHistory, describeProblem, type HistoryProblem } from '../../migrations/history.js';
import type { AppliedMigration } from '../../migrations/migration.js';
import { LEDGER_MIGRATIONS, LEDGER_V1_LAYOUT, type LedgerDialect } from './migrations.js';

/** Name of the history table (or file) in every target. */
export const LEDGER_HISTORY = '_ferry_migrations';

/** A target's ledger as the versioning needs it, bound to the caller's transaction and lock. */
export interface LedgerStore extends MigrationAdapter<LedgerDialect> {
  /** Ledger tables (files) present, except the history itself, with their column (field) names. */
  ledgerLayout(): Promise<Map<string, string[]>>;
}

/**
 * Upgrades the ledger of `where` (the target as shown to users) to this Ferry's version;
 * returns the migrations it applied. A ledger written before versioning is adopted as version
 * 1 when its layout is version 1's, else refused with `target.ledger_unrecognised`.
 */
export async function upgradeLedger(store: LedgerStore, where: string): Promise<AppliedMigration[]> {
  const applied = await store.readApplied();
  if (applied.length === 0) checkUnversioned(await store.ledgerLayout(), store.dialect, where);
  return applyMigrations(store, LEDGER_MIGRATIONS, (problems) => refusal(problems, where));
}

/**
 * Refuses to read a ledger whose history this Ferry does not fit (a newer Ferry migrated it), for
 * commands that use a ledger without preparing it (rollback, lineage); `applied` is empty when
 * the target keeps no history yet.
 */
export function checkLedgerHistory(applied: readonly AppliedMigration[], dialect: LedgerDialect, where: string): void {
  const problems = checkHistory(applied, LEDGER_MIGRATIONS, dialect);
  if (problems.length > 0) throw refusal(problems, where);
}

/** Refuses an unversioned ledger whose tables are not version 1's; absent tables are fine (version 1 creates them). */
function checkUnversioned(found: Map<string, string[]>, dialect: LedgerDialect, where: string): void {
  const expected = LEDGER_V1_LAYOUT[dialect];
  for (const [name, columns] of found) {
    const want = expected[name];
    const same = want !== undefined && want.length === columns.length && want.every((c) => columns.includes(c));
    if (!same) {
      const detail = want === undefined ? 'is not part of any ledger layout this Ferry knows' : `has columns (${[...columns].sort().join(', ')}) where version 1 has (${[...want].sort().join(', ')})`;
      throw new FerryError(
        'conflict',
        'target.ledger_unrecognised',
        `Ferry's ledger table ${name} in ${where} ${detail}, and no ${LEDGER_HISTORY} history says which Ferry wrote it; move the _ferry tables aside (or use a fresh target) and run again`,
      );
    }
  }
}

function refusal(problems: HistoryProblem[], where: string): FerryError {
  const subject = `the ledger in ${where}`;
  const issues = problems.map((p) => issue(`target.ledger_${p.kind}_migration`, `${LEDGER_HISTORY}.${p.id}`, describeProblem(p, subject)));
  if (problems.some((p) => p.kind === 'unknown')) {
    const newest = Math.max(...problems.map((p) => p.id));
    return new FerryError(
      'conflict',
      'target.ledger_newer',
      `${where} was written by a newer Ferry (its ledger is at version ${newest}, this Ferry knows up to ${Math.max(...LEDGER_MIGRATIONS.map((m) => m.id))}); upgrade Ferry`,
      issues,
    );
  }
  return new FerryError(
    'conflict',
    'target.ledger_mismatch',
    `the ledger history in ${where} does not match this version of Ferry (${problems.length} problem(s)): ${issues.map((i) => i.message).join('; ')}`,
    issues,
  );
}
