import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Slice, Source } from '../../../src/connectors/connector.js';
import { FerryError } from '../../../src/errors.js';
import { mysqlTestDb, type MysqlTestDb } from './harness.js';

let db: MysqlTestDb;

beforeAll(async () => {
  db = await mysqlTestDb();
  const q = (sql: string) => db.admin.query(sql);
  await q('CREATE TABLE ward (code VARCHAR(8) PRIMARY KEY, name TEXT) ENGINE=InnoDB');
  await q(`CREATE TABLE patient (
    id BIGINT PRIMARY KEY, nhs CHAR(10) NOT NULL, age TINYINT, beds INT UNSIGNED, alive TINYINT(1), flags BIT(8),
    weight DECIMAL(5,1), ratio DOUBLE, born DATE, seen DATETIME(3), stamp TIMESTAMP NULL, photo BLOB, raw VARBINARY(16),
    note LONGTEXT, doc JSON, kind ENUM('in','out'), ward_code VARCHAR(8),
    FOREIGN KEY (ward_code) REFERENCES ward(code)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
  await q('CREATE TABLE stay (patient_id BIGINT NOT NULL, seq INT NOT NULL, PRIMARY KEY (patient_id, seq)) ENGINE=InnoDB');
  await q('CREATE TABLE _ferry_runs (run_id VARCHAR(10))');
  await q('CREATE TABLE audit_log (n INT) ENGINE=InnoDB');
  await q('CREATE FUNCTION sneaky_write() RETURNS INT MODIFIES SQL DATA BEGIN INSERT INTO audit_log VALUES (1); RETURN 1; END');
  await q('CREATE VIEW writes_when_read AS SELECT sneaky_write() AS n');
  // Views cannot name system variables, but a function they call can.
  await q('CREATE FUNCTION session_read_only() RETURNS INT READS SQL DATA RETURN @@session.tx_read_only');
  await q('CREATE VIEW read_only_probe AS SELECT session_read_only() AS ro');
  await q("INSERT INTO ward VALUES ('W1', 'Ward 1')");
  await q(`INSERT INTO patient VALUES
    (1, '9990000011', -5, 4000000000, 1, b'00000101', 72.5, 0.1, '2024-01-31', '2024-03-01 09:30:00.125', '2024-06-01 11:00:00',
     X'00ff0a', X'0102', 'tab\\there\\nnew line \\\\ é 😀', '{"a": 1}', 'in', 'W1'),
    (2, '9990000022', NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '', NULL, NULL, NULL)`);
  await q('INSERT INTO stay SELECT 1, seq FROM (SELECT @n := @n + 1 AS seq FROM information_schema.COLUMNS a, information_schema.COLUMNS b, (SELECT @n := 0) z LIMIT 25000) s');
});

afterAll(async () => {
  await db.drop();
});

async function all(it: AsyncIterable<Slice>): Promise<Slice[]> {
  const out: Slice[] = [];
  for await (const b of it) out.push(b);
  return out;
}

async function withSource(fn: (s: Source) => Promise<void>): Promise<void> {
  const source = await db.source();
  try {
    await fn(source);
  } finally {
    await source.close();
  }
}

describe('MySQL source introspection', () => {
  it('maps native types to logical types, TINYINT(1) to boolean and blobs to binary', () =>
    withSource(async (source) => {
      const schema = await source.introspect();
      expect(schema.tables.map((t) => t.name).sort()).toEqual(['audit_log', 'patient', 'read_only_probe', 'stay', 'ward']);
      const t = schema.tables.find((x) => x.name === 'patient')!;
      expect(t.columns.map((c) => [c.name, c.type, c.nullable])).toEqual([
        ['id', 'integer', false],
        ['nhs', 'text', false],
        ['age', 'integer', true],
        ['beds', 'integer', true],
        ['alive', 'boolean', true],
        ['flags', 'integer', true],
        ['weight', 'decimal', true],
        ['ratio', 'decimal', true],
        ['born', 'date', true],
        ['seen', 'timestamp', true],
        ['stamp', 'timestamp', true],
        ['photo', 'binary', true],
        ['raw', 'binary', true],
        ['note', 'text', true],
        ['doc', 'text', true],
        ['kind', 'text', true],
        ['ward_code', 'text', true],
      ]);
      expect(t.columns.find((c) => c.name === 'weight')?.nativeType).toBe('decimal(5,1)');
      expect(t.foreignKeys).toEqual([{ columns: ['ward_code'], references: { table: 'ward', columns: ['code'] } }]);
      expect(schema.tables.find((x) => x.name === 'stay')?.primaryKey).toEqual(['patient_id', 'seq']);
    }));
});

describe('MySQL source reads', () => {
  it('returns text forms of every type and Buffers for binary columns', () =>
    withSource(async (source) => {
      const [batch] = await all(source.read('patient', { orderBy: ['id'], sliceRows: 10 }));
      const doc = batch.rows[0][14] as string;
      expect(JSON.parse(doc)).toEqual({ a: 1 });
      expect([...batch.rows[0].slice(0, 14), ...batch.rows[0].slice(15)]).toEqual([
        '1',
        '9990000011',
        '-5',
        '4000000000',
        '1',
        '5',
        '72.5',
        '0.1',
        '2024-01-31',
        '2024-03-01 09:30:00.125',
        '2024-06-01 11:00:00',
        Buffer.from([0, 255, 10]),
        Buffer.from([1, 2]),
        'tab\there\nnew line \\ é 😀',
        'in',
        'W1',
      ]);
      expect(batch.rows[1]).toEqual(['2', '9990000022', null, null, '0', null, null, null, null, null, null, null, null, '', null, null, null]);
    }));

  it('streams a large table in exact batches from the requested offset', () =>
    withSource(async (source) => {
      const batches = await all(source.read('stay', { columns: ['seq'], orderBy: ['patient_id', 'seq'], skip: 3, sliceRows: 1000 }));
      expect(batches.map((b) => b.rows.length)).toEqual([...Array(24).fill(1000), 997]);
      expect(batches[0].rows[0]).toEqual(['4']);
      expect(batches[24].rows.at(-1)).toEqual(['25000']);
    }));

  it('reads in a read-only session, so even a view calling a writing function cannot write', async () => {
    await withSource(async (source) => {
      const [probe] = await all(source.read('read_only_probe', { sliceRows: 10 }));
      expect(probe.rows).toEqual([['1']]);
      // MariaDB hides a view whose function would write from a read-only session altogether.
      await expect(all(source.read('writes_when_read', { sliceRows: 10 }))).rejects.toBeInstanceOf(FerryError);
    });
    const [rows] = await db.admin.query('SELECT COUNT(*) AS n FROM audit_log');
    expect(Number((rows as Array<{ n: number }>)[0].n)).toBe(0);
  });

  it('does not see rows committed after it opened', () =>
    withSource(async (source) => {
      await db.admin.query("INSERT INTO ward VALUES ('W2', 'Ward 2')");
      try {
        expect(await source.count('ward')).toBe(1);
        const [batch] = await all(source.read('ward', { sliceRows: 10 }));
        expect(batch.rows).toEqual([['W1', 'Ward 1']]);
      } finally {
        await db.admin.query("DELETE FROM ward WHERE code = 'W2'");
      }
    }));

  it('reads again after a consumer stops early', () =>
    withSource(async (source) => {
      for await (const batch of source.read('stay', { orderBy: ['seq'], sliceRows: 10 })) {
        expect(batch.rows).toHaveLength(10);
        break;
      }
      const batches = await all(source.read('stay', { columns: ['seq'], orderBy: ['seq'], skip: 24_990, sliceRows: 4 }));
      expect(batches.map((b) => b.rows.length)).toEqual([4, 4, 2]);
    }));
});

describe('MySQL source lifecycle', () => {
  it('closes promptly while an abandoned read is paused mid-table', async () => {
    const source = await db.source();
    const reading = source.read('stay', { orderBy: ['seq'], sliceRows: 100 })[Symbol.asyncIterator]();
    expect((await reading.next()).value?.rows).toHaveLength(100);
    const started = Date.now();
    await source.close();
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('MySQL source connection', () => {
  it('reports an unreachable server with host, port and database but never the password', async () => {
    const { parseConnectorUrl } = await import('../../../src/connectors/url.js');
    const { openSource } = await import('../../../src/connectors/mysql/index.js');
    const error = await openSource(parseConnectorUrl('mysql://ferry@127.0.0.1:1/legacy_pas?password_env=PW', { PW: 'hunter2-secret' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'connection', code: 'connector.connect_failed' });
    expect((error as Error).message).toContain('127.0.0.1:1/legacy_pas');
    expect((error as Error).message).not.toContain('hunter2');
  });
});
