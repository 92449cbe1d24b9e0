/**
 * Benchmark of incremental sync (issue #18): the sustained apply rate and lag of
 * `ferry sync start` under a steady write load, and the cutover window, with the example contract
 * over the synthetic PAS. It times what a user runs, the whole `ferry` process (the compiled bin):
 *
 * 1. a private logical-replication PostgreSQL with BENCH_SYNC_PATIENTS synthetic patients (the
 *    source) and a fresh database on the machine's PostgreSQL (the target);
 * 2. `ferry sync start --json` as a child process: the snapshot time (spawn → `sync:streaming`),
 *    then BENCH_SYNC_SECONDS of write load at BENCH_SYNC_RATE changes/s from BENCH_SYNC_CLIENTS
 *    PAS churn clients: lag percentiles from every applied transaction's commit-to-commit delay
 *    (the first 5 s skipped), apply rate, the sync process's peak RSS and CPU, the machine's cores;
 * 3. the freeze (the load stops) and at once `ferry sync cutover --quiet BENCH_SYNC_QUIET --json`,
 *    timed: its wall time and its record's window and parts; it must match, or the bench fails;
 * 4. the physical limit in the same run: one client's single-row upsert transactions per second
 *    on the target server.
 *
 * Wired into bench/run.ts as `sync`. Everything it creates is removed, also on failure.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadContract } from '../../src/contract/load.js';
import { EXIT_CODES } from '../../src/errors.js';
import { generateTo } from '../../src/synth/generate.js';
import { uniformRates } from '../../src/synth/defects.js';
import type { CutoverRecord } from '../../src/sync/cutover.js';
import { startPrivatePg, type PrivatePg } from '../../test/helpers/private-pg.js';
import { dropPgDatabase, fmt, freshPgDatabase } from '../lib.js';
import { machineCpu } from '../partitions/processes.js';
import { FerryChild, type Printed } from './ferry-child.js';
import { upsertFloor } from './floor.js';
import { appliedBetween, lagOf, type AppliedUnit } from './lag.js';
import { CHANGES_PER_TRANSACTION, startLoad, type Load, type LoadResult } from './load.js';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const ROOT = path.resolve(HERE, '../..');
const CONTRACT = path.join(ROOT, 'examples/legacy-pas/contract.yaml');
const TARGET_DB = 'ferry_bench_sync_dst';
const WARM_UP_MS = 5_000;
const SEED = 18;
const DEFECT_RATE = 0.002;
/** The issue's targets. */
const LAG_TARGET_MS = 5_000;
const WINDOW_TARGET_MS = 60_000;

export interface SyncBenchOptions {
  patients: number;
  /** Changes per second offered by the load. */
  rate: number;
  seconds: number;
  clients: number;
  /** The cutover's `--quiet` seconds. */
  quiet: number;
  /** Single-row upserts for the target server's floor. */
  floorTransactions: number;
}

/** The benchmark's settings from BENCH_SYNC_* (defaults: the issue's 20,000 patients, 1,000 changes/s for 60 s). */
export function syncBenchOptions(env: NodeJS.ProcessEnv): SyncBenchOptions {
  const n = (name: string, dflt: number) => {
    const v = Number(env[name] ?? dflt);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number, got ${env[name]}`);
    return v;
  };
  return {
    patients: n('BENCH_SYNC_PATIENTS', 20_000),
    rate: n('BENCH_SYNC_RATE', 1_000),
    seconds: n('BENCH_SYNC_SECONDS', 60),
    clients: n('BENCH_SYNC_CLIENTS', 4),
    quiet: n('BENCH_SYNC_QUIET', 5),
    floorTransactions: n('BENCH_SYNC_FLOOR', 2_000),
  };
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const msOrS = (ms: number) => (Number.isNaN(ms) ? '–' : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);
const c2 = (x: number) => x.toFixed(2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type SyncPrinted =
  | { type: 'sync:id'; syncId: string }
  | { type: 'sync:streaming' }
  | { type: 'sync:applied'; unit: Omit<AppliedUnit, 'at'> }
  | { type: 'sync:progress'; progress: { lagSeconds: number } }
  | { type: string };

/** What the streaming `ferry sync start` process printed, collected as it arrives. */
class SyncWatch {
  syncId?: string;
  streamingAt?: number;
  readonly units: AppliedUnit[] = [];
  /** Heartbeat lag (seconds) with when it was read. */
  readonly heartbeats: Array<{ at: number; lagSeconds: number }> = [];

  hear = (p: Printed): void => {
    const v = p.value as SyncPrinted;
    if (v.type === 'sync:id') this.syncId = (v as { syncId: string }).syncId;
    else if (v.type === 'sync:streaming') this.streamingAt = p.at;
    else if (v.type === 'sync:applied') this.units.push({ at: p.at, ...(v as { unit: Omit<AppliedUnit, 'at'> }).unit });
    else if (v.type === 'sync:progress') this.heartbeats.push({ at: p.at, lagSeconds: (v as { progress: { lagSeconds: number } }).progress.lagSeconds });
  };
}

/** Waits until `ready()` or throws if the child exits first or `timeoutMs` passes. */
async function until(child: FerryChild, ready: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ready()) {
    if (!child.running) throw new Error(`ferry sync start exited before ${what}: ${child.tail()}`);
    if (Date.now() > end) throw new Error(`ferry sync start did not reach ${what} within ${timeoutMs / 1000} s: ${child.tail()}`);
    await sleep(100);
  }
}

/** The cutover record's parts, from its timestamps and when the streaming process exited. */
function cutoverParts(r: CutoverRecord, streamExitAt: number): Array<[string, number]> {
  const t = (iso: string) => Date.parse(iso);
  const stopEnd = Math.min(Math.max(streamExitAt, t(r.frozenAt)), t(r.drainedAt));
  return [
    [`freeze: until the source's head had not moved for ${r.quietSeconds} s (\`--quiet\`)`, t(r.frozenAt) - t(r.startedAt)],
    ['stop: until the streaming process had exited', stopEnd - t(r.frozenAt)],
    ['drain: the changes still unapplied, until nothing arrived for 3 s', t(r.drainedAt) - stopEnd],
    ['gates (a dry run over every source row) and reconciliation (every row, source against target)', t(r.finishedAt) - t(r.drainedAt)],
  ];
}

/** Why the record did not match, in codes and tables (never values). */
function mismatchOf(r: CutoverRecord): string {
  const tables = r.reconciliation.tables.filter((t) => t.missing + t.extra + t.different > 0).map((t) => `${t.table}: ${t.missing} missing, ${t.extra} extra, ${t.different} different`);
  const codes = [...new Set(r.reconciliation.mismatches.map((m) => m.code))];
  const gates = r.gate.failing.map((g) => `${g.kpi}${g.table ? ` (${g.table})` : ''}`);
  return `reconciliation ${r.reconciliation.status} [${tables.join('; ')}] codes [${codes.join(', ')}]; gate ${r.gate.verdict} failing [${gates.join(', ')}]; ${r.pending.length} pending row(s)`;
}

/** The reconciliation's own status when it is not `match` although every table matched (its business checks count quarantined source rows too). */
function reconciliationNote(r: CutoverRecord): string {
  if (r.reconciliation.status === 'match') return '';
  const codes = [...new Set(r.reconciliation.mismatches.map((m) => m.code))].join(', ');
  return ` (the reconciliation's status is ${r.reconciliation.status} only through ${codes}: those checks count quarantined source rows too, which is why a cutover matches on the tables and the gate)`;
}

/** Measured figures, for the section. */
interface Figures {
  o: SyncBenchOptions;
  baseline: number;
  generateMs: number;
  sourceRows: number;
  snapshotMs: number;
  load: LoadResult;
  /** Rows the load inserted, updated and deleted at the source (pg_stat_user_tables). */
  sourceChanges: number;
  loadMs: number;
  lag: ReturnType<typeof lagOf>;
  applied: ReturnType<typeof appliedBetween>;
  appliedMs: number;
  heartbeatMaxS: number;
  ferryLoadCores: number;
  benchLoadCores: number;
  machineLoadCores: number;
  syncUsage: { maxRssMb: number; cpuMs: number };
  streamedDuringLoad: number;
  cutWallMs: number;
  cutUsage: { maxRssMb: number; cpuMs: number };
  cutCores: number;
  record: CutoverRecord;
  parts: Array<[string, number]>;
  floor: Awaited<ReturnType<typeof upsertFloor>>;
}

async function sourceRowCount(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>("SELECT sum(n_live_tup)::bigint AS n FROM pg_stat_user_tables WHERE schemaname = 'public'");
    return Number(r.rows[0]!.n);
  } finally {
    await c.end();
  }
}

/** Rows inserted, updated and deleted in the churned tables since the server started (pg_stat_user_tables): what the load really changed, statements that found no row not counted. */
async function sourceRowChanges(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>("SELECT sum(n_tup_ins + n_tup_upd + n_tup_del)::bigint AS n FROM pg_stat_user_tables WHERE relname IN ('PAT_MAST', 'PAT_ADDR')");
    return Number(r.rows[0]!.n ?? 0);
  } finally {
    await c.end();
  }
}

/** Runs the whole measurement in `dir`; everything it starts is stopped and dropped before it returns or throws. */
async function measure(o: SyncBenchOptions, dir: string, baseline: number): Promise<Figures> {
  const floor = await upsertFloor(o.floorTransactions);
  console.log(`target server floor: ${fmt(floor.perSecond)} single-row upsert transactions/s (one client)`);
  const loaded = await loadContract(CONTRACT);
  const columns = { PAT_MAST: Object.keys(loaded.contract.source.tables.PAT_MAST!.columns), PAT_ADDR: Object.keys(loaded.contract.source.tables.PAT_ADDR!.columns) };
  let priv: PrivatePg | undefined;
  let load: Load | undefined;
  const children: FerryChild[] = [];
  try {
    priv = await startPrivatePg();
    const admin = new pg.Client({ connectionString: priv.url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE pas');
    await admin.end();
    const source = priv.url('pas');
    const t0 = performance.now();
    await generateTo(source, { seed: SEED, patients: o.patients, rates: uniformRates(DEFECT_RATE), manifest: path.join(dir, 'defects.json') });
    const generateMs = performance.now() - t0;
    const sourceRows = await sourceRowCount(source);
    console.log(`source: ${fmt(o.patients)} patients, about ${fmt(sourceRows)} rows, generated in ${secs(generateMs)}`);
    const target = await freshPgDatabase(TARGET_DB);
    const store = `sqlite:${path.join(dir, 'store.db')}`;
    const urls = ['--source', source, '--target', target, '--store', store];

    const watch = new SyncWatch();
    const sync = FerryChild.start(['sync', 'start', CONTRACT, ...urls, '--json'], dir, watch.hear);
    children.push(sync);
    await until(sync, () => watch.streamingAt !== undefined, 'streaming', 60 * 60_000);
    const snapshotMs = watch.streamingAt! - sync.startedAt;
    console.log(`sync ${watch.syncId}: snapshot ${secs(snapshotMs)}, streaming`);

    const changes0 = await sourceRowChanges(source);
    load = await startLoad(source, { changesPerSecond: o.rate, clients: o.clients, columns });
    const loadStart = Date.now();
    const ferryCpu0 = sync.cpuMs();
    const benchCpu0 = process.cpuUsage();
    const machine = machineCpu();
    const loadEnd = loadStart + o.seconds * 1000;
    while (Date.now() < loadEnd) {
      if (!sync.running) throw new Error(`ferry sync start exited during the load: ${sync.tail()}`);
      await sleep(Math.min(5_000, loadEnd - Date.now()));
      const beat = watch.heartbeats.at(-1);
      console.log(
        `  ${secs(Date.now() - loadStart)}: ${fmt(load.committed)} transactions written, ${fmt(watch.units.reduce((n, u) => n + u.transactions, 0))} applied; lag ${beat ? `${beat.lagSeconds.toFixed(1)} s` : '?'}`,
      );
    }
    // The freeze: the writers stop, and the cutover starts at once.
    const written = await load.stop();
    load = undefined;
    const freezeAt = Date.now();
    const ferryLoadMs = sync.cpuMs() - ferryCpu0;
    const benchCpu = process.cpuUsage(benchCpu0);
    const machineLoadCores = machine();
    const loadMs = freezeAt - loadStart;

    const cutCpu = machineCpu();
    const cut = FerryChild.start(['sync', 'cutover', watch.syncId!, CONTRACT, ...urls, '--quiet', String(o.quiet), '--json'], dir);
    children.push(cut);
    const cutExit = await cut.exit;
    const cutWallMs = cutExit.at - cut.startedAt;
    const cutCores = cutCpu();
    const record = cut.printed.at(-1)?.value as CutoverRecord | undefined;
    // Exit 0 when matched, the gate's exit code when not (the record is printed either way), anything else an error.
    if (!record || (cutExit.code !== 0 && cutExit.code !== EXIT_CODES.gate)) throw new Error(`ferry sync cutover exited with ${cutExit.code}: ${cut.tail()}`);
    if (!record.matched) {
      // Kept for the investigation (keys and codes only, no row values): the run's directory is removed.
      const kept = path.join(os.tmpdir(), `ferry-bench-sync-cutover-${Date.now()}.json`);
      await writeFile(kept, JSON.stringify(record, null, 2));
      throw new Error(`the cutover did not match, so its window is no measurement: ${mismatchOf(record)}; record in ${kept}`);
    }
    // The streaming process stops when the cutover asks it to; it is long gone by now.
    const streamExit = await Promise.race([sync.exit, sleep(30_000).then(() => undefined)]);
    if (!streamExit) throw new Error('ferry sync start was still running 30 s after a matched cutover');
    if (streamExit.code !== 0) throw new Error(`ferry sync start exited with ${streamExit.code}: ${sync.tail()}`);
    console.log(`cutover matched: command ${secs(cutWallMs)}, window ${secs(record.windowMs)}`);
    // Read after the cutover: the churn clients' statistics reach the server when their sessions end, and nothing has written since the freeze.
    const sourceChanges = (await sourceRowChanges(source)) - changes0;

    const from = loadStart + WARM_UP_MS;
    return {
      o,
      baseline,
      generateMs,
      sourceRows,
      snapshotMs,
      load: written,
      sourceChanges,
      loadMs,
      lag: lagOf(watch.units, from, freezeAt),
      applied: appliedBetween(watch.units, from, freezeAt),
      appliedMs: freezeAt - from,
      heartbeatMaxS: Math.max(0, ...watch.heartbeats.filter((h) => h.at >= from && h.at <= freezeAt).map((h) => h.lagSeconds)),
      ferryLoadCores: ferryLoadMs / loadMs,
      benchLoadCores: (benchCpu.user + benchCpu.system) / 1000 / loadMs,
      machineLoadCores,
      syncUsage: await sync.usage(),
      streamedDuringLoad: lagOf(watch.units, loadStart, freezeAt).transactions,
      cutWallMs,
      cutUsage: await cut.usage(),
      cutCores,
      record,
      parts: cutoverParts(record, streamExit.at),
      floor,
    };
  } finally {
    for (const c of children) c.kill();
    await load?.stop().catch(() => undefined);
    await priv?.stop();
    await dropPgDatabase(TARGET_DB);
  }
}

/** What limits the rate, stated from this run's figures. */
function limits(f: Figures): string {
  const cores = os.cpus().length;
  const achieved = (f.load.changes / f.load.ms) * 1000;
  const appliedTps = (f.applied.transactions / f.appliedMs) * 1000;
  const others = Math.max(0, f.machineLoadCores - f.ferryLoadCores - f.benchLoadCores);
  const perUnit = f.applied.units ? f.applied.transactions / f.applied.units : 0;
  const saturated = f.machineLoadCores >= cores - 0.25;
  const paras = [
    `**What limits the rate.** During the load the machine had ${c2(f.machineLoadCores)} of its ${cores} cores busy on average: the \`ferry sync start\` process ${c2(f.ferryLoadCores)}, the load generator (the churn clients, and the bench reading the sync's events) ${c2(f.benchLoadCores)}, and PostgreSQL — the source's backends and WAL sender, the target's backends — with anything else on the machine ${c2(others)}. ` +
      (saturated ? 'The cores were saturated, so Ferry, the load and both servers were taking time from one another. ' : 'Cores were left idle, so the machine as a whole was not the limit. ') +
      (achieved < f.o.rate * 0.95
        ? `The load offered ${fmt(f.o.rate)} changes/s but achieved ${fmt(achieved)}: its ${f.o.clients} client(s) could not commit faster on this machine, so the sync was not measured at the full rate. `
        : `The load achieved the offered ${fmt(f.o.rate)} changes/s. `) +
      `The stream applied ${fmt(appliedTps)} source transactions/s in ${((f.applied.units / f.appliedMs) * 1000).toFixed(1)} target transactions/s (${perUnit.toFixed(1)} source transactions per unit on average: whatever had arrived while the previous unit committed), with p95 lag ${msOrS(f.lag.p95)}` +
      (f.lag.p95 < LAG_TARGET_MS ? '; it kept up with the load, so its own ceiling lies above this rate and was not measured.' : ', so the stream fell behind the load.'),
    `**The physical limit.** One client committing single-row upserts on the target server managed ${fmt(f.floor.perSecond)} transactions/s (${fmt(f.floor.transactions)} in ${secs(f.floor.ms)}, measured in the same run before the sync). A stream applying each source transaction as its own target transaction could go no faster than that; Ferry's units group the waiting transactions into one target commit, so its rate is bounded by the work per change (evaluation through the contract, the upserts, lineage and counts) rather than by commits.`,
  ];
  if (f.baseline > 0.2) paras.push(`_The machine was not quiet: before the run, ${c2(f.baseline)} cores were busy with other work (3 s sample), so these figures are disturbed._`);
  return paras.join('\n\n');
}

/** The markdown section from the figures. */
function section(f: Figures): string {
  const achieved = (f.load.changes / f.load.ms) * 1000;
  const achievedTps = (f.load.transactions / f.load.ms) * 1000;
  const appliedTps = (f.applied.transactions / f.appliedMs) * 1000;
  const appliedCps = (f.applied.changes / f.appliedMs) * 1000;
  const r = f.record;
  const lagMet = achieved >= f.o.rate * 0.95 && f.lag.p95 < LAG_TARGET_MS;
  const windowMet = r.windowMs < WINDOW_TARGET_MS;
  const upserted = Object.values(r.counts.tables).reduce((n, t) => n + t.upserted, 0);
  const deleted = Object.values(r.counts.tables).reduce((n, t) => n + t.deleted, 0);
  const lines = [
    `Before the run the machine had ${c2(f.baseline)} of ${os.cpus().length} cores busy with other work (3 s sample).`,
    '',
    `Source: ${fmt(f.o.patients)} synthetic patients (\`ferry synth\`, seed ${SEED}, every defect kind at ${DEFECT_RATE * 100}%; about ${fmt(f.sourceRows)} rows in all, generated in ${secs(f.generateMs)}) in a private PostgreSQL 15 with \`wal_level = logical\` (fsync off); target: a fresh database on the machine's PostgreSQL; the example contract, \`--tier pre_production\`. The load starts once the sync streams: ${f.o.clients} PAS churn client(s), each on its own connection, offering ${fmt(f.o.rate)} changes/s in all (${fmt(f.o.rate / CHANGES_PER_TRANSACTION)} transactions/s of ~${CHANGES_PER_TRANSACTION} changes) for ${secs(f.loadMs)}. Lag is each applied source transaction's time from its source commit to its target commit, for the transactions committed during the load after the first ${WARM_UP_MS / 1000} s.`,
    '',
    '| figure | measured | target |',
    '| --- | ---: | ---: |',
    `| snapshot: \`ferry sync start\` spawn → \`sync:streaming\` | ${secs(f.snapshotMs)} | |`,
    `| write load offered | ${fmt(f.o.rate)} changes/s | 1,000 changes/s |`,
    `| write load achieved (as the clients counted) | ${fmt(achieved)} changes/s, ${fmt(achievedTps)} transactions/s | |`,
    `| rows changed at the source by the load (\`pg_stat_user_tables\`) | ${fmt((f.sourceChanges / f.load.ms) * 1000)} rows/s | |`,
    `| applied during the load | ${fmt(appliedTps)} source transactions/s, ${fmt(appliedCps)} changes/s, in ${((f.applied.units / f.appliedMs) * 1000).toFixed(1)} units/s | |`,
    `| lag p50 / p95 / p99 / max (${fmt(f.lag.transactions)} transactions) | ${msOrS(f.lag.p50)} / **${msOrS(f.lag.p95)}** / ${msOrS(f.lag.p99)} / ${msOrS(f.lag.max)} | p95 < 5 s at 1,000 changes/s: ${lagMet ? 'met' : '**not met**'} |`,
    `| highest heartbeat lag during the load (\`sync:progress\`, every 2 s) | ${f.heartbeatMaxS.toFixed(1)} s | |`,
    `| \`ferry sync start\` process: peak RSS, CPU during the load | ${f.syncUsage.maxRssMb} MB, ${c2(f.ferryLoadCores)} cores | |`,
    `| \`ferry sync start\` process: CPU in all (snapshot, stream, exit) | ${secs(f.syncUsage.cpuMs)} | |`,
    `| cutover: \`ferry sync cutover --quiet ${f.o.quiet} --json\` wall time, from the freeze | ${secs(f.cutWallMs)} | |`,
    `| cutover window (record's \`windowMs\`: freeze confirmed → verdict) | **${secs(r.windowMs)}** | < 60 s: ${windowMet ? 'met' : '**not met**'} |`,
    `| cutover process: peak RSS, CPU; machine cores busy meanwhile | ${f.cutUsage.maxRssMb} MB, ${secs(f.cutUsage.cpuMs)}; ${c2(f.cutCores)} | |`,
    '',
    `The cutover matched: every table matched row for row (${r.reconciliation.tables.length} tables, ${fmt(r.reconciliation.tables.reduce((n, t) => n + t.expected, 0))} rows expected), gate ${r.gate.verdict}${reconciliationNote(r)}, ${r.pending.length} row(s) pending (quarantined during the sync and never loaded since). Its parts, from the record's timestamps and the moment the streaming process exited:`,
    '',
    '| part of the cutover command | time |',
    '| --- | ---: |',
    ...f.parts.map(([what, ms]) => `| ${what} | ${secs(ms)} |`),
    `| the rest: process start-up, opening the contract, dropping the capture, writing the record | ${secs(f.cutWallMs - (Date.parse(r.finishedAt) - Date.parse(r.startedAt)))} |`,
    '',
    `Changes are counted three ways. The load counts what it meant: a new patient with an address is 2, and a statement that found no row (an address another client had just deleted) still counts. The source's statistics and the stream count row changes: that new patient is 3 (its insert, the update giving it its own numbers and name, the address), and a statement that found no row is none; a transaction that changed no row never reaches the stream.`,
    '',
    `Over the whole sync: ${fmt(r.counts.transactions)} source transactions, ${fmt(r.counts.changes)} changes (${fmt(upserted)} upserted, ${fmt(deleted)} deleted). The load committed ${fmt(f.load.transactions)} transactions; the streaming process applied ${fmt(f.streamedDuringLoad)} source transactions committed during the load before it was stopped, and the cutover drained the rest (a transaction whose statements found no row changes nothing and never reaches the stream).`,
    '',
    limits(f),
  ];
  return lines.join('\n');
}

/** Runs the benchmark and returns its markdown section. */
export async function benchSync(o: SyncBenchOptions): Promise<string> {
  // Measure the code as it is now: the bin runs dist/, so rebuild it first (incremental).
  const build = spawnSync('npm', ['run', '--silent', 'build:cli'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build:cli failed');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-bench-sync-'));
  try {
    const idle = machineCpu();
    await sleep(3000);
    const baseline = idle();
    console.log(`machine before the run: ${baseline.toFixed(2)} cores busy`);
    return section(await measure(o, dir, baseline));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
