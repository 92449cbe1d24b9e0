/**
 * `ferry sync` as a user runs it: the real `ferry` process (bin/ferry.js, built by
 * `npm run build:cli`) against a synthetic PAS in a private logical-replication PostgreSQL and a
 * target on the machine's PostgreSQL, the audit trail in a temporary SQLite store. A sync is
 * started under a write load, killed with SIGKILL while changes flow, resumed at once (a killed
 * process cannot clear its heartbeat: the resume must not wait for it to go stale), and cut over
 * with zero mismatches; a second sync is stopped. The JSON and audit outputs never carry a
 * patient value. FERRY_SYNC_KILL_SEED replays a kill delay.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract/load.js';
import type { LoadedContract } from '../../src/contract/model.js';
import type { CutoverRecord } from '../../src/sync/cutover.js';
import { openSyncCapture } from '../../src/sync/open-capture.js';
import type { SyncStatus } from '../../src/sync/sync-status.js';
import { uniformRates } from '../../src/synth/defects.js';
import { generateTo } from '../../src/synth/generate.js';
import { Prng } from '../../src/synth/prng.js';
import { EXAMPLE_CONTRACT, query, runFerry, startFerry, until, type FerryProcess } from '../fault/ferry-process.js';
import { runsFrom } from '../fault/runs.js';
import { createPgDatabase } from '../helpers/databases.js';
import { startChurn } from '../helpers/pas-churn.js';
import { startPrivatePg, type PrivatePg } from '../helpers/private-pg.js';
import { tempDir } from '../helpers/tmp.js';

const SEED = runsFrom('FERRY_SYNC_KILL_SEED', Date.now() % 1_000_000);

let priv: PrivatePg;
let dir: string;
let cleanup: () => Promise<void>;
let loaded: LoadedContract;
let env: NodeJS.ProcessEnv;
const drops: Array<() => Promise<void>> = [];
const children: FerryProcess[] = [];
/** Everything the CLI printed on stdout (JSON records, status), checked for patient values at the end. */
const printed: string[] = [];
const fixtures: Array<{ source: string; target: string }> = [];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('ferry-cli-sync-'));
  env = { FERRY_DATABASE_URL: `sqlite:${path.join(dir, 'ferry.db')}`, FERRY_SOURCE_URL: '', FERRY_TARGET_URL: '' };
  priv = await startPrivatePg();
  loaded = await loadContract(EXAMPLE_CONTRACT);
}, 60_000);
afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
  for (const d of drops) await d().catch(() => undefined);
  await priv?.stop();
  await cleanup?.();
});

/** A fresh synthetic PAS in the private instance and an empty target on the shared server. */
async function fixture(name: string, patients: number): Promise<{ source: string; target: string }> {
  await query(priv.url('postgres'), `CREATE DATABASE ${name}`);
  const source = priv.url(name);
  await generateTo(source, { seed: 17, patients, rates: uniformRates(0.002), manifest: path.join(dir, `${name}.json`) });
  const t = await createPgDatabase('ferry_clisync_t');
  drops.push(t.drop);
  fixtures.push({ source, target: t.url });
  return { source, target: t.url };
}

function spawnFerry(args: string[]): FerryProcess {
  const p = startFerry(args, dir, env);
  children.push(p);
  return p;
}

async function ferry(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = await runFerry(args, dir, env);
  printed.push(r.stdout);
  return r;
}

async function status(target: string, syncId: string): Promise<SyncStatus> {
  const r = await ferry(['sync', 'status', syncId, '--target', target, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as SyncStatus;
}

/** The sync id: `ferry sync start` prints it on its first line. */
async function syncIdOf(p: FerryProcess): Promise<string> {
  expect(await until(() => p.stdout().includes('\n'), p, 60_000), p.stderr()).toBe(true);
  const id = p.stdout().split('\n')[0];
  expect(id).toMatch(/^sync-\d{8}-\d{6}-[0-9a-f]{6}$/);
  return id;
}

/** Polls `ferry sync status ID --json` until `ok` holds (false when the start process exited first). */
async function untilStatus(p: FerryProcess, target: string, syncId: string, ok: (s: SyncStatus) => boolean, ms = 90_000): Promise<SyncStatus> {
  let last: SyncStatus | undefined;
  // A pause between polls: each is a whole CLI process, on a machine the sync and the load share.
  const held = await until(async () => ok((last = await status(target, syncId))) || (await new Promise((r) => setTimeout(r, 500)), false), p, ms);
  expect(held, `the sync process exited: ${p.stderr()}`).toBe(true);
  return last!;
}

/** The replication slots of the database queried (each fixture is its own database). */
const SLOTS = 'SELECT slot_name FROM pg_replication_slots WHERE database = current_database()';
const columns = () => ({ PAT_MAST: Object.keys(loaded.contract.source.tables.PAT_MAST.columns), PAT_ADDR: Object.keys(loaded.contract.source.tables.PAT_ADDR.columns) });
const urls = (f: { source: string; target: string }): string[] => ['--source', f.source, '--target', f.target];

describe('ferry sync, the real process', () => {
  it('survives kill -9 while streaming under a write load: resumes at once and cuts over with zero mismatches', async () => {
    const f = await fixture('pas_cli_kill', 150);
    const churn = await startChurn(f.source, { tps: 30, seed: SEED, columns: columns() });
    try {
      const spawnedAt = Date.now();
      const first = spawnFerry(['sync', 'start', EXAMPLE_CONTRACT, ...urls(f)]);
      const syncId = await syncIdOf(first);
      console.log(`a new sync printed its id ${Date.now() - spawnedAt} ms after it was started`);
      const live = await untilStatus(first, f.target, syncId, (s) => s.state === 'streaming' && s.streaming && s.counts.transactions > 0);
      expect(live.progress?.pid).toBe(first.child.pid);

      // A random moment while changes flow: the stream has applied at least one unit.
      const delay = Math.round(new Prng(SEED).float() * 3000);
      await new Promise((r) => setTimeout(r, delay));
      const applied = (await status(f.target, syncId)).counts.transactions;
      first.child.kill('SIGKILL');
      const killedAt = Date.now();
      expect(await first.exited).toBeNull();
      console.log(`seed ${SEED}: killed ${delay} ms after streaming was seen, ${applied} transaction(s) applied`);
      const killed = await status(f.target, syncId);
      expect(killed.state).toBe('streaming');
      const dead = killed.progress!;
      expect(dead.pid).toBe(first.child.pid);
      // The worst case, whatever the machine's speed: the process died right after a heartbeat, and
      // that heartbeat stays live for longer than the resume takes to start (here: a minute).
      await query(f.target, 'UPDATE _ferry_syncs SET progress = $1 WHERE sync_id = $2', [JSON.stringify({ ...dead, heartbeatAt: new Date(Date.now() + 60_000).toISOString() }), syncId]);
      expect((await status(f.target, syncId)).streaming).toBe(true);

      // Resumed while the load goes on: the slot keeps the changes nobody streams.
      const atKill = churn.committed;
      const resumedAt = Date.now();
      const resumed = spawnFerry(['sync', 'start', EXAMPLE_CONTRACT, '--resume', syncId, ...urls(f)]);
      // The id is printed once the resume was accepted, before the lookups are loaded.
      expect(await until(() => resumed.stdout().includes('\n'), resumed, 60_000), resumed.stderr()).toBe(true);
      const acceptedAt = Date.now();
      expect(await until(() => resumed.stdout().includes('streaming from'), resumed, 60_000), resumed.stderr()).toBe(true);
      console.log(`resume accepted ${acceptedAt - resumedAt} ms after it was started (${acceptedAt - killedAt} ms after the kill); streaming ${Date.now() - killedAt} ms after the kill`);
      expect(resumed.stdout().split('\n')[0]).toBe(syncId);
      expect(churn.committed).toBeGreaterThan(atKill);
      await untilStatus(resumed, f.target, syncId, (s) => s.streaming && s.progress?.pid === resumed.child.pid && s.counts.transactions > applied);
      const written = await churn.stop();
      expect(written.transactions).toBeGreaterThan(0);

      const cut = await ferry(['sync', 'cutover', syncId, EXAMPLE_CONTRACT, ...urls(f), '--quiet', '1', '--json']);
      expect(cut.code, `${cut.stderr}\n${cut.stdout}`).toBe(0);
      const record = JSON.parse(cut.stdout) as CutoverRecord;
      console.log(`cutover: window ${record.windowMs} ms, ${record.counts.transactions} transaction(s) streamed, ${written.transactions} written by the load, ${record.pending.length} row(s) pending`);
      expect(record.matched).toBe(true);
      expect(record.reconciliation.status).toBe('match');
      expect(record.reconciliation.tables.length).toBeGreaterThan(0);
      expect(record.reconciliation.tables.filter((t) => t.missing + t.extra + t.different > 0)).toEqual([]);
      expect(record.gate.failing).toEqual([]);
      // The resumed process saw the stop request and ended by itself.
      expect(await resumed.exited, resumed.stderr()).toBe(0);
      expect(resumed.stdout()).toContain(`sync ${syncId} stopped on request`);
      printed.push(first.stdout(), resumed.stdout());

      const after = await status(f.target, syncId);
      expect(after.state).toBe('cut_over');
      expect(after.cutover).toMatchObject({ syncId, matched: true });
      const list = await ferry(['sync', 'status', '--target', f.target, '--json']);
      expect(list.code).toBe(0);
      expect((JSON.parse(list.stdout) as SyncStatus[]).map((s) => [s.syncId, s.state])).toEqual([[syncId, 'cut_over']]);
      const human = await ferry(['sync', 'status', '--target', f.target]);
      expect(human.code).toBe(0);
      expect(human.stdout).toContain(`${syncId}  cut_over`);
      expect(human.stdout).toMatch(/cutover matched at /);
      expect(await query(f.source, SLOTS)).toEqual([]);
    } finally {
      await churn.stop().catch(() => undefined);
    }
  }, 300_000);

  it('stops a second sync: the start process exits 0 and the slot is gone from the source', async () => {
    const f = await fixture('pas_cli_stop', 40);
    const start = spawnFerry(['sync', 'start', EXAMPLE_CONTRACT, ...urls(f)]);
    const syncId = await syncIdOf(start);
    await untilStatus(start, f.target, syncId, (s) => s.state === 'streaming' && s.streaming);
    expect(await query(f.source, SLOTS)).toHaveLength(1);
    // What a resume asks the source to tell a live streamer from a killed one.
    const capture = await openSyncCapture('log', f.source, loaded, {});
    try {
      expect(await capture.readerActive?.(syncId)).toBe(true);
    } finally {
      await capture.close();
    }
    const stop = await ferry(['sync', 'stop', syncId, EXAMPLE_CONTRACT, ...urls(f)]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toContain(`sync ${syncId} stopped`);
    expect(await start.exited, start.stderr()).toBe(0);
    printed.push(start.stdout());
    expect(await query(f.source, SLOTS)).toEqual([]);
    expect(await query(f.source, 'SELECT pubname FROM pg_publication')).toEqual([]);
    expect((await status(f.target, syncId)).state).toBe('stopped');
  }, 180_000);

  it('refuses a second live streamer, and resumes past a killed one from another machine once its slot is idle and it missed its beats', async () => {
    const f = await fixture('pas_cli_elsewhere', 40);
    const start = spawnFerry(['sync', 'start', EXAMPLE_CONTRACT, ...urls(f)]);
    const syncId = await syncIdOf(start);
    await untilStatus(start, f.target, syncId, (s) => s.state === 'streaming' && s.streaming);
    const twice = await ferry(['sync', 'start', EXAMPLE_CONTRACT, '--resume', syncId, ...urls(f)]);
    expect(twice.code).toBe(9);
    expect(twice.stderr).toContain(`is being streamed by another process (pid ${start.child.pid}`);

    start.child.kill('SIGKILL');
    await start.exited;
    const capture = await openSyncCapture('log', f.source, loaded, {});
    try {
      // The source notices the dead client and lets go of the slot.
      const deadline = Date.now() + 30_000;
      while ((await capture.readerActive!(syncId)) !== false && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await capture.readerActive!(syncId)).toBe(false);
    } finally {
      await capture.close();
    }
    // As if it had streamed from another machine and beat just now: no pid to look at here.
    const dead = (await status(f.target, syncId)).progress!;
    const beatAt = Date.now();
    await query(f.target, 'UPDATE _ferry_syncs SET progress = $1 WHERE sync_id = $2', [
      JSON.stringify({ ...dead, host: 'ward-server-2/pid:[4026531836]', heartbeatAt: new Date(beatAt).toISOString() }),
      syncId,
    ]);
    const resumed = spawnFerry(['sync', 'start', EXAMPLE_CONTRACT, '--resume', syncId, ...urls(f)]);
    expect(await until(() => resumed.stdout().includes('\n'), resumed, 60_000), resumed.stderr()).toBe(true);
    const acceptedAfter = Date.now() - beatAt;
    console.log(`resume past a streamer of another machine accepted ${acceptedAfter} ms after its last heartbeat`);
    // It waited until the streamer had missed 2 beats of 2 s.
    expect(acceptedAfter).toBeGreaterThanOrEqual(4_000);
    await untilStatus(resumed, f.target, syncId, (s) => s.streaming && s.progress?.pid === resumed.child.pid);

    const stop = await ferry(['sync', 'stop', syncId, EXAMPLE_CONTRACT, ...urls(f)]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(await resumed.exited, resumed.stderr()).toBe(0);
    printed.push(start.stdout(), resumed.stdout());
    expect(await query(f.source, SLOTS)).toEqual([]);
  }, 180_000);

  it('records sync:started, sync:stopped and sync:cutover in a valid audit chain, without a patient value', async () => {
    const verify = await ferry(['audit', 'verify']);
    expect(verify.code, verify.stderr).toBe(0);
    const list = await ferry(['audit', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const { events } = JSON.parse(list.stdout) as { events: Array<{ type: string; payload: Record<string, unknown> }> };
    const syncEvents = events.filter((e) => e.type.startsWith('sync:'));
    const types = syncEvents.map((e) => e.type);
    // Three syncs started, two resumed (a refused resume records nothing); killed processes could not say they stopped; one cut over, two stopped.
    expect(types.filter((t) => t === 'sync:started')).toHaveLength(5);
    expect(syncEvents.filter((e) => e.type === 'sync:started' && e.payload.resumed === true)).toHaveLength(2);
    expect(types.filter((t) => t === 'sync:cutover')).toHaveLength(1);
    expect(syncEvents.filter((e) => e.type === 'sync:stopped').map((e) => e.payload.reason)).toEqual(['stopped', 'stopped']);
    expect(types).not.toContain('sync:failed');

    // No NHS number or hospital number from either source (churned rows included) in anything printed or audited.
    const everything = [...printed, list.stdout].join('\n');
    let checked = 0;
    for (const { source } of fixtures) {
      const rows = await query<{ nhs: string | null; hosp: string | null }>(source, 'SELECT "PAT_NHSNO" AS nhs, "PAT_HOSPNO" AS hosp FROM "PAT_MAST"');
      for (const r of rows) {
        for (const v of [r.nhs, r.hosp]) {
          if (!v || v.trim().length < 6) continue;
          checked++;
          expect(everything.includes(v.trim()), `a source value leaked into the output`).toBe(false);
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  }, 120_000);

  it('refuses usage errors with exit code 2 and an unknown sync with not_found', async () => {
    const noSource = await ferry(['sync', 'start', EXAMPLE_CONTRACT, '--target', 'postgres://postgres@127.0.0.1:5432/postgres']);
    expect(noSource.code).toBe(2);
    expect(noSource.stderr).toContain('no source: give --source URL or set FERRY_SOURCE_URL');
    const f = fixtures[0] ?? (await fixture('pas_cli_usage', 10));
    const unknown = await ferry(['sync', 'cutover', 'sync-20990101-000000-000000', EXAMPLE_CONTRACT, ...urls(f), '--quiet', '1']);
    expect(unknown.code).toBe(7);
    expect(unknown.stderr).toContain('sync sync-20990101-000000-000000 is not recorded in the target');
  }, 60_000);
});
