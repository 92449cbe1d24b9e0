/**
 * `ferry sync start --metrics-listen` (the built bin/ferry.js): a watermark sync from SQLite
 * exposes its snapshot run like any run, then its lag in seconds per sync id and the source
 * transactions it applies, which move when the source changes; a PostgreSQL logical-replication
 * sync also its lag in bytes of WAL; the token guards the scrape; no scrape carries a value of
 * the source's rows.
 */
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniformRates } from '../../src/synth/defects.js';
import { generateTo } from '../../src/synth/generate.js';
import { EXAMPLE_CONTRACT, query, startFerry, type FerryProcess } from '../fault/ferry-process.js';
import { createPgDatabase } from '../helpers/databases.js';
import { startPrivatePg, type PrivatePg } from '../helpers/private-pg.js';
import { patientSyncContract } from '../helpers/patient-sync-contract.js';
import { tempDir } from '../helpers/tmp.js';
import { fetchMetrics, matching, value, waitFor as poll } from '../metrics/scrape.js';

/** Waits as the test's process runs, naming its stderr if it never comes. */
const waitFor = <T>(probe: () => Promise<T | undefined>, what: string): Promise<T> => poll(probe, what, 60_000, () => sync?.stderr() ?? '');

const CONTRACT = patientSyncContract({ changeColumn: 'UPDATED', changeType: 'timestamp', nameSteps: 'steps: [trim, upper], rules: [required], ' });
const TOKEN = 'sync-metrics-token-0123456789';
/** Names in the source: never in a scrape, as typed or as loaded. */
const NAMES = ['Quentinella', 'Zebedorius', 'Marigoldina'];

let dir: string;
let cleanup: () => Promise<void>;
let sync: FerryProcess | undefined;
let priv: PrivatePg | undefined;
const drops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('ferry-sync-metrics-'));
  await writeFile(path.join(dir, 'contract.yaml'), CONTRACT);
  const db = new Database(path.join(dir, 'source.db'));
  db.exec(`CREATE TABLE PATIENT (ID integer PRIMARY KEY, NAME varchar(40), UPDATED timestamp);
           INSERT INTO PATIENT VALUES (1, '${NAMES[0]}', '2026-12-01 09:00:00'), (2, '${NAMES[1]}', '2026-12-01 09:05:00');`);
  db.close();
});
afterAll(async () => {
  if (sync && sync.child.exitCode === null && sync.child.signalCode === null) sync.child.kill('SIGKILL');
  await sync?.exited;
  for (const d of drops) await d().catch(() => undefined);
  await priv?.stop();
  await cleanup?.();
});

describe('ferry sync start --metrics-listen', () => {
  it('exposes the snapshot run, the lag per sync id and the transactions applied, which move as the source changes', async () => {
    sync = startFerry(
      [
        'sync',
        'start',
        'contract.yaml',
        '--source',
        `sqlite:${path.join(dir, 'source.db')}`,
        '--target',
        `sqlite:${path.join(dir, 'target.db')}`,
        '--method',
        'watermark',
        '--poll',
        '0.2',
        '--metrics-listen',
        '0',
      ],
      dir,
      { FERRY_METRICS_TOKEN: TOKEN, FERRY_DATABASE_URL: `sqlite:${path.join(dir, 'ferry.db')}` },
    );
    const base = await waitFor(async () => /metrics at (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(sync!.stderr())?.[1], 'the metrics listener');
    const url = `${base}/metrics`;
    expect((await fetchMetrics(url)).status).toBe(401);
    const syncId = await waitFor(async () => /^(sync-\S+)$/m.exec(sync!.stdout())?.[1], 'the sync id');
    const streaming = await waitFor(async () => {
      const t = (await fetchMetrics(url, TOKEN)).text;
      return matching(t, 'ferry_sync_lag_seconds', { sync_id: syncId }).length > 0 ? t : undefined;
    }, 'the first lag measurement');
    expect(value(streaming, 'ferry_sync_lag_seconds', { sync_id: syncId })).toBeGreaterThanOrEqual(0);
    // The snapshot was a run: counted by status and rows, outside any project.
    expect(value(streaming, 'ferry_runs_total', { tier: 'pre_production' })).toBe(1);
    expect(value(streaming, 'ferry_rows_loaded_total', { project: '', table: 'patient' })).toBe(2);
    const appliedBefore = value(streaming, 'ferry_sync_applied_transactions_total', { sync_id: syncId });

    const db = new Database(path.join(dir, 'source.db'));
    db.exec(`INSERT INTO PATIENT VALUES (3, '${NAMES[2]}', '2026-12-07 10:00:00'); UPDATE PATIENT SET NAME = 'Zebedorius Jr', UPDATED = '2026-12-07 10:01:00' WHERE ID = 2;`);
    db.close();
    const moved = await waitFor(async () => {
      const t = (await fetchMetrics(url, TOKEN)).text;
      return value(t, 'ferry_sync_applied_transactions_total', { sync_id: syncId }) > appliedBefore ? t : undefined;
    }, 'the changes applied');
    expect(matching(moved, 'ferry_sync_lag_seconds', { sync_id: syncId })).toHaveLength(1);
    for (const v of NAMES) {
      expect(moved, v).not.toContain(v);
      expect(moved, v).not.toContain(v.toUpperCase());
    }
    sync.child.kill('SIGINT');
    expect(await sync.exited, sync.stderr()).toBe(0);
  }, 120_000);

  it("exposes a logical-replication sync's lag in bytes of WAL as well as seconds", async () => {
    priv = await startPrivatePg();
    await query(priv.url('postgres'), 'CREATE DATABASE pas_metrics');
    const source = priv.url('pas_metrics');
    await generateTo(source, { seed: 23, patients: 60, rates: uniformRates(0.002), manifest: path.join(dir, 'pas.json') });
    const target = await createPgDatabase('ferry_sync_metrics_t');
    drops.push(target.drop);
    sync = startFerry(['sync', 'start', EXAMPLE_CONTRACT, '--source', source, '--target', target.url, '--metrics-listen', '127.0.0.1:0'], dir, {
      FERRY_METRICS_TOKEN: TOKEN,
      FERRY_DATABASE_URL: `sqlite:${path.join(dir, 'ferry-pg.db')}`,
    });
    const base = await waitFor(async () => /metrics at (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(sync!.stderr())?.[1], 'the metrics listener');
    const syncId = await waitFor(async () => /^(sync-\S+)$/m.exec(sync!.stdout())?.[1], 'the sync id');
    const text = await waitFor(async () => {
      const t = (await fetchMetrics(`${base}/metrics`, TOKEN)).text;
      return matching(t, 'ferry_sync_lag_bytes', { sync_id: syncId }).length > 0 ? t : undefined;
    }, 'the first lag measurement in bytes');
    expect(value(text, 'ferry_sync_lag_bytes', { sync_id: syncId })).toBeGreaterThanOrEqual(0);
    expect(matching(text, 'ferry_sync_lag_seconds', { sync_id: syncId })).toHaveLength(1);
    expect(value(text, 'ferry_rows_read_total', { project: '' })).toBeGreaterThan(60);
    // The source's own host and database never label a metric.
    expect(text).not.toContain('pas_metrics');
    sync.child.kill('SIGINT');
    expect(await sync.exited, sync.stderr()).toBe(0);
  }, 180_000);
});
