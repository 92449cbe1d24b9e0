/**
 * Incremental sync end to end on PostgreSQL: the example contract over a synthetic PAS in a
 * private logical-replication instance, into the machine's PostgreSQL. The snapshot is read
 * while the PAS keeps changing, the stream takes over at the slot's consistent point, and the
 * cutover proves the target row for row against the frozen source. Then what must never pass
 * silently: a row quarantined during the sync (cutover refused, pending listed, passes once the
 * row is fixed), a crash between the target commit and the acknowledgement (exact resume), a
 * slot dropped and recreated, DDL on a captured table, and a TRUNCATE.
 */
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract/load.js';
import type { LoadedContract } from '../../src/contract/model.js';
import { generateTo } from '../../src/synth/generate.js';
import { uniformRates } from '../../src/synth/defects.js';
import { cutover } from '../../src/sync/cutover.js';
import { startSync, type SyncEvent, type SyncOutcome } from '../../src/sync/start-sync.js';
import { syncStatus } from '../../src/sync/sync-status.js';
import { createPgDatabase } from '../helpers/databases.js';
import { EXAMPLE_CONTRACT } from '../helpers/example-run.js';
import { startChurn } from '../helpers/pas-churn.js';
import { startPrivatePg, type PrivatePg } from '../helpers/private-pg.js';
import { tempDir } from '../helpers/tmp.js';

let priv: PrivatePg;
let dir: string;
let cleanup: () => Promise<void>;
let loaded: LoadedContract;
const drops: Array<() => Promise<void>> = [];
/** Syncs a test started: a failed test must not leave one streaming into the next. */
const running: Array<{ done: Promise<unknown>; abort: AbortController }> = [];
const HEARTBEAT = 300;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('ferry-pg-sync-'));
  priv = await startPrivatePg();
  loaded = await loadContract(EXAMPLE_CONTRACT);
}, 60_000);
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.abort.abort();
    await r.done.catch(() => undefined);
  }
});
afterAll(async () => {
  for (const d of drops) await d().catch(() => undefined);
  await priv?.stop();
  await cleanup?.();
});

async function exec(url: string, sql: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(sql, values);
  } finally {
    await c.end();
  }
}

/** A fresh synthetic PAS in the private instance and an empty target on the shared server. */
async function fixture(name: string, patients = 150): Promise<{ source: string; target: string }> {
  await exec(priv.url('postgres'), `CREATE DATABASE ${name}`);
  const source = priv.url(name);
  await generateTo(source, { seed: 17, patients, rates: uniformRates(0.002), manifest: path.join(dir, `${name}.json`) });
  const t = await createPgDatabase('ferry_sync_t');
  drops.push(t.drop);
  return { source, target: t.url };
}

const columns = () => ({ PAT_MAST: Object.keys(loaded.contract.source.tables.PAT_MAST.columns), PAT_ADDR: Object.keys(loaded.contract.source.tables.PAT_ADDR.columns) });

/** Starts a sync in this process and resolves once it streams. */
function begin(o: { source: string; target: string; resume?: string; partitions?: number; afterCommit?: (p: string) => void }): {
  done: Promise<SyncOutcome>;
  streaming: Promise<string>;
  events: SyncEvent[];
  abort: AbortController;
} {
  const abort = new AbortController();
  const events: SyncEvent[] = [];
  let streaming!: (id: string) => void;
  let id = '';
  const started = new Promise<string>((r) => (streaming = r));
  const done = startSync({
    contract: loaded,
    sourceUrl: o.source,
    targetUrl: o.target,
    resume: o.resume,
    partitions: o.partitions,
    minPartitionRows: o.partitions ? 10 : undefined,
    concurrency: o.partitions,
    heartbeatMs: HEARTBEAT,
    signal: abort.signal,
    afterCommit: o.afterCommit,
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'sync:id') id = e.syncId;
      if (e.type === 'sync:streaming') streaming(id);
    },
  });
  done.catch(() => undefined);
  running.push({ done, abort });
  return { done, streaming: Promise.race([started, done.then(() => id)]), events, abort };
}

const waitFor = async (what: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> => {
  const until = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('sync from PostgreSQL', () => {
  it('snapshots under a write load, streams, and cuts over with zero mismatches', async () => {
    const { source, target } = await fixture('pas_handover');
    const churn = await startChurn(source, { tps: 40, seed: 3, columns: columns() });
    // Every partition of the snapshot imports the slot's exported snapshot while the load goes on.
    const sync = begin({ source, target, partitions: 3 });
    const syncId = await sync.streaming;
    const snapshot = sync.events.find((e) => e.type === 'sync:snapshot');
    expect(snapshot?.type === 'sync:snapshot' && snapshot.report.tables.some((t) => (t.keyRanges ?? 0) > 1)).toBe(true);
    // Changes keep arriving while the stream takes over from the snapshot.
    const atStream = churn.committed;
    await waitFor(() => churn.committed >= atStream + 60);
    const written = await churn.stop();
    expect(written.transactions).toBeGreaterThan(60);
    // Many changes in one source transaction.
    await exec(source, 'UPDATE "PAT_ADDR" SET "ADDR_LINE1" = upper("ADDR_LINE1")');
    await waitFor(async () => (await syncStatus(target, syncId))[0].lag.pendingTransactions === 0);

    const record = await cutover({ contract: loaded, syncId, sourceUrl: source, targetUrl: target, quietSeconds: 1, drainIdleMs: 1000, heartbeatMs: HEARTBEAT });
    const outcome = await sync.done;
    expect(outcome.end).toBe('stopping');
    expect(record.reconciliation.tables.filter((t) => t.missing + t.extra + t.different > 0)).toEqual([]);
    // Business checks count source rows, quarantined ones included: they feed the reconciliation KPI, not the row match.
    expect(record.reconciliation.mismatches.filter((m) => m.code !== 'business.mismatch')).toEqual([]);
    expect(record.gate.failing).toEqual([]);
    expect(record.gate.verdict).not.toBe('fail');
    expect(record.matched).toBe(true);
    // Pending: rows the one big update touched that the contract still quarantines (defects the
    // snapshot quarantined too); none of them is in the target.
    for (const p of record.pending) {
      expect(p).toMatchObject({ sourceTable: 'PAT_ADDR', targetTable: 'patient_address' });
      expect((await exec(target, 'SELECT 1 FROM patient_address WHERE address_id = $1', [p.sourceKey])).rowCount).toBe(0);
    }
    expect(record.windowMs).toBeLessThan(60_000);
    const [status] = await syncStatus(target, syncId);
    expect(status.state).toBe('cut_over');
    expect(status.counts.transactions).toBeGreaterThan(0);
    // The capture is gone from the source: no slot keeps WAL for a finished sync.
    expect((await exec(source, 'SELECT slot_name FROM pg_replication_slots')).rows).toEqual([]);
  }, 180_000);

  it('refuses a cutover while a row quarantined during the sync is stale in the target, and passes once it is fixed', async () => {
    const { source, target } = await fixture('pas_pending', 60);
    const sync = begin({ source, target });
    const syncId = await sync.streaming;
    const [{ id }] = (await exec(target, 'SELECT min(patient_id) AS id FROM patient')).rows as Array<{ id: string }>;
    await exec(source, 'UPDATE "PAT_MAST" SET "PAT_NHSNO" = $1 WHERE "PAT_ID" = $2', ['1234567890', id]);
    await waitFor(async () => ((await syncStatus(target, syncId))[0].counts.tables.patient?.quarantined ?? 0) > 0);
    const refused = await cutover({ contract: loaded, syncId, sourceUrl: source, targetUrl: target, quietSeconds: 1, drainIdleMs: 1000, heartbeatMs: HEARTBEAT });
    expect(refused.matched).toBe(false);
    expect(refused.reconciliation.status).toBe('mismatch');
    expect(refused.pending).toEqual([expect.objectContaining({ sourceTable: 'PAT_MAST', sourceKey: String(id), targetTable: 'patient' })]);
    expect(JSON.stringify(refused)).not.toContain('1234567890');
    expect((await syncStatus(target, syncId))[0].state).toBe('streaming');
    await sync.done;

    // Fixed at the source, streamed, cut over again.
    const resumed = begin({ source, target, resume: syncId });
    await resumed.streaming;
    await exec(source, 'UPDATE "PAT_MAST" SET "PAT_NHSNO" = $1 WHERE "PAT_ID" = $2', ['9990000018', id]);
    await waitFor(async () => ((await syncStatus(target, syncId))[0].counts.tables.patient?.upserted ?? 0) > 0);
    const passed = await cutover({ contract: loaded, syncId, sourceUrl: source, targetUrl: target, quietSeconds: 1, drainIdleMs: 1000, heartbeatMs: HEARTBEAT });
    await resumed.done;
    expect(passed.pending).toEqual([]);
    expect(passed.matched).toBe(true);
  }, 180_000);

  it('resumes exactly after a crash between the target commit and the acknowledgement', async () => {
    const { source, target } = await fixture('pas_crash', 60);
    let crashes = 0;
    const first = begin({
      source,
      target,
      afterCommit: () => {
        if (crashes++ === 0) throw new Error('killed after commit, before acknowledgement');
      },
    });
    const syncId = await first.streaming;
    for (let i = 0; i < 20; i++) await exec(source, 'UPDATE "PAT_MAST" SET "PAT_SURNAME" = $1 WHERE "PAT_ID" = (SELECT min("PAT_ID") FROM "PAT_MAST")', [`CRASH${i}`]);
    await expect(first.done).rejects.toThrow('killed after commit');
    const committed = (await syncStatus(target, syncId))[0];
    expect(committed.state).toBe('failed');
    expect(committed.counts.transactions).toBeGreaterThan(0);

    const again = begin({ source, target, resume: syncId });
    await again.streaming;
    await waitFor(async () => (await syncStatus(target, syncId))[0].counts.transactions === 20);
    // Every source transaction counted once: the committed-but-unacknowledged unit was not applied again.
    await new Promise((r) => setTimeout(r, 1000));
    expect((await syncStatus(target, syncId))[0].counts.transactions).toBe(20);
    const record = await cutover({ contract: loaded, syncId, sourceUrl: source, targetUrl: target, quietSeconds: 1, drainIdleMs: 1000, heartbeatMs: HEARTBEAT });
    await again.done;
    expect(record.gate.failing).toEqual([]);
    expect(record.reconciliation.tables.filter((t) => t.missing + t.extra + t.different > 0)).toEqual([]);
    expect(record.matched).toBe(true);
  }, 180_000);

  it('follows a TRUNCATE, then refuses to resume from a slot that was dropped and recreated', async () => {
    const { source, target } = await fixture('pas_refusals', 40);
    const first = begin({ source, target });
    const syncId = await first.streaming;
    await exec(source, 'TRUNCATE "PAT_ADDR"');
    await Promise.race([
      waitFor(async () => Number((await exec(target, 'SELECT count(*) AS n FROM patient_address')).rows[0].n) === 0),
      first.done.then(() => Promise.reject(new Error('the sync ended'))),
    ]);
    first.abort.abort();
    await first.done;

    const [{ slot_name: slot }] = (await exec(source, 'SELECT slot_name FROM pg_replication_slots')).rows as Array<{ slot_name: string }>;
    await exec(source, 'SELECT pg_drop_replication_slot($1)', [slot]);
    await exec(source, `SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
    await exec(source, 'UPDATE "PAT_MAST" SET "PAT_SURNAME" = $1', ['GAP']);
    const refused = begin({ source, target, resume: syncId });
    await expect(refused.done).rejects.toMatchObject({ code: 'sync.slot_recreated' });
    expect((await syncStatus(target, syncId))[0]).toMatchObject({ state: 'failed', error: expect.objectContaining({ code: 'sync.slot_recreated' }) });
  }, 180_000);

  it('stops on DDL of a captured table and says a new snapshot is needed', async () => {
    const { source, target } = await fixture('pas_ddl', 40);
    const sync = begin({ source, target });
    const syncId = await sync.streaming;
    await exec(source, 'ALTER TABLE "PAT_MAST" ADD COLUMN "PAT_EMAIL" text');
    await exec(source, 'UPDATE "PAT_MAST" SET "PAT_SURNAME" = $1 WHERE "PAT_ID" = (SELECT min("PAT_ID") FROM "PAT_MAST")', ['DDL']);
    await expect(sync.done).rejects.toMatchObject({ code: 'sync.source_ddl' });
    expect((await syncStatus(target, syncId))[0].state).toBe('failed');
  }, 180_000);
});
