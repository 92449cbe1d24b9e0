import { describe, expect, it } from 'vitest';
import { applyMigrations, type MigrationAdapter } from '../../src/migrations/apply.js';
import { checkHistory, describeProblem } from '../../src/migrations/history.js';
import { migrationChecksum, type AppliedMigration, type Migration } from '../../src/migrations/migration.js';

type D = 'a' | 'b';
const M: Migration<D>[] = [
  { id: 1, name: 'one', sql: { a: ['create one'], b: ['make one'] } },
  { id: 2, name: 'two', sql: { a: ['create two', 'index two'], b: [] } },
];

/** An in-memory store: what ran and what was recorded. */
function memory(dialect: D, applied: AppliedMigration[] = []) {
  const ran: string[] = [];
  const adapter: MigrationAdapter<D> = {
    dialect,
    readApplied: async () => [...applied],
    run: async (s) => void ran.push(s),
    record: async (row) => void applied.push({ id: row.id, name: row.name, checksum: row.checksum }),
  };
  return { adapter, ran, applied };
}

const refuse = (problems: unknown[]) => new Error(`refused ${JSON.stringify(problems)}`);

describe('applyMigrations', () => {
  it('runs pending migrations in order and records each with its dialect checksum', async () => {
    const store = memory('a');
    const result = await applyMigrations(store.adapter, [M[1], M[0]], refuse);
    expect(store.ran).toEqual(['create one', 'create two', 'index two']);
    expect(result.map((r) => r.id)).toEqual([1, 2]);
    expect(store.applied.map((r) => r.checksum)).toEqual([migrationChecksum(M[0], 'a'), migrationChecksum(M[1], 'a')]);
    expect(migrationChecksum(M[0], 'a')).not.toBe(migrationChecksum(M[0], 'b'));
  });

  it('runs nothing already applied', async () => {
    const store = memory('b', [{ id: 1, name: 'one', checksum: migrationChecksum(M[0], 'b') }]);
    const result = await applyMigrations(store.adapter, M, refuse);
    expect(store.ran).toEqual([]);
    expect(result.map((r) => r.id)).toEqual([2]);
  });

  it('refuses before running anything when the history does not fit', async () => {
    const store = memory('a', [{ id: 3, name: 'three', checksum: 'x' }]);
    await expect(applyMigrations(store.adapter, M, refuse)).rejects.toThrow(/refused/);
    expect(store.ran).toEqual([]);
  });
});

describe('checkHistory', () => {
  it('reports unknown, changed and skipped migrations, each once', () => {
    const problems = checkHistory(
      [
        { id: 2, name: 'two', checksum: 'edited' },
        { id: 7, name: 'seven', checksum: 'x' },
      ],
      M,
      'a',
    );
    expect(problems).toEqual([
      { kind: 'changed', id: 2, name: 'two', recorded: 'edited' },
      { kind: 'unknown', id: 7, name: 'seven' },
      { kind: 'skipped', id: 1, name: 'one', latestApplied: 7 },
    ]);
    expect(describeProblem(problems[1], 'this store')).toBe('migration 7 (seven) was applied by a newer Ferry; upgrade Ferry to use this store');
  });

  it('accepts a history that is a prefix of the known migrations', () => {
    expect(checkHistory([{ id: 1, name: 'one', checksum: migrationChecksum(M[0], 'a') }], M, 'a')).toEqual([]);
  });
});
