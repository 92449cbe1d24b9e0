import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowChange, SourceTransaction } from '../../../src/connectors/capture.js';
import { MysqlCapture } from '../../../src/connectors/mysql/capture/capture.js';
import { mysqlConfig } from '../../../src/connectors/mysql/config.js';
import { parseConnectorUrl } from '../../../src/connectors/url.js';
import { FerryError } from '../../../src/errors.js';
import { captureDb, rowKeys, take, type CaptureDb } from './capture-harness.js';

let c: CaptureDb;

beforeAll(async () => {
  c = await captureDb();
  await c.sql.query('CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB');
  await c.sql.query('CREATE TABLE u (id INT PRIMARY KEY) ENGINE=InnoDB');
  await c.sql.query('CREATE TABLE other (id INT PRIMARY KEY) ENGINE=InnoDB');
}, 60_000);

afterAll(async () => {
  await c?.close();
});

async function head(): Promise<string> {
  const [rows] = await c.sql.query('SHOW MASTER STATUS');
  const r = (rows as Array<{ File: string; Position: number }>)[0];
  return `${r.File}:${r.Position}`;
}

/** Inserts ids one transaction each into t. */
async function inserts(ids: number[]): Promise<void> {
  for (const id of ids) await c.sql.query('INSERT INTO t VALUES (?, ?)', [id, `v${id}`]);
}

const ids = (txns: SourceTransaction[]): unknown[] => rowKeys(txns).map((k) => k[2]);

async function failure(p: Promise<unknown>): Promise<FerryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FerryError);
  return err as FerryError;
}

describe('MySQL capture restart positions', () => {
  it('a stream started from transaction k’s position yields exactly k+1… (no loss, no duplicate)', async () => {
    const from = await head();
    await inserts([1, 2, 3, 4, 5, 6]);
    const first = await take(await c.capture.stream('r', ['t'], from), 3);
    expect(ids(first)).toEqual(['1', '2', '3']);
    const rest = await take(await c.capture.stream('r', ['t'], first[2].position), 3);
    expect(ids(rest)).toEqual(['4', '5', '6']);
    const whole = await take(await c.capture.stream('r', ['t'], from), 6);
    expect(whole.map((t) => t.position)).toEqual([...first, ...rest].map((t) => t.position));
    // From the last position there is nothing yet; the next commit is the first transaction.
    const stream = await c.capture.stream('r', ['t'], rest[2].position);
    await inserts([7]);
    expect(ids(await take(stream, 1))).toEqual(['7']);
  });

  it('resumes across a binlog rotation between k and k+1, also from the old file’s very end', async () => {
    const from = await head();
    await inserts([10]);
    await c.sql.query('FLUSH BINARY LOGS');
    const [logs] = await c.sql.query('SHOW BINARY LOGS');
    const list = logs as Array<{ Log_name: string; File_size: number }>;
    const old = list[list.length - 2];
    await inserts([11, 12]);
    const [k, k1, k2] = await take(await c.capture.stream('r', ['t'], from), 3);
    expect(ids([k, k1, k2])).toEqual(['10', '11', '12']);
    expect(k.position.split(':')[0]).toBe(old.Log_name);
    expect(k1.position.split(':')[0]).toBe(list[list.length - 1].Log_name);
    expect(c.capture.comparePositions(k.position, k1.position)).toBeLessThan(0);
    expect(ids(await take(await c.capture.stream('r', ['t'], k.position), 2))).toEqual(['11', '12']);
    expect(ids(await take(await c.capture.stream('r', ['t'], `${old.Log_name}:${old.File_size}`), 2))).toEqual(['11', '12']);
    const lag = await c.capture.lag('r', k.position);
    expect(lag.bytes).toBeGreaterThan(0);
  });

  it('streams from the snapshot position itself exactly the transactions the snapshot does not hold', async () => {
    await inserts([20]);
    const start = await c.capture.begin('snap', ['t']);
    await inserts([21]);
    const snap = await start.openSnapshot();
    const seen: unknown[] = [];
    for await (const s of snap.read('t', { orderBy: ['id'], sliceRows: 100 })) seen.push(...s.rows.map((r) => r[0]));
    await snap.close();
    await start.release();
    expect(seen).toContain('20');
    expect(seen).not.toContain('21');
    expect(ids(await take(await c.capture.stream('snap', ['t'], start.position), 1))).toEqual(['21']);
  });

  it('refuses a purged position, one beyond the head, and text that is no binlog position', async () => {
    const old = await head();
    await inserts([30]);
    await c.sql.query('FLUSH BINARY LOGS');
    const [logs] = await c.sql.query('SHOW BINARY LOGS');
    const list = logs as Array<{ Log_name: string }>;
    // MariaDB keeps a file until its binlog checkpoint (InnoDB made its commits durable), which
    // follows the rotation shortly: purge until the old file is gone.
    const newest = list[list.length - 1].Log_name;
    for (let i = 0; i < 100; i++) {
      await c.sql.query(`PURGE BINARY LOGS TO '${newest}'`);
      const [left] = await c.sql.query('SHOW BINARY LOGS');
      if ((left as unknown[]).length === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await failure(c.capture.stream('r', ['t'], old))).code).toBe('sync.position_lost');
    expect((await c.capture.lag('r', old)).bytes).toBeNull();
    const [file] = (await head()).split(':');
    expect((await failure(c.capture.stream('r', ['t'], `${file}:99999999`))).code).toBe('sync.position_ahead');
    expect((await failure(c.capture.stream('r', ['t'], `${file.replace(/\d+$/, (n) => String(Number(n) + 1).padStart(n.length, '0'))}:4`))).code).toBe('sync.position_ahead');
    expect((await failure(c.capture.stream('r', ['t'], '0/16B3748'))).code).toBe('sync.bad_position');
  });
});

describe('MySQL capture transactions and DDL', () => {
  it('groups a transaction over several tables, and skips the ones touching no captured table', async () => {
    const from = await head();
    await c.sql.query('INSERT INTO other VALUES (1)');
    await c.sql.query('BEGIN');
    await c.sql.query('INSERT INTO t VALUES (40, "a")');
    await c.sql.query('INSERT INTO other VALUES (2)');
    await c.sql.query('INSERT INTO u VALUES (40)');
    await c.sql.query('UPDATE t SET v = "b" WHERE id = 40');
    await c.sql.query('COMMIT');
    const [txn] = await take(await c.capture.stream('g', ['t', 'u'], from), 1);
    expect(rowKeys([txn])).toEqual([
      ['insert', 't', '40'],
      ['insert', 'u', '40'],
      ['update', 't', '40'],
    ]);
    expect(txn.changes.filter((x) => x.kind === 'schema').map((x) => (x as { table: string }).table)).toEqual(['t', 'u']);
    // With advanceEveryMs 0 a skipped transaction is yielded without changes, carrying its position.
    const eager = new MysqlCapture(mysqlConfig(parseConnectorUrl(c.url)), { advanceEveryMs: 0 });
    try {
      const txns = await take(await eager.stream('g', ['u'], from), 2);
      expect(txns[0].changes).toEqual([]);
      expect(rowKeys([txns[1]])).toEqual([['insert', 'u', '40']]);
    } finally {
      await eager.close();
    }
  });

  it('holds back the binlog for a slow consumer and still yields every transaction in order', async () => {
    const from = await head();
    await inserts(Array.from({ length: 40 }, (_, i) => 100 + i));
    const slow = new MysqlCapture(mysqlConfig(parseConnectorUrl(c.url)), { maxPending: 2 });
    try {
      const stream = await slow.stream('b', ['t'], from);
      const got: SourceTransaction[] = [];
      for await (const txn of stream) {
        got.push(txn);
        await stream.acknowledge(txn.position);
        await new Promise((r) => setTimeout(r, 5));
        if (got.length === 40) break;
      }
      expect(ids(got)).toEqual(Array.from({ length: 40 }, (_, i) => String(100 + i)));
    } finally {
      await slow.close();
    }
  });

  it('tells an ALTER TABLE as a SchemaChange, then decodes rows in the new shape', async () => {
    const from = await head();
    await inserts([50]);
    await c.sql.query('ALTER TABLE t ADD COLUMN n INT NULL');
    await c.sql.query('INSERT INTO t VALUES (51, "x", 7)');
    await c.sql.query('CREATE INDEX t_v ON t (v)');
    const txns = await take(await c.capture.stream('a', ['t'], from), 4);
    expect(txns[1].changes).toEqual([
      {
        kind: 'schema',
        table: 't',
        columns: [
          { name: 'id', type: 'integer' },
          { name: 'v', type: 'text' },
          { name: 'n', type: 'integer' },
        ],
      },
    ]);
    const row = txns[2].changes.find((x) => x.kind === 'insert') as RowChange;
    expect(row).toMatchObject({ columns: ['id', 'v', 'n'], row: ['51', 'x', '7'] });
    // Same shape as already told: no second SchemaChange before the row.
    expect(txns[2].changes.map((x) => x.kind)).toEqual(['insert']);
    // An index changes no column: the SchemaChange repeats the shape, which the sync accepts.
    expect(txns[3].changes).toEqual(txns[1].changes);
  });

  it('ends the stream with sync.source_ddl when a captured table is dropped, naming the table only', async () => {
    await c.sql.query('CREATE TABLE doomed (id INT PRIMARY KEY, secret VARCHAR(20) DEFAULT "patient-value")');
    const stream = await c.capture.stream('d', ['doomed'], await head());
    await c.sql.query('INSERT INTO doomed (id) VALUES (1)');
    await c.sql.query('DROP TABLE doomed');
    const got: SourceTransaction[] = [];
    const err = await failure(
      (async () => {
        for await (const txn of stream) got.push(txn);
      })(),
    );
    expect(got).toHaveLength(1);
    expect(err.code).toBe('sync.source_ddl');
    expect(err.message).toContain('doomed');
    expect(err.message).not.toContain('patient-value');
  });

  it('ends the stream with sync.stream_failed when the server ends the binlog connection, and recovers its control connection', async () => {
    const stream = await c.capture.stream('k', ['t'], await head());
    const failed = failure(
      (async () => {
        for await (const txn of stream) expect(txn).toBeUndefined();
      })(),
    );
    await new Promise((r) => setTimeout(r, 300));
    const processes = async (): Promise<Array<{ Id: number; Command: string }>> => (await c.sql.query('SHOW PROCESSLIST'))[0] as Array<{ Id: number; Command: string }>;
    const dumps = (await processes()).filter((x) => x.Command.startsWith('Binlog Dump'));
    expect(dumps).toHaveLength(1);
    await c.sql.query(`KILL ${dumps[0].Id}`);
    expect((await failed).code).toBe('sync.stream_failed');
    // The capture's own connection, killed too, is reopened on the next call.
    for (const x of await processes()) if (x.Command === 'Sleep' && x.Id !== c.sql.threadId) await c.sql.query(`KILL ${x.Id}`).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect((await c.capture.lag('k', await head())).bytes).toBe(0);
  });

  it('stop() ends the iteration; an aborted signal ends it with the abort reason', async () => {
    const from = await head();
    const stream = await c.capture.stream('s', ['t'], from);
    setTimeout(() => void stream.stop(), 200);
    const got: SourceTransaction[] = [];
    for await (const txn of stream) got.push(txn);
    expect(got).toEqual([]);
    const controller = new AbortController();
    const aborted = await c.capture.stream('s', ['t'], from, controller.signal);
    setTimeout(() => controller.abort(new Error('cancelled by test')), 200);
    await expect(
      (async () => {
        for await (const txn of aborted) got.push(txn);
      })(),
    ).rejects.toThrow('cancelled by test');
  });
});
