import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Slice, Source } from '../../../src/connectors/connector.js';
import { openSource } from '../../../src/connectors/postgres/index.js';
import { parseConnectorUrl } from '../../../src/connectors/url.js';
import { FerryError } from '../../../src/errors.js';
import { pgTestDb, type PgTestDb } from './harness.js';

let db: PgTestDb;
let schema: string;

beforeAll(async () => {
  db = await pgTestDb();
  schema = db.schemaName();
  await db.admin.query(`
    CREATE SCHEMA "${schema}";
    SET search_path = "${schema}";
    CREATE DOMAIN nhs_number AS text CHECK (VALUE ~ '^[0-9]{10}$');
    CREATE TABLE ward (code varchar(8) PRIMARY KEY, site varchar(8) NOT NULL, name text);
    CREATE TABLE "Patient" (
      id int8 PRIMARY KEY, nhs nhs_number NOT NULL, age int2, beds int4, weight numeric(5,1), ratio float8,
      born date, seen timestamp(3), seen_tz timestamptz, active bool, photo bytea, ref uuid, note varchar(35),
      ward_code varchar(8) REFERENCES ward(code));
    CREATE TABLE stay (patient_id int8 NOT NULL, seq int4 NOT NULL, ward varchar(8), PRIMARY KEY (patient_id, seq),
      FOREIGN KEY (patient_id) REFERENCES "Patient"(id));
    CREATE VIEW active_patient AS SELECT id, nhs FROM "Patient" WHERE active;
    CREATE TABLE _ferry_runs (run_id text);
    CREATE TABLE audit_log (n int);
    CREATE FUNCTION sneaky_write() RETURNS int LANGUAGE sql AS 'INSERT INTO "${schema}".audit_log VALUES (1) RETURNING n';
    CREATE VIEW writes_when_read AS SELECT sneaky_write() AS n;
    CREATE VIEW fails_midway AS SELECT g AS n, 1 / (20000 - g) AS r FROM generate_series(1, 30000) g;
    INSERT INTO ward VALUES ('W1', 'LGI', 'Ward 1');
    INSERT INTO "Patient" VALUES
      (1, '9990000011', 42, 7, 72.5, 0.1, '2024-01-31', '2024-03-01 09:30:00.125', '2024-06-01 12:00:00+01', true,
       '\\x00ff0a', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', E'tab\\there\\nnew line \\\\ é 😀', 'W1'),
      (2, '9990000022', NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, NULL, '', NULL);
    INSERT INTO stay SELECT 1, g, 'W1' FROM generate_series(1, 2500) g;
  `);
});

afterAll(async () => {
  await db.drop();
});

async function open(): Promise<Source> {
  return db.source(schema);
}

async function all(it: AsyncIterable<Slice>): Promise<Slice[]> {
  const out: Slice[] = [];
  for await (const b of it) out.push(b);
  return out;
}

describe('PostgreSQL source introspection', () => {
  it('maps native types to logical types, resolving domains, and keeps native names and nullability', async () => {
    const source = await open();
    try {
      const t = (await source.introspect()).tables.find((x) => x.name === 'Patient')!;
      expect(t.columns.map((c) => [c.name, c.type, c.nativeType, c.nullable])).toEqual([
        ['id', 'integer', 'bigint', false],
        ['nhs', 'text', 'nhs_number', false],
        ['age', 'integer', 'smallint', true],
        ['beds', 'integer', 'integer', true],
        ['weight', 'decimal', 'numeric(5,1)', true],
        ['ratio', 'decimal', 'double precision', true],
        ['born', 'date', 'date', true],
        ['seen', 'timestamp', 'timestamp(3) without time zone', true],
        ['seen_tz', 'timestamp', 'timestamp with time zone', true],
        ['active', 'boolean', 'boolean', true],
        ['photo', 'binary', 'bytea', true],
        ['ref', 'text', 'uuid', true],
        ['note', 'text', 'character varying(35)', true],
        ['ward_code', 'text', 'character varying(8)', true],
      ]);
      expect(t.primaryKey).toEqual(['id']);
      expect(t.foreignKeys).toEqual([{ columns: ['ward_code'], references: { table: 'ward', columns: ['code'] } }]);
    } finally {
      await source.close();
    }
  });

  it('lists views and composite keys but never _ferry_ tables', async () => {
    const source = await open();
    try {
      const schemaInfo = await source.introspect();
      expect(schemaInfo.tables.map((t) => t.name).sort()).toEqual(['Patient', 'active_patient', 'audit_log', 'fails_midway', 'stay', 'ward', 'writes_when_read']);
      expect(schemaInfo.tables.find((t) => t.name === 'stay')?.primaryKey).toEqual(['patient_id', 'seq']);
    } finally {
      await source.close();
    }
  });
});

describe('PostgreSQL source reads', () => {
  it('returns text forms of every type, Buffers for bytea and UTC for zoned timestamps', async () => {
    const source = await open();
    try {
      const [batch] = await all(source.read('Patient', { orderBy: ['id'], sliceRows: 10 }));
      expect(batch.rows[0]).toEqual([
        '1',
        '9990000011',
        '42',
        '7',
        '72.5',
        '0.1',
        '2024-01-31',
        '2024-03-01 09:30:00.125',
        '2024-06-01 11:00:00+00',
        't',
        Buffer.from([0, 255, 10]),
        'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
        'tab\there\nnew line \\ é 😀',
        'W1',
      ]);
      expect(batch.rows[1]).toEqual(['2', '9990000022', null, null, null, null, null, null, null, 'f', null, null, '', null]);
    } finally {
      await source.close();
    }
  });

  it('marks a batch clean only when none of its rows held a COPY escape', async () => {
    const source = await open();
    try {
      // Row 1 holds a tab, a newline and a backslash; row 2 nothing that needs escaping.
      expect((await all(source.read('Patient', { orderBy: ['id'], sliceRows: 1 }))).map((b) => b.clean)).toEqual([false, true]);
      expect((await all(source.read('Patient', { orderBy: ['id'], sliceRows: 10 }))).map((b) => b.clean)).toEqual([false]);
      expect((await all(source.read('Patient', { columns: ['id', 'nhs'], orderBy: ['id'], sliceRows: 10 }))).map((b) => b.clean)).toEqual([true]);
      const stays = await all(source.read('stay', { orderBy: ['patient_id', 'seq'], sliceRows: 300 }));
      expect(stays.every((b) => b.clean)).toBe(true);
    } finally {
      await source.close();
    }
  });

  it('matches table and column names case-insensitively when the match is unique', async () => {
    const source = await open();
    try {
      const [batch] = await all(source.read('patient', { columns: ['NHS'], orderBy: ['ID'], sliceRows: 10 }));
      expect(batch.columns).toEqual(['NHS']);
      expect(batch.rows).toEqual([['9990000011'], ['9990000022']]);
      expect(await source.count('PATIENT')).toBe(2);
    } finally {
      await source.close();
    }
  });

  it('refuses to write even when a view calls a function that writes', async () => {
    const source = await open();
    try {
      const error = await all(source.read('writes_when_read', { sliceRows: 10 })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FerryError);
      expect((error as FerryError).message).toMatch(/read-only transaction.*25006/);
      // The failed read must not poison the snapshot for the reads that follow.
      expect(await source.count('stay')).toBe(2500);
    } finally {
      await source.close();
    }
    expect((await db.admin.query(`SELECT count(*)::int AS n FROM "${schema}".audit_log`)).rows[0].n).toBe(0);
  });

  it('reports an error raised after thousands of rows have streamed, and reads on afterwards', async () => {
    const source = await open();
    try {
      let rows = 0;
      const error = await (async () => {
        for await (const batch of source.read('fails_midway', { sliceRows: 1000 })) rows += batch.rows.length;
      })().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'source.read_failed', message: expect.stringMatching(/division by zero/) });
      expect(rows).toBeGreaterThan(1000);
      expect(rows).toBeLessThan(20000);
      expect(await source.count('stay')).toBe(2500);
      const again = await all(source.read('stay', { columns: ['seq'], orderBy: ['seq'], skip: 2498, sliceRows: 10 }));
      expect(again.flatMap((b) => b.rows)).toEqual([['2499'], ['2500']]);
    } finally {
      await source.close();
    }
  });

  it('reads every table from the snapshot taken at open, even concurrently', async () => {
    const source = await open();
    try {
      await db.admin.query(`INSERT INTO "${schema}".stay SELECT 2, g, 'W1' FROM generate_series(1, 100) g`);
      expect(await source.count('stay')).toBe(2500);
      // Two reads interleaved batch by batch each need their own connection on the same snapshot.
      const a = source.read('stay', { orderBy: ['patient_id', 'seq'], sliceRows: 1000 })[Symbol.asyncIterator]();
      const b = source.read('stay', { columns: ['seq'], orderBy: ['patient_id', 'seq'], skip: 2000, sliceRows: 200 })[Symbol.asyncIterator]();
      let rowsA = 0;
      let rowsB = 0;
      for (;;) {
        const [x, y] = await Promise.all([a.next(), b.next()]);
        if (!x.done) rowsA += x.value.rows.length;
        if (!y.done) rowsB += y.value.rows.length;
        if (x.done && y.done) break;
      }
      expect([rowsA, rowsB]).toEqual([2500, 500]);
    } finally {
      await source.close();
      await db.admin.query(`DELETE FROM "${schema}".stay WHERE patient_id = 2`);
    }
  });

  it('can read again after a consumer stops early', async () => {
    const source = await open();
    try {
      for await (const batch of source.read('stay', { orderBy: ['seq'], sliceRows: 10 })) {
        expect(batch.rows).toHaveLength(10);
        break;
      }
      const batches = await all(source.read('stay', { columns: ['seq'], orderBy: ['seq'], skip: 2490, sliceRows: 4 }));
      expect(batches.map((b) => b.rows.length)).toEqual([4, 4, 2]);
      expect(batches[0].rows[0]).toEqual(['2491']);
    } finally {
      await source.close();
    }
  });
});

describe('PostgreSQL source lifecycle', () => {
  it('closes promptly while an abandoned read is paused mid-table', async () => {
    const source = await open();
    const reading = source.read('stay', { orderBy: ['seq'], sliceRows: 100 })[Symbol.asyncIterator]();
    expect((await reading.next()).value?.rows).toHaveLength(100);
    const started = Date.now();
    await source.close();
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('PostgreSQL source connection', () => {
  it('refuses unknown URL options and missing schemas with messages that say what to fix', async () => {
    await expect(openSource(parseConnectorUrl(`${db.url}?shema=x`, {}))).rejects.toMatchObject({ kind: 'usage', message: expect.stringMatching(/unknown option.*shema/) });
    await expect(openSource(parseConnectorUrl(`${db.url}?schema=no_such_schema`, {}))).rejects.toMatchObject({ kind: 'not_found', message: expect.stringMatching(/no_such_schema.*\?schema=/) });
  });

  it('reports an unreachable server with host, port and database but never the password', async () => {
    const url = parseConnectorUrl('postgres://ferry@127.0.0.1:1/legacy_pas?password_env=PW', { PW: 'hunter2-secret' });
    const error = await openSource(url).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'connection', code: 'connector.connect_failed' });
    expect((error as Error).message).toContain('127.0.0.1:1/legacy_pas');
    expect((error as Error).message).not.toContain('hunter2');
  });
});
