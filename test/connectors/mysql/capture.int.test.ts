import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowChange, SchemaChange } from '../../../src/connectors/capture.js';
import type { Slice, Value } from '../../../src/connectors/connector.js';
import { openCapture, openSource } from '../../../src/connectors/registry.js';
import { createMysqlDatabase } from '../../helpers/databases.js';
import { captureDb, rowKeys, take, type CaptureDb } from './capture-harness.js';

let c: CaptureDb;

beforeAll(async () => {
  c = await captureDb();
  await c.sql.query('CREATE TABLE ward (id INT PRIMARY KEY, name VARCHAR(40)) ENGINE=InnoDB');
  await c.sql.query('CREATE TABLE loose (n INT) ENGINE=InnoDB');
  await c.sql.query(`CREATE TABLE everything (
    id BIGINT UNSIGNED PRIMARY KEY, big BIGINT, small TINYINT, flag TINYINT(1), bits BIT(10), amount DECIMAL(20,4), ratio DOUBLE, approx FLOAT,
    born DATE, seen DATETIME(3), stamp TIMESTAMP(6) NULL, photo BLOB, raw VARBINARY(8), fixed BINARY(4), note TEXT, label VARCHAR(30),
    doc JSON, kind ENUM('in','out'), tags SET('a','b'), yr YEAR, dur TIME) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
}, 60_000);

afterAll(async () => {
  await c?.close();
});

async function all(slices: AsyncIterable<Slice>): Promise<Value[][]> {
  const rows: Value[][] = [];
  for await (const s of slices) rows.push(...s.rows);
  return rows;
}

describe('MySQL capture preflight', () => {
  it('reports the shared server without a binlog', async () => {
    const shared = await createMysqlDatabase('ferry_cap');
    const capture = await openCapture(shared.url);
    try {
      const findings = await capture.preflight([]);
      expect(findings.map((f) => f.code)).toContain('sync.binlog_off');
    } finally {
      await capture.close();
      await shared.drop();
    }
  });

  it('is clean on a binlog server for keyed tables, and names a table without a key or missing', async () => {
    expect(await c.capture.preflight(['ward', 'everything'])).toEqual([]);
    const findings = await c.capture.preflight(['ward', 'loose', 'nowhere']);
    expect(findings.map((f) => [f.code, f.table])).toEqual([
      ['sync.no_primary_key', 'loose'],
      ['sync.table_missing', 'nowhere'],
    ]);
  });

  it('names the missing replication privileges of an account without them', async () => {
    await c.sql.query("CREATE USER 'reader'@'127.0.0.1'");
    await c.sql.query(`GRANT SELECT ON ${c.db}.* TO 'reader'@'127.0.0.1'`);
    const capture = await openCapture(c.url.replace('root@', 'reader@'));
    try {
      const findings = await capture.preflight(['ward']);
      expect(findings.map((f) => f.code)).toEqual(['sync.no_replication_privilege']);
      expect(findings[0].message).toMatch(/REPLICATION SLAVE and BINLOG MONITOR/);
    } finally {
      await capture.close();
    }
  });
});

describe('MySQL capture snapshot and stream', () => {
  it('snapshot reads exactly the rows before its position; later changes arrive through the stream in order', async () => {
    await c.sql.query('INSERT INTO ward VALUES (1, "one"), (2, "two"), (3, "three")');
    const start = await c.capture.begin('s1', ['ward']);
    // Committed after the snapshot: must be invisible to it and streamed from its position.
    await c.sql.query('INSERT INTO ward VALUES (4, "four")');
    await c.sql.query('UPDATE ward SET name = "TWO" WHERE id = 2');
    await c.sql.query('DELETE FROM ward WHERE id = 1');
    const snap = await start.openSnapshot();
    try {
      // Overlapping reads take turns on the one snapshot connection.
      const [a, b] = await Promise.all([all(snap.read('ward', { orderBy: ['id'], sliceRows: 1 })), all(snap.read('ward', { orderBy: ['id'], sliceRows: 2 }))]);
      expect(a).toEqual([
        ['1', 'one'],
        ['2', 'two'],
        ['3', 'three'],
      ]);
      expect(b).toEqual(a);
      expect(await snap.count('ward')).toBe(3);
      // An abandoned read leaves the connection usable for the next one.
      for await (const s of snap.read('ward', { orderBy: ['id'], sliceRows: 1 })) {
        expect(s.rows).toHaveLength(1);
        break;
      }
      expect(await snap.count('ward')).toBe(3);
    } finally {
      await snap.close();
      await start.release();
    }
    const txns = await take(await c.capture.stream('s1', ['ward'], start.position), 3);
    expect(rowKeys(txns)).toEqual([
      ['insert', 'ward', '4'],
      ['update', 'ward', '2'],
      ['delete', 'ward', '1'],
    ]);
    expect(txns[0].changes[0]).toEqual({
      kind: 'schema',
      table: 'ward',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'name', type: 'text' },
      ],
    });
    const update = txns[1].changes.find((x) => x.kind === 'update') as RowChange;
    expect(update).toMatchObject({ columns: ['id', 'name'], old: ['2', 'two'], row: ['2', 'TWO'] });
    const del = txns[2].changes.find((x) => x.kind === 'delete') as RowChange;
    expect(del.old).toEqual(['1', 'one']);
    expect(del.row).toBeUndefined();
    for (let i = 1; i < txns.length; i++) expect(c.capture.comparePositions(txns[i - 1].position, txns[i].position)).toBeLessThan(0);
    expect(c.capture.comparePositions(start.position, txns[0].position)).toBeLessThan(0);
    expect(txns[0].committedAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('begun while another session commits, the snapshot and the stream split its rows exactly (no gap, no overlap)', async () => {
    await c.sql.query('CREATE TABLE flow (id INT PRIMARY KEY) ENGINE=InnoDB');
    const writer = await c.server.admin();
    await writer.query(`USE ${c.db}`);
    const total = 300;
    let written = 0;
    const writing = (async () => {
      for (let id = 1; id <= total; id++) {
        await writer.query('INSERT INTO flow VALUES (?)', [id]);
        written = id;
      }
    })();
    while (written < 50) await new Promise((r) => setTimeout(r, 5));
    const start = await c.capture.begin('flow', ['flow']);
    await writing;
    await writer.end();
    const snap = await start.openSnapshot();
    let before: number[];
    try {
      before = (await all(snap.read('flow', { orderBy: ['id'], sliceRows: 1000 }))).map((r) => Number(r[0]));
      expect(await snap.keyBounds!('flow', 'id', 2)).toHaveLength(1);
    } finally {
      await snap.close();
      await start.release();
    }
    expect(before.length).toBeGreaterThanOrEqual(50);
    expect(before.length).toBeLessThan(total);
    const streamed = rowKeys(await take(await c.capture.stream('flow', ['flow'], start.position), total - before.length)).map((k) => Number(k[2]));
    expect([...before, ...streamed]).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });

  it('decodes a truncate, and streams a 10,000-row transaction as one transaction', async () => {
    const { position } = await headOf(c);
    await c.sql.query('TRUNCATE TABLE ward');
    await c.sql.query('INSERT INTO ward SELECT seq, CONCAT("w", seq) FROM seq_1_to_10000');
    const txns = await take(await c.capture.stream('s2', ['ward'], position), 2);
    expect(txns[0].changes).toEqual([{ kind: 'truncate', tables: ['ward'] }]);
    const rows = txns[1].changes.filter((x) => x.kind === 'insert') as RowChange[];
    expect(rows).toHaveLength(10_000);
    expect(rows[9_999].row).toEqual(['10000', 'w10000']);
  });

  it('yields every logical type exactly as MysqlSource.read does', async () => {
    const { position } = await headOf(c);
    await c.sql.query(`INSERT INTO everything VALUES
      (18446744073709551615, -9007199254740993, -128, 1, b'1010101010', -0.5000, 0.1, 3.14159265, '2024-02-29', '2024-01-02 03:04:05.678',
       '2024-06-01 12:00:00.123456', x'00ff0a', x'0102', x'01', 'tab\\there é 😀', 'label', '{"a": 12345678901234567890}', 'out', 'a,b', 2024, '-12:00:01'),
      (9007199254740993, 9223372036854775807, 127, 0, b'0', 123456789012345.6789, -1.5e300, 1e20, '1970-01-01', '9999-12-31 23:59:59.999',
       '1970-01-01 00:00:01', x'', x'', x'ffffffff', '', '', '[]', 'in', '', 1901, '838:59:59'),
      (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
    const source = await openSource(c.url);
    let read: Value[][];
    try {
      read = await all(source.read('everything', { orderBy: ['id'], sliceRows: 10 }));
    } finally {
      await source.close();
    }
    const [txn] = await take(await c.capture.stream('s3', ['everything'], position), 1);
    const schema = txn.changes[0] as SchemaChange;
    const streamed = (txn.changes.filter((x) => x.kind === 'insert') as RowChange[]).map((r) => r.row!).sort((a, b) => (BigInt(a[0] as string) < BigInt(b[0] as string) ? -1 : 1));
    expect(streamed).toEqual(read);
    expect(read[2][0]).toBe('18446744073709551615');
    expect(read[0].slice(1, 4)).toEqual([null, null, null]);
    expect(streamed[2][11]).toBeInstanceOf(Buffer);
    const introspected = (await introspectOf(c.url)).find((t) => t.name === 'everything')!;
    expect(schema.columns).toEqual(introspected.columns.map((col) => ({ name: col.name, type: col.type })));
    expect(schema.columns.find((col) => col.name === 'flag')!.type).toBe('boolean');
  });

  it('reports lag as the binlog bytes between a position and the head', async () => {
    const { position } = await headOf(c);
    expect(await c.capture.lag('s4', position)).toEqual({ head: position, bytes: 0 });
    await c.sql.query('INSERT INTO ward VALUES (20001, "x")');
    const lag = await c.capture.lag('s4', position);
    expect(c.capture.comparePositions(lag.head, position)).toBeGreaterThan(0);
    expect(lag.bytes).toBe(Number(lag.head.split(':')[1]) - Number(position.split(':')[1]));
  });
});

async function headOf(db: CaptureDb): Promise<{ position: string }> {
  const [rows] = await db.sql.query('SHOW MASTER STATUS');
  const r = (rows as Array<{ File: string; Position: number }>)[0];
  return { position: `${r.File}:${r.Position}` };
}

async function introspectOf(url: string) {
  const source = await openSource(url);
  try {
    return (await source.introspect()).tables;
  } finally {
    await source.close();
  }
}
