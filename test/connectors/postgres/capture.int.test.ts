import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeCapture, ChangeStream, RowChange, SchemaChange, SourceTransaction } from '../../../src/connectors/capture.js';
import type { Source, Value } from '../../../src/connectors/connector.js';
import { openCapture, openSource } from '../../../src/connectors/postgres/index.js';
import { slotName } from '../../../src/connectors/postgres/capture/names.js';
import { preflight } from '../../../src/connectors/postgres/capture/preflight.js';
import { parseConnectorUrl } from '../../../src/connectors/url.js';
import { FerryError } from '../../../src/errors.js';
import { startPrivatePg, type PrivatePg } from '../../helpers/private-pg.js';

let server: PrivatePg;
let admin: pg.Client;
let url: string;
let capture: ChangeCapture;
let serial = 0;

beforeAll(async () => {
  server = await startPrivatePg();
  const root = new pg.Client({ connectionString: server.url() });
  await root.connect();
  await root.query('CREATE DATABASE cap');
  await root.end();
  url = server.url('cap');
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
  capture = await openCapture(parseConnectorUrl(url));
});

afterAll(async () => {
  await capture?.close();
  await admin?.end();
  await server?.stop();
});

/** A fresh sync id, so every test owns its slot and publication. */
function syncId(): string {
  return `sync-20261207-111300-t${++serial}`;
}

/** The first `n` transactions of a stream, acknowledging the `ack`-th (1-based) as a sync would once applied; the loop's break stops the stream. */
async function take(stream: ChangeStream, n: number, ack?: number): Promise<SourceTransaction[]> {
  const out: SourceTransaction[] = [];
  if (n === 0) return out;
  for await (const tx of stream) {
    out.push(tx);
    if (out.length === ack) await stream.acknowledge(tx.position);
    if (out.length >= n) break;
  }
  return out;
}

function rows(tx: SourceTransaction): RowChange[] {
  return tx.changes.filter((c): c is RowChange => c.kind === 'insert' || c.kind === 'update' || c.kind === 'delete');
}

async function readAll(source: Source, table: string): Promise<Value[][]> {
  const out: Value[][] = [];
  for await (const slice of source.read(table, { sliceRows: 1000, orderBy: ['id'] })) out.push(...slice.rows);
  return out;
}

async function expectFerryError(p: Promise<unknown>, code: string): Promise<FerryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FerryError);
  expect((err as FerryError).code).toBe(code);
  return err as FerryError;
}

describe('PostgreSQL change capture: preflight', () => {
  it('is clean on a logical server with keyed tables, and names a table without a key or missing', async () => {
    await admin.query(`
      CREATE TABLE pf_keyed (id int PRIMARY KEY, v text);
      CREATE TABLE pf_full (v text); ALTER TABLE pf_full REPLICA IDENTITY FULL;
      CREATE TABLE pf_nokey (v text);
      CREATE TABLE pf_nothing (id int PRIMARY KEY); ALTER TABLE pf_nothing REPLICA IDENTITY NOTHING;
      CREATE VIEW pf_view AS SELECT 1 AS id;
      CREATE TABLE pf_generated (a int, b int GENERATED ALWAYS AS (a * 2) STORED);`);
    expect(await capture.preflight(['pf_keyed', 'PF_FULL'])).toEqual([]);
    const findings = await capture.preflight(['pf_keyed', 'pf_nokey', 'pf_nothing', 'pf_absent', 'pf_view', 'pf_generated']);
    expect(findings.map((f) => [f.code, f.table])).toEqual([
      ['sync.no_primary_key', 'pf_nokey'],
      ['sync.no_primary_key', 'pf_nothing'],
      ['sync.table_missing', 'pf_absent'],
      ['sync.not_a_table', 'pf_view'],
      ['sync.generated_column', 'pf_generated'],
      ['sync.no_primary_key', 'pf_generated'],
    ]);
    expect(findings[4].message).toContain('generated column(s) b');
    expect(findings[1].message).toContain('REPLICA IDENTITY NOTHING');
  });

  it('names a role that may not stream, and a server without free slots', async () => {
    await admin.query(`CREATE ROLE clerk LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO clerk`);
    const asClerk = await openCapture(parseConnectorUrl(url.replace('postgres@', 'clerk@')));
    try {
      const findings = await asClerk.preflight([]);
      expect(findings.map((f) => f.code)).toEqual(['sync.no_replication_privilege']);
      expect(findings[0].message).toContain('ALTER ROLE clerk REPLICATION');
    } finally {
      await asClerk.close();
    }
    // max_replication_slots is 10 here: fill them.
    const used = Number((await admin.query<{ n: string }>('SELECT count(*) AS n FROM pg_replication_slots')).rows[0].n);
    const fillers = Array.from({ length: 10 - used }, (_, i) => `filler_${i}`);
    for (const f of fillers) await admin.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [f]);
    try {
      expect((await capture.preflight([])).map((f) => f.code)).toEqual(['sync.no_free_slot']);
    } finally {
      for (const f of fillers) await admin.query('SELECT pg_drop_replication_slot($1)', [f]);
    }
  });

  it('reports a long transaction by pid and age, never its query', async () => {
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query("SELECT txid_current(), 'SECRET-9990000011' AS v");
      const pid = (await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      await new Promise((r) => setTimeout(r, 1100));
      // The 60 s bound lowered to 1 s.
      const found = await preflight(admin, 'test', 'public', [], 1);
      const long = found.filter((f) => f.code === 'sync.long_transaction');
      expect(long.length).toBe(1);
      expect(long[0].message).toContain(`process ${pid}`);
      expect(long[0].message).not.toContain('SECRET');
      expect(await capture.preflight([])).toEqual([]);
    } finally {
      await other.query('ROLLBACK').catch(() => {});
      await other.end();
    }
  });
});

describe('PostgreSQL change capture: snapshot and stream', () => {
  it('the snapshot holds exactly the rows before the consistent point; later changes come through the stream', async () => {
    const name = syncId();
    await admin.query(`CREATE TABLE ss (id int PRIMARY KEY, v text); INSERT INTO ss SELECT g, 'v' || g FROM generate_series(1, 5) g;`);
    const start = await capture.begin(name, ['ss']);
    try {
      // Committed after begin: must be in the stream, not in the snapshot.
      await admin.query(`INSERT INTO ss VALUES (6, 'six')`);
      await admin.query(`UPDATE ss SET v = 'one' WHERE id = 1`);
      await admin.query(`DELETE FROM ss WHERE id = 2`);
      const snap = await start.openSnapshot();
      // Two reads on separate connections (a concurrent partition read) see the same snapshot.
      const [a, b] = await Promise.all([readAll(snap, 'ss'), readAll(snap, 'ss')]);
      expect(a).toEqual([
        ['1', 'v1'],
        ['2', 'v2'],
        ['3', 'v3'],
        ['4', 'v4'],
        ['5', 'v5'],
      ]);
      expect(b).toEqual(a);
      await snap.close();
    } finally {
      await start.release();
    }
    const stream = await capture.stream(name, ['ss'], start.position);
    const txs = await take(stream, 3);
    expect(txs.map((t) => rows(t).map((c) => [c.kind, c.row, c.old]))).toEqual([
      [['insert', ['6', 'six'], undefined]],
      [['update', ['1', 'one'], undefined]],
      [['delete', undefined, ['2', undefined]]],
    ]);
    expect(txs[0].changes[0]).toEqual({
      kind: 'schema',
      table: 'ss',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'v', type: 'text' },
      ],
    });
    // Announced once per stream, not per transaction.
    expect(txs[1].changes.some((c) => c.kind === 'schema')).toBe(false);
    for (const t of txs) expect(capture.comparePositions(t.position, start.position)).toBeGreaterThan(0);
    expect(capture.comparePositions(txs[0].position, txs[1].position)).toBeLessThan(0);
    expect(txs[0].committedAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    await capture.drop(name);
  });

  it('begin leaves nothing behind when it fails half way, and refuses a missing table before creating anything', async () => {
    const name = syncId();
    const slot = slotName(name);
    await admin.query(`CREATE TABLE hw (id int PRIMARY KEY)`);
    await expectFerryError(capture.begin(name, ['hw', 'hw_absent']), 'sync.table_missing');
    // Someone else's slot under the name: the publication begin created first is dropped again.
    await admin.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
    await expectFerryError(capture.begin(name, ['hw']), 'sync.already_begun');
    expect((await admin.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [slot])).rowCount).toBe(0);
    expect((await admin.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot])).rowCount).toBe(1);
    await admin.query('SELECT pg_drop_replication_slot($1)', [slot]);
    const start = await capture.begin(name, ['hw']);
    await start.release();
    await expectFerryError(start.openSnapshot(), 'sync.snapshot_released');
    await capture.drop(name);
  });

  it('decodes insert, update (key change, REPLICA IDENTITY FULL), delete and truncate with old images', async () => {
    const name = syncId();
    await admin.query(`
      CREATE TABLE k (id int, sub int, v text, PRIMARY KEY (id, sub));
      CREATE TABLE f (id int, v text); ALTER TABLE f REPLICA IDENTITY FULL;`);
    const start = await capture.begin(name, ['k', 'F']);
    await start.release();
    // One statement per query: a multi-statement query is one transaction.
    await admin.query(`BEGIN; INSERT INTO k VALUES (1, 1, 'a'), (2, 1, NULL); INSERT INTO f VALUES (1, 'x'); COMMIT;`);
    for (const sql of ["UPDATE k SET v = 'b' WHERE id = 1", 'UPDATE k SET id = 3 WHERE id = 2', 'DELETE FROM k WHERE id = 3', "UPDATE f SET v = 'y'", 'DELETE FROM f', 'TRUNCATE k, f']) {
      await admin.query(sql);
    }
    const stream = await capture.stream(name, ['k', 'F'], start.position);
    const txs = await take(stream, 7);
    const flat = txs.map((t) => t.changes.filter((c) => c.kind !== 'schema'));
    expect(flat[0]).toEqual([
      { kind: 'insert', table: 'k', columns: ['id', 'sub', 'v'], row: ['1', '1', 'a'] },
      { kind: 'insert', table: 'k', columns: ['id', 'sub', 'v'], row: ['2', '1', null] },
      { kind: 'insert', table: 'F', columns: ['id', 'v'], row: ['1', 'x'] },
    ]);
    expect(flat[1]).toEqual([{ kind: 'update', table: 'k', columns: ['id', 'sub', 'v'], row: ['1', '1', 'b'] }]);
    expect(flat[2]).toEqual([{ kind: 'update', table: 'k', columns: ['id', 'sub', 'v'], row: ['3', '1', null], old: ['2', '1', undefined] }]);
    expect(flat[3]).toEqual([{ kind: 'delete', table: 'k', columns: ['id', 'sub', 'v'], old: ['3', '1', undefined] }]);
    expect(flat[4]).toEqual([{ kind: 'update', table: 'F', columns: ['id', 'v'], row: ['1', 'y'], old: ['1', 'x'] }]);
    expect(flat[5]).toEqual([{ kind: 'delete', table: 'F', columns: ['id', 'v'], old: ['1', 'y'] }]);
    expect(flat[6]).toEqual([{ kind: 'truncate', tables: ['k', 'F'] }]);
    await capture.drop(name);
  });

  it('changes to a partitioned table come under the partitioned table, not its partitions', async () => {
    const name = syncId();
    await admin.query(`
      CREATE TABLE visit (id int, year int, PRIMARY KEY (id, year)) PARTITION BY RANGE (year);
      CREATE TABLE visit_2023 PARTITION OF visit FOR VALUES FROM (2023) TO (2024);
      CREATE TABLE visit_2024 PARTITION OF visit FOR VALUES FROM (2024) TO (2025);`);
    expect(await capture.preflight(['visit'])).toEqual([]);
    const start = await capture.begin(name, ['visit']);
    await start.release();
    await admin.query(`INSERT INTO visit VALUES (1, 2023), (2, 2024)`);
    const [tx] = await take(await capture.stream(name, ['visit'], start.position), 1);
    expect(rows(tx).map((c) => [c.table, c.row])).toEqual([
      ['visit', ['1', '2023']],
      ['visit', ['2', '2024']],
    ]);
    await capture.drop(name);
  });

  it('a transaction of 10,000 changes arrives as one SourceTransaction', async () => {
    const name = syncId();
    await admin.query(`CREATE TABLE big (id int PRIMARY KEY, v text)`);
    const start = await capture.begin(name, ['big']);
    await start.release();
    await admin.query(`INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 10000) g`);
    await admin.query(`INSERT INTO big VALUES (0, 'after')`);
    const stream = await capture.stream(name, ['big'], start.position);
    const txs = await take(stream, 2);
    expect(rows(txs[0]).length).toBe(10_000);
    expect(rows(txs[0])[9999].row).toEqual(['10000', expect.any(String)]);
    expect(rows(txs[1]).map((c) => c.row)).toEqual([['0', 'after']]);
    await capture.drop(name);
  });

  it('an unchanged TOAST value is null and listed in unchanged', async () => {
    const name = syncId();
    await admin.query(`CREATE TABLE toasty (id int PRIMARY KEY, doc text, n int); ALTER TABLE toasty ALTER doc SET STORAGE EXTERNAL`);
    const start = await capture.begin(name, ['toasty']);
    await start.release();
    // Random text does not compress: stored out of line once over ~2 kB.
    await admin.query(`INSERT INTO toasty SELECT 1, string_agg(md5(random()::text), '') , 1 FROM generate_series(1, 200)`);
    await admin.query(`UPDATE toasty SET n = 2`);
    const stream = await capture.stream(name, ['toasty'], start.position);
    const [ins, upd] = await take(stream, 2);
    expect((rows(ins)[0].row![1] as string).length).toBe(6400);
    expect(rows(upd)[0]).toEqual({ kind: 'update', table: 'toasty', columns: ['id', 'doc', 'n'], row: ['1', null, '2'], unchanged: [1] });
    await capture.drop(name);
  });

  it('ALTER TABLE ADD COLUMN mid-stream: a SchemaChange with the new column before the next row change', async () => {
    const name = syncId();
    await admin.query(`CREATE TABLE grow (id int PRIMARY KEY, v text)`);
    const start = await capture.begin(name, ['grow']);
    await start.release();
    const stream = await capture.stream(name, ['grow'], start.position);
    const it = stream[Symbol.asyncIterator]();
    await admin.query(`INSERT INTO grow VALUES (1, 'a')`);
    const first = (await it.next()).value as SourceTransaction;
    expect(first.changes.map((c) => c.kind)).toEqual(['schema', 'insert']);
    await admin.query(`ALTER TABLE grow ADD COLUMN born date`);
    await admin.query(`INSERT INTO grow VALUES (2, 'b', '2024-02-29')`);
    const second = (await it.next()).value as SourceTransaction;
    expect(second.changes[0]).toEqual({
      kind: 'schema',
      table: 'grow',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'v', type: 'text' },
        { name: 'born', type: 'date' },
      ],
    } satisfies SchemaChange);
    expect(second.changes[1]).toMatchObject({ kind: 'insert', columns: ['id', 'v', 'born'], row: ['2', 'b', '2024-02-29'] });
    await it.return?.();
    await capture.drop(name);
  });
});

describe('PostgreSQL change capture: restart and gaps', () => {
  it('restarts after the acknowledged transaction, and never re-yields a stored but unacknowledged one', async () => {
    const name = syncId();
    await admin.query(`CREATE TABLE rs (id int PRIMARY KEY)`);
    const start = await capture.begin(name, ['rs']);
    await start.release();
    for (let i = 1; i <= 5; i++) await admin.query(`INSERT INTO rs VALUES (${i})`);
    let stream = await capture.stream(name, ['rs'], start.position);
    const firstRun = await take(stream, 2, 2);
    const slot = await admin.query<{ lsn: string }>('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slotName(name)]);
    expect(slot.rows[0].lsn).toBe(firstRun[1].position);

    // Restart from the acknowledged position: the first transaction is the third.
    stream = await capture.stream(name, ['rs'], firstRun[1].position);
    const secondRun = await take(stream, 2);
    expect(secondRun.map((t) => rows(t)[0].row)).toEqual([['3'], ['4']]);
    // Stored (committed at the target) but not acknowledged before a crash: resume after it.
    stream = await capture.stream(name, ['rs'], secondRun[1].position);
    const thirdRun = await take(stream, 1);
    expect(rows(thirdRun[0])[0].row).toEqual(['5']);
    expect(rows(thirdRun[0])[0].kind).toBe('insert');
    await capture.drop(name);
  });

  it('refuses a slot that was dropped (slot_missing), recreated (slot_recreated) or is in use (slot_in_use)', async () => {
    const name = syncId();
    await admin.query(`CREATE TABLE gap (id int PRIMARY KEY)`);
    const start = await capture.begin(name, ['gap']);
    await start.release();
    const stream = await capture.stream(name, ['gap'], start.position);
    await expectFerryError(capture.stream(name, ['gap'], start.position), 'sync.slot_in_use');
    await stream.stop();

    await admin.query('SELECT pg_drop_replication_slot($1)', [slotName(name)]);
    const missing = await expectFerryError(capture.stream(name, ['gap'], start.position), 'sync.slot_missing');
    expect(missing.message).toContain('new snapshot');

    // A change while no slot existed, then the same slot name again: that change is in no stream.
    await admin.query(`INSERT INTO gap VALUES (1)`);
    await admin.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slotName(name)]);
    const recreated = await expectFerryError(capture.stream(name, ['gap'], start.position), 'sync.slot_recreated');
    expect(recreated.message).toContain('new snapshot');
    await capture.drop(name);
    await capture.drop(name);
    const left = await admin.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 UNION ALL SELECT 1 FROM pg_publication WHERE pubname = $1', [slotName(name)]);
    expect(left.rowCount).toBe(0);
  });

  it('drop ends a stream still using the slot; the stream fails with sync.stream_failed', async () => {
    const name = syncId();
    await admin.query(`CREATE TABLE dr (id int PRIMARY KEY)`);
    const start = await capture.begin(name, ['dr']);
    await start.release();
    const stream = await capture.stream(name, ['dr'], start.position);
    const pending = expectFerryError(take(stream, 1), 'sync.stream_failed');
    await capture.drop(name);
    expect((await pending).message).not.toContain('undefined');
  });

  it('stop ends the iteration after the transaction in hand; an abort rejects it with the abort reason', async () => {
    const name = syncId();
    await admin.query(`CREATE TABLE st (id int PRIMARY KEY)`);
    const start = await capture.begin(name, ['st']);
    await start.release();
    await admin.query(`INSERT INTO st VALUES (1)`);
    await admin.query(`INSERT INTO st VALUES (2)`);
    let stream = await capture.stream(name, ['st'], start.position);
    const seen: SourceTransaction[] = [];
    for await (const tx of stream) {
      seen.push(tx);
      await stream.stop();
    }
    expect(seen.length).toBe(1);

    const controller = new AbortController();
    stream = await capture.stream(name, ['st'], start.position, controller.signal);
    const it = stream[Symbol.asyncIterator]();
    expect(rows((await it.next()).value as SourceTransaction)[0].row).toEqual(['1']);
    expect(rows((await it.next()).value as SourceTransaction)[0].row).toEqual(['2']);
    // Waiting for a change that never comes: the abort ends the wait.
    const waiting = it.next();
    controller.abort(new Error('operator cancelled'));
    await expect(waiting).rejects.toThrow('operator cancelled');
    // The slot is free again right away.
    stream = await capture.stream(name, ['st'], start.position);
    await stream.stop();
    await capture.drop(name);
  });

  it('lag measures bytes from a position to the head', async () => {
    const name = syncId();
    await admin.query(`CREATE TABLE lg (id int PRIMARY KEY)`);
    const start = await capture.begin(name, ['lg']);
    await start.release();
    await admin.query(`INSERT INTO lg SELECT generate_series(1, 1000)`);
    const lag = await capture.lag(name, start.position);
    expect(capture.comparePositions(lag.head, start.position)).toBeGreaterThan(0);
    expect(lag.bytes).toBeGreaterThan(1000);
    await capture.drop(name);
  });
});

describe('PostgreSQL change capture: values', () => {
  it('decodes every type exactly as PgSource.read yields it, with the schema introspect gives', async () => {
    const name = syncId();
    await admin.query(`
      CREATE DOMAIN nhs AS text;
      CREATE DOMAIN blob AS bytea;
      CREATE TYPE mood AS ENUM ('ok', 'sad');
      CREATE TABLE vt (
        id int8 PRIMARY KEY, a int2, b int4, c numeric, d numeric(7,2), e float4, f float8, g date, h timestamp(3), i timestamptz,
        j bool, k bytea, l text, m varchar(20), n char(4), o uuid, p json, q jsonb, r int4[], s text[], t nhs, u blob, v mood,
        w interval, x time, y inet)`);
    const start = await capture.begin(name, ['vt']);
    await start.release();
    await admin.query(`SET TimeZone = 'Europe/London'`);
    await admin.query(`INSERT INTO vt VALUES
      (1, -32768, 2147483647, 12345678901234567890.123456789, -0.5, 1.1, 0.1, '2024-02-29', '2024-03-01 09:30:00.125', '2024-06-01 12:00:00+01',
       true, '\\x00ff0a5c', E'tab\\there\\nnew \\\\ é 😀 \\r', 'vc', 'ab', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, "x\\ty"]}', '{"b": 2, "a": 1}',
       '{1,NULL,3}', '{"a b","c\\"d",NULL}', '9990000011', '\\x', 'sad', '1 day 02:03:04', '23:59:59.999', '10.0.0.1/8'),
      (2, NULL, NULL, 'NaN', NULL, '-Infinity', -0, '-infinity', 'infinity', NULL, false, NULL, '', NULL, NULL, NULL, NULL, NULL, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (3, 0, 0, 0, 0, 3.4028235e38, 1.7976931348623157e308, '0001-01-01 BC', '1999-12-31 23:59:59.999', '1970-01-01 00:00:00+00', NULL, '\\x', NULL, NULL, NULL, NULL, 'null', '[]', NULL, '{}', NULL, NULL, 'ok', NULL, NULL, NULL)`);
    await admin.query(`RESET TimeZone`);
    const stream = await capture.stream(name, ['vt'], start.position);
    const [tx] = await take(stream, 1);
    const streamed = rows(tx).map((c) => c.row);
    const source = await openSource(parseConnectorUrl(url));
    try {
      expect(streamed).toEqual(await readAll(source, 'vt'));
      expect(Buffer.isBuffer(streamed[0]![11])).toBe(true);
      expect(Buffer.isBuffer(streamed[0]![21])).toBe(true);
      const info = (await source.introspect()).tables.find((t) => t.name === 'vt')!;
      const schema = tx.changes[0] as SchemaChange;
      expect(schema.columns).toEqual(info.columns.map((c) => ({ name: c.name, type: c.type })));
    } finally {
      await source.close();
    }
    await capture.drop(name);
  });
});

describe('PostgreSQL change capture: backpressure', () => {
  it('pauses reading while the applier is slow and resumes when it catches up', async () => {
    const name = syncId();
    await admin.query(`CREATE TABLE bp (id int PRIMARY KEY, v text)`);
    const start = await capture.begin(name, ['bp']);
    await start.release();
    // 400 transactions of ~100 kB each: 40 MB of changes, more than the stream may hold.
    await admin.query(`DO $$ BEGIN FOR i IN 1..400 LOOP INSERT INTO bp VALUES (i, repeat(md5(i::text), 3200)); COMMIT; END LOOP; END $$`);
    const stream = await capture.stream(name, ['bp'], start.position);
    const inside = stream as unknown as { queuedCommits: number; paused: boolean };
    let n = 0;
    for await (const tx of stream) {
      n++;
      if (n === 1) {
        // The applier stalls: the stream fills its queue to the bound and stops reading.
        await new Promise((r) => setTimeout(r, 2000));
        expect(inside.paused).toBe(true);
        expect(inside.queuedCommits).toBeGreaterThanOrEqual(64);
        expect(inside.queuedCommits).toBeLessThan(70);
      }
      await stream.acknowledge(tx.position);
      if (n === 400) break;
    }
    expect(n).toBe(400);
    expect(inside.paused).toBe(false);
    await capture.drop(name);
  });
});
