import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommitUnit, LoadMode, Target, TargetTableDef, Value } from '../../../src/connectors/connector.js';
import { mysqlTestDb, type MysqlTestDb } from './harness.js';

const patient: TargetTableDef = {
  name: 'patient',
  columns: [
    { name: 'nhs_number', type: 'text', nullable: false },
    { name: 'name', type: 'text', nullable: true },
    { name: 'code', type: 'text', nullable: true, length: 8 },
    { name: 'weight', type: 'decimal', nullable: true },
    { name: 'count', type: 'integer', nullable: true },
    { name: 'seen_at', type: 'timestamp', nullable: true },
    { name: 'alive', type: 'boolean', nullable: true },
    { name: 'letter', type: 'binary', nullable: true },
  ],
  primaryKey: ['nhs_number'],
  foreignKeys: [],
};

const episode: TargetTableDef = {
  name: 'episode',
  columns: [
    { name: 'id', type: 'integer', nullable: false },
    { name: 'nhs_number', type: 'text', nullable: false },
  ],
  primaryKey: ['id'],
  foreignKeys: [{ columns: ['nhs_number'], references: { table: 'patient', columns: ['nhs_number'] } }],
};

function unit(table: TargetTableDef, mode: LoadMode, rows: Value[][], offset: number): CommitUnit {
  return { runId: 'r1', table, mode, rows, quarantine: [], checkpoint: { runId: 'r1', table: table.name, offset, loaded: offset, quarantined: 0, excluded: 0, done: false } };
}

let db: MysqlTestDb;
let target: Target;
beforeEach(async () => {
  db = await mysqlTestDb();
  target = await db.target();
  await target.ensureSchema([patient, episode], { create: true });
  await target.beginRun({ runId: 'r1', contractDigest: 'd', startedAt: '2024-01-01T00:00:00Z', status: 'running' });
});
afterEach(async () => {
  await target.close();
  await db.drop();
});

describe('MySQL target schema', () => {
  it('creates InnoDB utf8mb4 tables with the documented column types and no foreign keys', async () => {
    const [cols] = await db.admin.query({
      sql: "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'patient' ORDER BY ORDINAL_POSITION",
      rowsAsArray: true,
    });
    expect(cols).toEqual([
      ['nhs_number', 'varchar(255)', 'NO'],
      ['name', 'longtext', 'YES'],
      ['code', 'varchar(8)', 'YES'],
      ['weight', 'decimal(38,10)', 'YES'],
      ['count', 'bigint(20)', 'YES'],
      ['seen_at', 'datetime(6)', 'YES'],
      ['alive', 'tinyint(1)', 'YES'],
      ['letter', 'longblob', 'YES'],
    ]);
    const [tables] = await db.admin.query({ sql: "SELECT ENGINE, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'patient'", rowsAsArray: true });
    expect(tables).toEqual([['InnoDB', 'utf8mb4_bin']]);
    const [fks] = await db.admin.query({ sql: 'SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()', rowsAsArray: true });
    expect(fks).toEqual([['0']]);
  });
});

describe('MySQL target commits', () => {
  it('splits a batch larger than max_allowed_packet into several statements inside one transaction', async () => {
    const [[max]] = (await db.admin.query({ sql: 'SELECT @@max_allowed_packet', rowsAsArray: true }))[0] as number[][];
    const big = 'x'.repeat(200_000);
    const count = Math.ceil((Number(max) * 1.5) / big.length);
    const rows: Value[][] = Array.from({ length: count }, (_, i) => [`999${String(i).padStart(7, '0')}`, big, null, null, null, null, null, null]);
    await target.commit(unit(patient, 'append', rows, count));
    const [n] = await db.admin.query({ sql: 'SELECT COUNT(*), SUM(LENGTH(name)) FROM patient', rowsAsArray: true });
    expect(n).toEqual([[String(count), String(count * big.length)]]);
  });

  it('leaves no trace of a batch whose connection is killed between its statements, and keeps working', async () => {
    const big = 'x'.repeat(100_000);
    const rows: Value[][] = Array.from({ length: 600 }, (_, i) => [String(i), big, null, null, null, null, null, null]);
    const committing = target.commit(unit(patient, 'append', rows, rows.length)).catch((e: unknown) => e);
    let killed = false;
    for (let i = 0; i < 400 && !killed; i++) {
      const [victims] = await db.admin.query({
        sql: "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID() AND INFO LIKE 'INSERT INTO `patient`%'",
        rowsAsArray: true,
      });
      for (const [id] of victims as number[][]) {
        await db.admin.query(`KILL CONNECTION ${Number(id)}`);
        killed = true;
      }
      if (!killed) await new Promise((r) => setTimeout(r, 5));
    }
    expect(killed).toBe(true);
    expect(await committing).toMatchObject({ kind: 'run', code: 'target.commit_failed' });
    expect(await db.rows('patient', [])).toEqual([]);
    expect(await target.checkpoints('r1')).toEqual([]);
    await target.commit(unit(patient, 'append', rows.slice(0, 3), 3));
    expect(await db.rows('patient', [])).toHaveLength(3);
  });

  it('keeps keys that differ only in case apart and lets the last duplicate in a batch win', async () => {
    await target.commit(
      unit(
        patient,
        'upsert',
        [
          ['abc', 'lower', null, '1.5', 3, null, true, null],
          ['ABC', 'upper', null, null, null, null, null, null],
          ['abc', 'last', null, '2.25', 4, null, false, null],
        ],
        3,
      ),
    );
    expect(await db.rows('patient', ['nhs_number'])).toEqual([
      ['ABC', 'upper', null, null, null, null, null, null],
      ['abc', 'last', null, '2.2500000000', '4', null, 0, null],
    ]);
  });

  it('stores zoned timestamps as UTC and keeps microseconds', async () => {
    await target.commit(
      unit(
        patient,
        'append',
        [
          ['1', null, null, null, null, '2024-06-01T12:00:00.123456+01:00', null, null],
          ['2', null, null, null, null, '2024-06-01T12:00:00', null, null],
        ],
        2,
      ),
    );
    expect((await db.rows('patient', ['nhs_number'])).map((r) => r[5])).toEqual(['2024-06-01 11:00:00.123456', '2024-06-01 12:00:00.000000']);
  });

  it('rejects a value that does not fit instead of truncating it, and never echoes the value', async () => {
    const error = await target.commit(unit(patient, 'append', [['1', null, 'SECRET-TOO-LONG', null, null, null, null, null]], 1)).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'run', code: 'target.commit_failed' });
    expect((error as Error).message).toMatch(/patient.*rolled back.*code/);
    expect((error as Error).message).not.toContain('SECRET');
    expect(await db.rows('patient', [])).toEqual([]);
    expect(await target.checkpoints('r1')).toEqual([]);
  });

  it('loads a child whose parent was never loaded, because referential integrity is gated, not enforced', async () => {
    await target.commit(unit(episode, 'append', [[1, 'quarantined-parent']], 1));
    expect(await db.rows('episode', ['id'])).toEqual([['1', 'quarantined-parent']]);
  });
});
