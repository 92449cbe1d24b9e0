import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommitUnit, LoadMode, Target, TargetTableDef, Value } from '../../../src/connectors/connector.js';
import { FerryError } from '../../../src/errors.js';
import { pgTestDb, type PgTestDb } from './harness.js';

let db: PgTestDb;
beforeAll(async () => {
  db = await pgTestDb();
});
afterAll(async () => {
  await db.drop();
});

const parent: TargetTableDef = {
  name: 'patient',
  columns: [
    { name: 'id', type: 'integer', nullable: false },
    { name: 'nhs_number', type: 'text', nullable: false, length: 10 },
    { name: 'weight', type: 'decimal', nullable: true, precision: 5, scale: 1 },
    { name: 'score', type: 'decimal', nullable: true },
    { name: 'seen_at', type: 'timestamp', nullable: true },
    { name: 'photo', type: 'binary', nullable: true },
  ],
  primaryKey: ['id'],
  foreignKeys: [],
};

const child: TargetTableDef = {
  name: 'episode',
  columns: [
    { name: 'id', type: 'integer', nullable: false },
    { name: 'patient_id', type: 'integer', nullable: false },
  ],
  primaryKey: ['id'],
  foreignKeys: [{ columns: ['patient_id'], references: { table: 'patient', columns: ['id'] } }],
};

function unit(table: TargetTableDef, mode: LoadMode, rows: Value[][], offset: number): CommitUnit {
  return { runId: 'r1', table, mode, rows, quarantine: [], checkpoint: { runId: 'r1', table: table.name, offset, loaded: offset, quarantined: 0, excluded: 0, done: false } };
}

async function fresh(): Promise<{ target: Target; schema: string }> {
  const schema = db.schemaName();
  const target = await db.target(schema);
  await target.ensureSchema([parent, child], { create: true });
  await target.beginRun({ runId: 'r1', contractDigest: 'd', startedAt: '2024-01-01T00:00:00Z', status: 'running' });
  return { target, schema };
}

describe('PostgreSQL target schema', () => {
  it('creates the schema and typed columns with a primary key but no foreign key constraints', async () => {
    const { target, schema } = await fresh();
    try {
      const cols = await db.admin.query(
        `SELECT column_name, format_type(atttypid, atttypmod) AS t, attnotnull FROM information_schema.columns c
           JOIN pg_attribute a ON a.attrelid = format('%I.%I', table_schema, table_name)::regclass AND a.attname = c.column_name
          WHERE table_schema = $1 AND table_name = 'patient' ORDER BY ordinal_position`,
        [schema],
      );
      expect(cols.rows.map((r) => [r.column_name, r.t, r.attnotnull])).toEqual([
        ['id', 'bigint', true],
        ['nhs_number', 'character varying(10)', true],
        ['weight', 'numeric(5,1)', false],
        ['score', 'numeric', false],
        ['seen_at', 'timestamp without time zone', false],
        ['photo', 'bytea', false],
      ]);
      const constraints = await db.admin.query(`SELECT contype FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace WHERE n.nspname = $1 AND contype = 'f'`, [schema]);
      expect(constraints.rowCount).toBe(0);
      // The child loads even though its parent row was never loaded (it could have been quarantined).
      await target.commit(unit(child, 'append', [['1', '999']], 1));
      expect(await db.rows(schema, 'episode', ['id'])).toEqual([['1', '999']]);
    } finally {
      await target.close();
    }
  });

  it('lists every missing table and column instead of creating them when create is off', async () => {
    const { target } = await fresh();
    try {
      const wider = { ...parent, columns: [...parent.columns, { name: 'postcode', type: 'text' as const, nullable: true }] };
      const missing = { ...child, name: 'referral' };
      const error = await target.ensureSchema([wider, missing], { create: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FerryError);
      expect((error as FerryError).issues.map((i) => i.code)).toEqual(['target.column_missing', 'target.table_missing']);
    } finally {
      await target.close();
    }
  });
});

describe('PostgreSQL target commits', () => {
  it('keeps the last occurrence of a key repeated within the first upsert batch, and re-committing changes nothing', async () => {
    const { target, schema } = await fresh();
    try {
      const rows: Value[][] = [
        ['7', '9990000007', '70.0', null, null, null],
        ['8', '9990000008', null, null, null, null],
        ['007', '9990000070', '71.5', '3.14159', null, null],
      ];
      await target.commit(unit(parent, 'upsert', rows, 3));
      await target.commit(unit(parent, 'upsert', rows, 3));
      expect(await db.rows(schema, 'patient', ['id'])).toEqual([
        ['7', '9990000070', '71.5', '3.14159', null, null],
        ['8', '9990000008', null, null, null, null],
      ]);
    } finally {
      await target.close();
    }
  });

  it('stores zoned timestamps as UTC wall-clock time', async () => {
    const { target, schema } = await fresh();
    try {
      await target.commit(
        unit(
          parent,
          'append',
          [
            [1, '9990000011', null, null, '2024-06-01T12:00:00.5+01:00', null],
            [2, '9990000022', null, null, '2024-06-01T12:00:00', null],
          ],
          2,
        ),
      );
      expect((await db.rows(schema, 'patient', ['id'])).map((r) => r[4])).toEqual(['2024-06-01 11:00:00.5', '2024-06-01 12:00:00']);
    } finally {
      await target.close();
    }
  });

  it('rolls back the whole unit and never echoes the offending value in the error', async () => {
    const { target, schema } = await fresh();
    try {
      await target.commit(unit(parent, 'append', [[1, '9990000011', null, null, null, null]], 1));
      const bad = unit(
        parent,
        'upsert',
        [
          [2, '9990000022', null, null, null, null],
          [3, 'SECRET-NHS-0000', null, null, null, null],
        ],
        3,
      );
      bad.quarantine = [{ runId: 'r1', sourceTable: 'p', sourceKey: '9', targetTable: 'patient', rule: 'r', reasonCode: 'c', message: 'm' }];
      const error = await target.commit(bad).catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'run', code: 'target.commit_failed' });
      expect((error as Error).message).toMatch(/patient.*rolled back.*value too long.*22001/);
      expect((error as Error).message).not.toContain('SECRET');
      expect(await db.rows(schema, 'patient', ['id'])).toHaveLength(1);
      expect((await target.checkpoints('r1')).map((c) => c.offset)).toEqual([1]);
      for await (const q of target.quarantine('r1')) expect.unreachable(`unexpected quarantine record ${q.sourceKey}`);
    } finally {
      await target.close();
    }
  });

  it('leaves no trace of a batch whose server connection dies mid-COPY, and keeps working', async () => {
    const { target, schema } = await fresh();
    try {
      const rows: Value[][] = Array.from({ length: 400_000 }, (_, i) => [i, String(9990000000 + i), '1.5', null, '2024-01-01T00:00:00', null]);
      const committing = target.commit(unit(parent, 'append', rows, rows.length)).catch((e: unknown) => e);
      let killed = false;
      for (let i = 0; i < 400 && !killed; i++) {
        const res = await db.admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE 'COPY%'",
        );
        killed = (res.rowCount ?? 0) > 0;
        if (!killed) await new Promise((r) => setTimeout(r, 5));
      }
      expect(killed).toBe(true);
      expect(await committing).toMatchObject({ kind: 'run', code: 'target.commit_failed' });
      expect(await db.rows(schema, 'patient', [])).toEqual([]);
      expect(await target.checkpoints('r1')).toEqual([]);
      await target.commit(unit(parent, 'append', rows.slice(0, 10), 10));
      expect(await db.rows(schema, 'patient', [])).toHaveLength(10);
    } finally {
      await target.close();
    }
  });

  it('rejects an encoded batch the server refuses as a whole, with the reason, and takes the next one', async () => {
    const { target, schema } = await fresh();
    try {
      const encoder = (await target.batchEncoder!({ runId: 'r1', table: parent, mode: 'append', sourceTable: 'p', undo: false, lineage: false }))!;
      const batch = (ids: number[], offset: number): CommitUnit => {
        for (const i of ids) encoder.row([i, String(9990000000 + i), null, null, null, null]);
        return { ...unit(parent, 'append', [], offset), encoded: encoder.take() };
      };
      // Enough rows that the server fails while data is still arriving.
      await target.commit(
        batch(
          Array.from({ length: 50_000 }, (_, i) => i),
          50_000,
        ),
      );
      const error = await target
        .commit(
          batch(
            Array.from({ length: 50_000 }, (_, i) => 60_000 - i),
            100_000,
          ),
        )
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'run', code: 'target.commit_failed' });
      expect((error as Error).message).toMatch(/rolled back.*duplicate key.*23505/);
      expect((await target.checkpoints('r1')).map((c) => c.offset)).toEqual([50_000]);
      await target.commit(batch([70_000, 70_001], 100_002));
      expect(await db.rows(schema, 'patient', [])).toHaveLength(50_002);
    } finally {
      await target.close();
    }
  });

  it('moves 20,000 rows with awkward text and binary in one commit unchanged', async () => {
    const { target, schema } = await fresh();
    try {
      const rows: Value[][] = Array.from({ length: 20_000 }, (_, i) => [i, String(9990000000 + i), null, i % 3 ? `${i}.25` : null, null, i % 2 ? Buffer.from(`\\\t\n${i}`) : null]);
      await target.commit(unit(parent, 'append', rows, rows.length));
      const back = await db.rows(schema, 'patient', ['id']);
      expect(back).toHaveLength(20_000);
      expect(back[12_347]).toEqual(['12347', '9990012347', null, '12347.25', null, Buffer.from('\\\t\n12347')]);
    } finally {
      await target.close();
    }
  });
});
