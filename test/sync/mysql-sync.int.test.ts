/**
 * Incremental sync end to end from MariaDB's binlog: the example contract over a synthetic PAS
 * in a private MariaDB with a row-based binlog, into the machine's MariaDB. Changes made while
 * the snapshot loads, while the sync streams and while it is down (a restart from the stored
 * binlog position) all reach the target, and the cutover proves it row for row.
 */
import path from 'node:path';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract/load.js';
import type { LoadedContract } from '../../src/contract/model.js';
import { generateTo } from '../../src/synth/generate.js';
import { uniformRates } from '../../src/synth/defects.js';
import { cutover } from '../../src/sync/cutover.js';
import { startSync, type SyncOutcome } from '../../src/sync/start-sync.js';
import { syncStatus } from '../../src/sync/sync-status.js';
import { createMysqlDatabase } from '../helpers/databases.js';
import { EXAMPLE_CONTRACT } from '../helpers/example-run.js';
import { startPrivateMariadb, type PrivateMariadb } from '../helpers/private-mariadb.js';
import { tempDir } from '../helpers/tmp.js';

let priv: PrivateMariadb;
let admin: mysql.Connection;
let cleanup: () => Promise<void>;
let loaded: LoadedContract;
let source: string;
let target: { url: string; drop: () => Promise<void> };
const HEARTBEAT = 300;

beforeAll(async () => {
  let dir: string;
  ({ dir, cleanup } = await tempDir('ferry-mysql-sync-'));
  priv = await startPrivateMariadb();
  admin = await priv.admin();
  await admin.query('CREATE DATABASE pas CHARACTER SET utf8mb4');
  source = priv.url('pas');
  loaded = await loadContract(EXAMPLE_CONTRACT);
  await generateTo(source, { seed: 23, patients: 60, rates: uniformRates(0.002), manifest: path.join(dir, 'defects.json') });
  target = await createMysqlDatabase('ferry_msync_t');
}, 120_000);
afterAll(async () => {
  await admin?.end();
  await target?.drop();
  await priv?.stop();
  await cleanup?.();
});

function begin(resume?: string): { done: Promise<SyncOutcome>; streaming: Promise<string>; abort: AbortController } {
  const abort = new AbortController();
  let id = '';
  let streaming!: (id: string) => void;
  const started = new Promise<string>((r) => (streaming = r));
  const done = startSync({
    contract: loaded,
    sourceUrl: source,
    targetUrl: target.url,
    resume,
    heartbeatMs: HEARTBEAT,
    signal: abort.signal,
    onEvent: (e) => {
      if (e.type === 'sync:id') id = e.syncId;
      if (e.type === 'sync:streaming') streaming(id);
    },
  });
  done.catch(() => undefined);
  return { done, streaming: Promise.race([started, done.then(() => id)]), abort };
}

const waitFor = async (what: () => Promise<boolean>, ms = 30_000): Promise<void> => {
  const until = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('sync from MariaDB', () => {
  it('streams the binlog through the contract, restarts from its stored position, and cuts over with zero mismatches', async () => {
    const first = begin();
    const syncId = await first.streaming;
    const ids = (await admin.query('SELECT min(PAT_ID) AS lo, max(PAT_ID) AS hi FROM pas.PAT_MAST'))[0] as Array<{ lo: number; hi: number }>;
    const { lo, hi } = ids[0];
    await admin.query('UPDATE pas.PAT_MAST SET PAT_SURNAME = ? WHERE PAT_ID = ?', ['STREAMED', lo]);
    await admin.query('BEGIN');
    const cols = Object.keys(loaded.contract.source.tables.PAT_MAST.columns);
    await admin.query(`INSERT INTO pas.PAT_MAST (${cols.join(', ')}) SELECT ?, ${cols.slice(1).join(', ')} FROM pas.PAT_MAST WHERE PAT_ID = ?`, [hi + 1000, hi]);
    await admin.query('COMMIT');
    await waitFor(async () => (await syncStatus(target.url, syncId))[0].counts.transactions >= 2);
    first.abort.abort();
    expect((await first.done).end).toBe('signal');

    // Changes made while no process streams are picked up from the stored binlog position.
    await admin.query('DELETE FROM pas.PAT_ADDR WHERE ADDR_PATID = ?', [lo]);
    await admin.query('UPDATE pas.PAT_MAST SET PAT_SURNAME = ? WHERE PAT_ID = ?', ['WHILE DOWN', hi]);
    await admin.query('FLUSH BINARY LOGS');
    await admin.query('UPDATE pas.PAT_MAST SET PAT_FORENM = ? WHERE PAT_ID = ?', ['Rotated', hi]);
    const again = begin(syncId);
    await again.streaming;
    const record = await cutover({ contract: loaded, syncId, sourceUrl: source, targetUrl: target.url, quietSeconds: 1, drainIdleMs: 1000, heartbeatMs: HEARTBEAT });
    await again.done;
    expect(record.reconciliation.status).toBe('match');
    expect(record.matched).toBe(true);
    const [status] = await syncStatus(target.url, syncId);
    expect(status.state).toBe('cut_over');
    expect(status.counts.tables.patient_address.deleted).toBeGreaterThan(0);
  }, 180_000);
});
