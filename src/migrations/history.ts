/**
 * Compares a store's applied history with the migrations this build knows. Only three things
 * can be wrong, and each needs a different fix, so each is reported on its own: a migration
 * this build does not know (a newer Ferry wrote the store), a known one whose statements
 * changed since it was applied, and a known one skipped while a later one was applied.
 */
import { migrationChecksum, type AppliedMigration, type Migration } from './migration.js';

export type HistoryProblemKind = 'unknown' | 'changed' | 'skipped';

/** One mismatch between a store's history and this build's migrations. */
export interface HistoryProblem {
  kind: HistoryProblemKind;
  id: number;
  name: string;
  /** For `changed`: the checksum the store recorded. */
  recorded?: string;
  /** For `skipped`: the latest migration the store has applied. */
  latestApplied?: number;
}

/** Every way `applied` disagrees with `migrations` for `dialect`; empty when the history fits. */
export function checkHistory<D extends string>(applied: readonly AppliedMigration[], migrations: readonly Migration<D>[], dialect: D): HistoryProblem[] {
  const known = new Map(migrations.map((m) => [m.id, m]));
  const problems: HistoryProblem[] = [];
  for (const a of applied) {
    const m = known.get(a.id);
    if (!m) problems.push({ kind: 'unknown', id: a.id, name: a.name });
    else if (migrationChecksum(m, dialect) !== a.checksum) problems.push({ kind: 'changed', id: a.id, name: a.name, recorded: a.checksum });
  }
  const latestApplied = Math.max(0, ...applied.map((a) => a.id));
  const appliedIds = new Set(applied.map((a) => a.id));
  for (const m of migrations) {
    if (m.id < latestApplied && !appliedIds.has(m.id)) problems.push({ kind: 'skipped', id: m.id, name: m.name, latestApplied });
  }
  return problems;
}

/** A one-line explanation of a problem that says what to do; `subject` names the store, e.g. `this store`. */
export function describeProblem(p: HistoryProblem, subject: string): string {
  switch (p.kind) {
    case 'unknown':
      return `migration ${p.id} (${p.name}) was applied by a newer Ferry; upgrade Ferry to use ${subject}`;
    case 'changed':
      return `migration ${p.id} (${p.name}) differs from the one applied to ${subject} (checksum ${(p.recorded ?? '').slice(0, 12)}…); released migrations must never be edited: restore the original and add a new numbered migration`;
    case 'skipped':
      return `migration ${p.id} (${p.name}) is pending but the later migration ${p.latestApplied} is applied; migrations are forward-only and must be numbered after the last released one`;
  }
}
