/**
 * The local runner and the distributed runner are the same runner: the example contract over a
 * defect-laden `ferry synth` PostgreSQL source, run three ways with real processes —
 *   1. locally, each table in one piece (the reference);
 *   2. through a PostgreSQL job queue with one `ferry worker`;
 *   3. through the queue with three workers, one of them killed with SIGKILL while it loads a
 *      partition —
 * must leave identical target tables, lineage and quarantine (as sets), identical reports (apart
 * from run ids, timings and the target URL), the same exit code and audit events with the same
 * digests (apart from times and ids). The killed worker's partition is picked up by another
 * after its lease; the test logs how long that took.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/run/report.js';
import { createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';
import { readReport } from './example-source.js';
import { EXAMPLE_CONTRACT, query, runFerry, startFerry, targetFingerprint, type FerryProcess } from './ferry-process.js';

/** Exit code of a run whose quality gate failed (docs/cli.md): the defects make the pre-production gate fail, in every mode alike. */
const EXIT_GATE = 6;
/** Small commit units, so a partition takes long enough to be killed inside. */
const BATCH = ['--batch-size', '40'];
/** Partitions of a few hundred rows for the queued runs. */
const PARTITIONS = ['--partitions', '4', '--partition-min-rows', '500', '--concurrency', '4'];
/** A short lease and maintenance, so a dead worker's partition is taken over within seconds; long enough that a partition loads within it on a busy machine. */
const LEASE = ['--lease', '10'];
const WORKER = ['--maintenance-interval', '1'];

let dir: string;
let cleanup: () => Promise<void>;
let sourceUrl: string;
const dbs: Array<{ drop: () => Promise<void> }> = [];
const workers: FerryProcess[] = [];

async function database(prefix: string): Promise<string> {
  const db = await createPgDatabase(prefix);
  dbs.push(db);
  return db.url;
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('ferry-dual-'));
  sourceUrl = await database('ferry_dual_src');
  const synth = await runFerry(['synth', '--out', sourceUrl, '--patients', '1200', '--defects', '0.02', '--seed', '11'], dir);
  expect(synth.code, synth.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  for (const w of workers) w.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  for (const d of dbs) await d.drop();
  await cleanup?.();
});

function startWorker(queueUrl: string, targetUrl: string): FerryProcess {
  const w = startFerry(['worker', '--queue', queueUrl, '--allow', sourceUrl, '--allow', targetUrl, ...WORKER], dir);
  workers.push(w);
  return w;
}

async function stopWorker(w: FerryProcess): Promise<void> {
  w.child.kill('SIGTERM');
  await w.exited;
}

interface Outcome {
  code: number | null;
  report: RunReport;
  fingerprint: Awaited<ReturnType<typeof targetFingerprint>>;
  audit: string;
}

async function finish(name: string, code: number | null, stderr: string, targetUrl: string): Promise<Outcome> {
  expect(code, stderr).toBe(EXIT_GATE);
  const report = await readReport(path.join(dir, `${name}.json`));
  return { code, report, fingerprint: await targetFingerprint(targetUrl), audit: await auditDigest(name, report.runId) };
}

function runArgs(name: string, targetUrl: string): string[] {
  return ['run', EXAMPLE_CONTRACT, '--source', sourceUrl, '--target', targetUrl, ...BATCH, '--report', path.join(dir, `${name}.json`), '--store', `sqlite:${path.join(dir, `${name}.db`)}`];
}

/**
 * The run's audit events as a digest of their types and payloads, without times, sequence
 * numbers, run ids and URLs that differ by design. Progress samples (`batch:loaded`) are left
 * out, since where they fall depends on commit units and on how often the run looks at its
 * workers, and the events are compared as a set: tables that load side by side finish in
 * either order.
 */
async function auditDigest(name: string, runId: string): Promise<string> {
  const out = await runFerry(['audit', 'list', '--run', runId, '--json', '--limit', '1000', '--store', `sqlite:${path.join(dir, `${name}.db`)}`], dir);
  expect(out.code, out.stderr).toBe(0);
  const events = (JSON.parse(out.stdout) as { events: Array<{ seq: number; type: string; payload: unknown }> }).events.sort((a, b) => a.seq - b.seq);
  expect(events.length).toBeGreaterThan(1);
  const lines = events
    .filter((e) => e.type !== 'batch:loaded')
    .map((e) => JSON.stringify({ type: e.type, payload: e.payload }, (k, v: unknown) => (VARYING.has(k) || /elapsed|PerSecond|At$/i.test(k) ? undefined : v)))
    .sort();
  expect(lines.some((l) => l.includes('"type":"table:finished"'))).toBe(true);
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}
const VARYING = new Set(['runId', 'target', 'targetUrl', 'time', 'seq', 'keyRanges']);

/** A report without what differs between runs by design. */
function comparable(r: RunReport): unknown {
  return JSON.parse(JSON.stringify(r, (k, v: unknown) => (VARYING.has(k) || /elapsed|PerSecond|At$|peak|rss/i.test(k) ? undefined : v)));
}

describe('one contract, three runners: local, one queue worker, three queue workers with one killed', () => {
  it('leave the same target, lineage, quarantine, report and audit events', async () => {
    // 1. Local.
    const localTarget = await database('ferry_dual_local');
    const local = await runFerry(runArgs('local', localTarget), dir);
    const a = await finish('local', local.code, local.stderr, localTarget);
    expect(a.report.tables.length).toBeGreaterThan(5);

    // 2. One worker.
    const oneTarget = await database('ferry_dual_one');
    const oneQueue = await database('ferry_dual_q1');
    const w = startWorker(oneQueue, oneTarget);
    const one = await runFerry([...runArgs('one', oneTarget), ...PARTITIONS, '--queue', oneQueue, ...LEASE], dir);
    await stopWorker(w);
    const b = await finish('one', one.code, one.stderr, oneTarget);
    expect(w.stderr()).toMatch(/partition \S+\/\d+ done/);

    // 3. Three workers; one is killed inside a partition.
    const threeTarget = await database('ferry_dual_three');
    const threeQueue = await database('ferry_dual_q3');
    const three = [startWorker(threeQueue, threeTarget), startWorker(threeQueue, threeTarget), startWorker(threeQueue, threeTarget)];
    const run = startFerry([...runArgs('three', threeTarget), ...PARTITIONS, '--queue', threeQueue, ...LEASE], dir);
    // The victim is the first worker to start a partition of a large table (lab results: several hundred rows in 40-row commits).
    let victim: { worker: FerryProcess; partition: string; killedAt: number } | undefined;
    const started = /job \S+: run \S+ partition (lab_result\/\d+) \(attempt 1\)\n/;
    const victimDeadline = Date.now() + 180_000;
    while (!victim) {
      for (const wk of three) {
        const m = started.exec(wk.stderr());
        if (!m || wk.stderr().includes(`partition ${m[1]} done`)) continue;
        // Killed only while its partition is unfinished in the target: a job completes only after
        // its done checkpoint, so the kill cannot land after the queue recorded the job complete.
        const [cp] = await query<{ done: boolean }>(threeTarget, 'SELECT done FROM _ferry_checkpoints WHERE table_name = $1', [m[1]]).catch(() => [{ done: false }]);
        if (cp?.done) continue;
        wk.child.kill('SIGKILL');
        victim = { worker: wk, partition: m[1], killedAt: Date.now() };
        break;
      }
      if (!victim) {
        if (Date.now() > victimDeadline) throw new Error(`no worker was caught inside a lab_result partition:\n${three.map((x) => x.stderr().slice(-2000)).join('\n')}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    await victim.worker.exited;
    const others = three.filter((x) => x !== victim!.worker);
    let pickedUpMs: number | undefined;
    const retried = new RegExp(`partition ${victim.partition.replace('/', '\\/')} \\(attempt [2-9]\\)`);
    let runExited = false;
    void run.exited.then(() => (runExited = true));
    const deadline = Date.now() + 240_000;
    while (!runExited) {
      if (pickedUpMs === undefined && others.some((x) => retried.test(x.stderr()))) pickedUpMs = Date.now() - victim.killedAt;
      if (Date.now() > deadline) {
        run.child.kill('SIGKILL');
        throw new Error(
          `the queued run did not finish within 240 s of the kill of the worker inside ${victim.partition}.\nrun:\n${run.stderr().slice(-3000)}\n${others.map((x, i) => `worker ${i}:\n${x.stderr().slice(-3000)}`).join('\n')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    if (pickedUpMs === undefined && others.some((x) => retried.test(x.stderr()))) pickedUpMs = Date.now() - victim.killedAt;
    for (const x of others) await stopWorker(x);
    console.log(`dual runner: worker killed inside ${victim.partition}; another worker took it over ${pickedUpMs} ms later (lease 10 s, maintenance 1 s)`);
    expect(pickedUpMs, others.map((x) => x.stderr()).join('\n')).toBeDefined();
    expect(pickedUpMs!).toBeLessThan(60_000);
    const c = await finish('three', await run.exited, run.stderr(), threeTarget);

    for (const other of [b, c]) {
      expect(other.fingerprint).toEqual(a.fingerprint);
      expect(comparable(other.report)).toEqual(comparable(a.report));
      expect(other.audit).toBe(a.audit);
    }
  }, 600_000);
});
