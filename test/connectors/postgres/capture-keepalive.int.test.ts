import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeCapture, RowChange, SourceTransaction } from '../../../src/connectors/capture.js';
import { slotName } from '../../../src/connectors/postgres/capture/names.js';
import { PgCapture } from '../../../src/connectors/postgres/capture/capture.js';
import { pgConfig } from '../../../src/connectors/postgres/config.js';
import { openCapture } from '../../../src/connectors/postgres/index.js';
import { parseConnectorUrl } from '../../../src/connectors/url.js';
import { startPrivatePg, type PrivatePg } from '../../helpers/private-pg.js';

// A 2 s wal_sender_timeout: the server asks for a reply after 1 s of silence and drops a
// stream that gives none within 2 s, so a few idle seconds prove the stream keeps it alive.
let server: PrivatePg;
let admin: pg.Client;
let capture: ChangeCapture;

beforeAll(async () => {
  server = await startPrivatePg({ settings: { wal_sender_timeout: '2s' } });
  admin = new pg.Client({ connectionString: server.url() });
  await admin.connect();
  capture = await openCapture(parseConnectorUrl(server.url()));
});

afterAll(async () => {
  await capture?.close();
  await admin?.end();
  await server?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function confirmed(name: string): Promise<string> {
  const res = await admin.query<{ lsn: string }>('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slotName(name)]);
  return res.rows[0].lsn;
}

function firstRow(tx: SourceTransaction): unknown {
  return (tx.changes.find((c) => c.kind === 'insert') as RowChange).row;
}

describe('PostgreSQL change stream keepalive', () => {
  it('moves an idle stream on to the keepalive position with an empty transaction, so the slot stops holding WAL other tables wrote', async () => {
    const idle = await PgCapture.open(pgConfig(parseConnectorUrl(server.url())), { idleAdvanceMs: 500 });
    try {
      await admin.query('CREATE TABLE adv (id int PRIMARY KEY, v text)');
      const start = await idle.begin('adv', ['adv']);
      await start.release();
      await admin.query(`INSERT INTO adv VALUES (1, 'a')`);
      const stream = await idle.stream('adv', ['adv'], start.position);
      const it = stream[Symbol.asyncIterator]();
      const first = (await it.next()).value as SourceTransaction;
      expect(firstRow(first)).toEqual(['1', 'a']);
      await stream.acknowledge(first.position);
      // Only another table changes: the captured one is idle while the server's WAL moves on.
      await admin.query('CREATE TABLE busy (id int); INSERT INTO busy SELECT generate_series(1, 1000)');
      const advance = (await it.next()).value as SourceTransaction;
      expect(advance.changes).toEqual([]);
      expect(idle.comparePositions(advance.position, first.position)).toBeGreaterThan(0);
      await stream.acknowledge(advance.position);
      await sleep(500);
      expect(await confirmed('adv')).toBe(advance.position);
      // The next real transaction still arrives whole, after the advanced position.
      await admin.query(`INSERT INTO adv VALUES (2, 'b')`);
      let next = (await it.next()).value as SourceTransaction;
      while (next.changes.length === 0) next = (await it.next()).value as SourceTransaction;
      expect(firstRow(next)).toEqual(['2', 'b']);
      expect(idle.comparePositions(next.position, advance.position)).toBeGreaterThan(0);
      await it.return?.();
      // A restart from the advanced position yields nothing twice.
      const again = await idle.stream('adv', ['adv'], advance.position);
      const it2 = again[Symbol.asyncIterator]();
      let replay = (await it2.next()).value as SourceTransaction;
      while (replay.changes.length === 0) replay = (await it2.next()).value as SourceTransaction;
      expect(firstRow(replay)).toEqual(['2', 'b']);
      await it2.return?.();
      await idle.drop('adv');
    } finally {
      await idle.close();
    }
  });

  it('answers the server while idle, confirming only what was acknowledged', async () => {
    await admin.query('CREATE TABLE ka (id int PRIMARY KEY, v text)');
    const start = await capture.begin('ka', ['ka']);
    await start.release();
    await admin.query(`INSERT INTO ka VALUES (1, 'a')`);
    const stream = await capture.stream('ka', ['ka'], start.position);
    const it = stream[Symbol.asyncIterator]();
    const first = (await it.next()).value as SourceTransaction;
    expect(firstRow(first)).toEqual(['1', 'a']);
    // Other databases' WAL moves the server on; nothing was acknowledged, so the slot stays put.
    await admin.query('CREATE TABLE other (id int); INSERT INTO other SELECT generate_series(1, 1000)');
    await sleep(4500);
    expect(await confirmed('ka')).toBe(start.position);
    await stream.acknowledge(first.position);
    await sleep(500);
    expect(await confirmed('ka')).toBe(first.position);
    await admin.query(`INSERT INTO ka VALUES (2, 'b')`);
    expect(firstRow((await it.next()).value as SourceTransaction)).toEqual(['2', 'b']);
    await it.return?.();
    await capture.drop('ka');
  });

  it('a paused stream (the applier stalled) survives longer than wal_sender_timeout', async () => {
    await admin.query('CREATE TABLE kp (id int PRIMARY KEY, v text)');
    const start = await capture.begin('kp', ['kp']);
    await start.release();
    await admin.query(`DO $$ BEGIN FOR i IN 1..200 LOOP INSERT INTO kp VALUES (i, repeat('x', 1000)); COMMIT; END LOOP; END $$`);
    const stream = await capture.stream('kp', ['kp'], start.position);
    const inside = stream as unknown as { paused: boolean };
    let n = 0;
    for await (const tx of stream) {
      if (++n === 1) {
        await sleep(5000);
        expect(inside.paused).toBe(true);
      }
      await stream.acknowledge(tx.position);
      if (n === 200) break;
    }
    expect(n).toBe(200);
    await capture.drop('kp');
  });
});
