/**
 * The rollback refusals the SQL targets share (connectors/sql-ledger/undo.ts), through each
 * target's own rollback: unknown, still running, already rolled back, and a run that wrote rows
 * without an undo log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommitUnit, Target, TargetTableDef } from '../../../src/connectors/connector.js';
import { SqliteTarget } from '../../../src/connectors/sqlite/target.js';
import { FerryError } from '../../../src/errors.js';
import { mysqlTestDb, type MysqlTestDb } from '../mysql/harness.js';
import { pgTestDb, type PgTestDb } from '../postgres/harness.js';
import { tempDb } from '../sqlite/helpers.js';

const def: TargetTableDef = {
  name: 'patient',
  columns: [
    { name: 'id', type: 'integer', nullable: false },
    { name: 'name', type: 'text', nullable: true },
  ],
  primaryKey: ['id'],
  foreignKeys: [],
};

function unit(runId: string, undo: boolean): CommitUnit {
  const rows = [
    [1n, 'a'],
    [2n, 'b'],
  ];
  return { runId, table: def, mode: 'append', rows, quarantine: [], undo, checkpoint: { runId, table: 'patient', offset: 2, loaded: 2, quarantined: 0, excluded: 0, done: true } };
}

async function load(target: Target, runId: string, undo: boolean): Promise<void> {
  await target.beginRun({ runId, contractDigest: 'd', startedAt: '2026-01-01T00:00:00Z', status: 'running' });
  await target.startTable(def, 'append', { runId, table: 'patient', offset: 0, loaded: 0, quarantined: 0, excluded: 0, done: false }, { undo });
  await target.commit(unit(runId, undo));
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return err instanceof FerryError ? err.code : String(err);
}

let pgDb: PgTestDb;
let myDb: MysqlTestDb;
const cleanups: Array<() => Promise<void>> = [];
beforeAll(async () => {
  pgDb = await pgTestDb();
  myDb = await mysqlTestDb();
});
afterAll(async () => {
  for (const c of cleanups) await c();
  await pgDb.drop();
  await myDb.drop();
});

const kinds: Array<{ kind: string; open: () => Promise<Target> }> = [
  {
    kind: 'sqlite',
    async open() {
      const { file, cleanup } = await tempDb('sqlite-refusals');
      cleanups.push(cleanup);
      return SqliteTarget.open(`sqlite:${file}`, { file, busyTimeout: 5000 });
    },
  },
  { kind: 'postgres', open: () => pgDb.target(pgDb.schemaName()) },
  { kind: 'mysql', open: () => myDb.target() },
];

describe.each(kinds)('rollback refusals on $kind', ({ open }) => {
  it('refuses unknown, running, undo-less and already rolled back runs, and undoes the rest once', async () => {
    const target = await open();
    try {
      await target.ensureSchema([def], { create: true });
      expect(await code(target.rollback!('nobody'))).toBe('rollback.run_unknown');

      await load(target, 'r1', true);
      expect(await code(target.rollback!('r1'))).toBe('rollback.run_active');
      await target.finishRun('r1', 'succeeded');
      expect(await target.rollback!('r1', { check: true })).toEqual([{ table: 'patient', deleted: 2, restored: 0 }]);
      expect((await target.getRun('r1'))?.status).toBe('succeeded');
      expect(await target.rollback!('r1')).toEqual([{ table: 'patient', deleted: 2, restored: 0 }]);
      expect((await target.getRun('r1'))?.status).toBe('rolled_back');
      expect(await code(target.rollback!('r1'))).toBe('rollback.already_rolled_back');

      await load(target, 'r2', false);
      await target.finishRun('r2', 'succeeded');
      expect(await code(target.rollback!('r2'))).toBe('rollback.no_undo_log');
    } finally {
      await target.close();
    }
  });
});
