/**
 * Benchmark of partitioned and queued runs (issue #17), PostgreSQL → PostgreSQL on the pg-copy
 * benchmark's table and contract. It times what a user runs, the whole `ferry` process (the
 * compiled bin, start-up included), against the raw COPY pipe between the same databases in the
 * same run:
 *
 * 1. `ferry run --partitions N --concurrency N` in one process, N = 1, 2, 4, and a dry run
 *    (evaluation only) for what Ferry's own work costs;
 * 2. the same load through the job queue, `--partitions 4`, worked by K = 1 and 2 `ferry worker`
 *    processes (each `--concurrency 1`) started before the run and stopped with SIGTERM after;
 * 3. a large load (BENCH_QUEUE_ROWS, default 10,000,000) through the queue on 2 workers with
 *    `--partitions 8`, against one local `ferry run` without partitions.
 *
 * Wired into bench/run.ts as `partitions`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { dropPgDatabase, fmt, freshPgDatabase, PG_ADMIN, runChild } from '../lib.js';
import { seedSource } from '../pg-copy/seed.js';
import { FerryWorker, machineCpu, timeFerry, type TimedFerry, type WorkerStats } from './processes.js';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const ROOT = path.resolve(HERE, '../..');
const CONTRACT = path.resolve(HERE, '../pg-copy/contract.yaml');
const RAW_PIPE = path.resolve(HERE, '../pg-copy/raw-pipe.ts');

const DB = { src: 'ferry_bench_part_src', dst: 'ferry_bench_part_dst', raw: 'ferry_bench_part_raw', queue: 'ferry_bench_part_queue' };

/** One measured pipeline: the raw pipe, or a `ferry run` (with its workers when queued). */
interface Measured {
  wallMs: number;
  maxRssMb: number;
  coresBusy: number;
  /** Ferry's process CPU time (the run's own process; workers are in `workers`). */
  cpuMs?: number;
  /** The run report's elapsed time and its table's load time (for a queued run: the workers' part). */
  runMs?: number;
  loadMs?: number;
  /** Key ranges the table was cut into (1: whole). */
  cut?: number;
  workers?: WorkerStats[];
}

interface Config {
  key: string;
  label: string;
  partitions?: number;
  workers?: number;
  dryRun?: boolean;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const rate = (rows: number, ms: number) => fmt((rows / ms) * 1000);

async function dbSize(name: string): Promise<number> {
  const c = new pg.Client({ connectionString: PG_ADMIN });
  await c.connect();
  try {
    const r = await c.query<{ size: string }>('SELECT pg_database_size($1) AS size', [name]);
    return Number(r.rows[0]!.size);
  } finally {
    await c.end();
  }
}

const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

/** Key ranges the run cut the table into, from the partition checkpoints it left in the target. */
async function cutOf(targetUrl: string, runId: string): Promise<number> {
  const c = new pg.Client({ connectionString: targetUrl });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>(`SELECT count(*) AS n FROM "_ferry_checkpoints" WHERE "run_id" = $1 AND "table_name" LIKE 'patient/%'`, [runId]);
    return Math.max(1, Number(r.rows[0]!.n));
  } finally {
    await c.end();
  }
}

/** The raw COPY pipe into a fresh database. */
async function rawPipe(src: string): Promise<Measured> {
  const dst = await freshPgDatabase(DB.raw);
  const cpu = machineCpu();
  const r = await runChild<{ elapsedMs: number; maxRssMb: number }>(RAW_PIPE, [src, dst]);
  const m = { wallMs: r.elapsedMs, maxRssMb: r.maxRssMb, coresBusy: cpu() };
  console.log(`raw COPY pipe: ${secs(m.wallMs)}`);
  return m;
}

/**
 * One `ferry run` of `rows` rows into a fresh target: in this process, or through a fresh queue
 * database on `workers` fresh worker processes, which are always stopped (or killed) after it.
 */
async function ferryRun(c: Config, src: string, rows: number, dir: string): Promise<Measured> {
  const target = c.dryRun ? undefined : await freshPgDatabase(DB.dst);
  const queue = c.workers ? await freshPgDatabase(DB.queue) : undefined;
  const report = path.join(dir, `report-${c.key}.json`);
  const store = path.join(dir, `store-${c.key}-${Date.now()}.db`);
  const args = ['run', CONTRACT, '--source', src, ...(target ? ['--target', target] : ['--dry-run']), '--no-reconcile', '--store', `sqlite:${store}`, '--report', report];
  if (c.partitions) args.push('--partitions', String(c.partitions), '--concurrency', String(c.partitions));
  if (queue) args.push('--queue', queue);
  const workers: FerryWorker[] = [];
  const lost = new AbortController();
  let timed: TimedFerry;
  let stats: WorkerStats[] | undefined;
  try {
    // One after another: workers starting together on a fresh queue database can deadlock creating its queues (seen: SQLSTATE 40P01).
    for (let i = 0; queue && i < c.workers!; i++) {
      const w = await FerryWorker.start(queue, [src, target!], dir);
      workers.push(w);
      void w.exit.then((code) => lost.abort(`a ferry worker exited with ${code} during the run`));
    }
    timed = await timeFerry(args, dir, lost.signal);
    if (queue) stats = await Promise.all(workers.map((w) => w.stop()));
  } finally {
    for (const w of workers) w.kill();
  }
  const r = JSON.parse(await readFile(report, 'utf8')) as { runId: string; status: string; elapsedMs: number; totals: { loaded: number }; tables: Array<{ elapsedMs: number }> };
  if (r.status !== 'succeeded' || r.totals.loaded !== rows) throw new Error(`${c.label}: run ${r.runId} ended ${r.status} with ${r.totals.loaded} of ${rows} rows loaded`);
  const m: Measured = {
    wallMs: timed.wallMs,
    maxRssMb: timed.usage.maxRssMb,
    cpuMs: timed.usage.cpuMs,
    coresBusy: timed.coresBusy,
    runMs: r.elapsedMs,
    loadMs: r.tables[0]!.elapsedMs,
    cut: target ? await cutOf(target, r.runId) : undefined,
    workers: stats,
  };
  const w = stats ? `; workers ${stats.map((s) => `${s.jobs} job(s), ${s.usage.maxRssMb} MB`).join(', ')}` : '';
  console.log(`${c.label}: ${secs(m.wallMs)}, ${m.cut ?? '-'} range(s), peak RSS ${m.maxRssMb} MB, ${m.coresBusy.toFixed(2)} cores busy${w}`);
  return m;
}

const LOCAL: Config[] = [
  { key: 'dry', label: '`--dry-run` (evaluation only, no writes)', dryRun: true },
  { key: 'p1', label: '`--partitions 1 --concurrency 1`', partitions: 1 },
  { key: 'p2', label: '`--partitions 2 --concurrency 2`', partitions: 2 },
  { key: 'p4', label: '`--partitions 4 --concurrency 4`', partitions: 4 },
];
const QUEUED: Config[] = [
  { key: 'q1', label: 'queue, 1 worker', partitions: 4, workers: 1 },
  { key: 'q2', label: 'queue, 2 workers', partitions: 4, workers: 2 },
];

const best = (xs: Measured[]) => xs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
const peak = (xs: Measured[]) => Math.max(...xs.map((x) => x.maxRssMb));
/** Highest peak RSS of each worker slot over the rounds. */
const workerPeaks = (xs: Measured[]) => (xs[0]!.workers ?? []).map((_, i) => Math.max(...xs.map((x) => x.workers![i]!.usage.maxRssMb)));
const cpuCores = (m: Measured) => (m.cpuMs ?? 0) / m.wallMs;

/** Parts 1–3: BENCH_ROWS rows, raw pipe, in-process partitions and queued runs, `repeats` interleaved rounds. */
async function smallRuns(rows: number, repeats: number, dir: string): Promise<{ lines: string[]; byKey: Map<string, Measured[]> }> {
  const src = await freshPgDatabase(DB.src);
  const byKey = new Map<string, Measured[]>();
  try {
    console.log(`seeding ${fmt(rows)} rows…`);
    await seedSource(src, rows);
    const all: Array<Config | 'raw'> = ['raw', ...LOCAL, ...QUEUED];
    for (let i = 0; i < repeats; i++) {
      // Reverse every other round so no variant always runs on a warmer (or busier) machine.
      for (const c of i % 2 === 0 ? all : [...all].reverse()) {
        const key = c === 'raw' ? 'raw' : c.key;
        const m = c === 'raw' ? await rawPipe(src) : await ferryRun(c, src, rows, dir);
        byKey.set(key, [...(byKey.get(key) ?? []), m]);
      }
    }
  } finally {
    for (const n of Object.values(DB)) await dropPgDatabase(n);
  }
  const raw = best(byKey.get('raw')!);
  const p1 = best(byKey.get('p1')!);
  const p4 = best(byKey.get('p4')!);
  const every = (key: string) =>
    byKey
      .get(key)!
      .map((m) => secs(m.wallMs))
      .join(', ');
  const lines = [
    `### In one process (\`ferry run --no-reconcile\`), ${fmt(rows)} rows`,
    '',
    `Best of ${repeats} interleaved round(s); whole \`ferry\` process, spawn to exit (start-up, preflight, planning, the undo log and the report included; lineage on, as by default). The raw pipe's time is the copy alone. Peak RSS is the highest over the rounds. "Cores busy" is the whole machine's average while the command ran (Ferry, both PostgreSQL backends and anything else running), out of ${os.cpus().length}.`,
    '',
    '| run | key ranges | wall time | rows/s | ÷ raw pipe | speed-up on 1 partition | peak RSS | Ferry process CPU | machine cores busy |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| raw \`COPY TO STDOUT \\| COPY FROM STDIN\` | | ${secs(raw.wallMs)} | ${rate(rows, raw.wallMs)} | 1.00× | | ${peak(byKey.get('raw')!)} MB | | ${raw.coresBusy.toFixed(2)} |`,
  ];
  for (const c of LOCAL) {
    const m = best(byKey.get(c.key)!);
    const up = c.dryRun ? '' : ratio(p1.wallMs, m.wallMs);
    lines.push(
      `| ${c.label} | ${m.cut ?? ''} | ${secs(m.wallMs)} | ${rate(rows, m.wallMs)} | ${ratio(m.wallMs, raw.wallMs)} | ${up} | ${peak(byKey.get(c.key)!)} MB | ${secs(m.cpuMs!)} (${cpuCores(m).toFixed(2)} cores) | ${m.coresBusy.toFixed(2)} |`,
    );
  }
  lines.push(
    '',
    `Every run: raw ${every('raw')}; ${LOCAL.map((c) => `${c.key} ${every(c.key)}`).join('; ')}.`,
    '',
    `### Through the job queue, ${fmt(rows)} rows`,
    '',
    `\`ferry run --no-reconcile --queue URL --partitions 4 --concurrency 4\` (so the run hands out all four partitions at once) against a fresh queue database, worked by K \`ferry worker --concurrency 1\` processes on this machine, started (and taking partitions) before the run and stopped with SIGTERM after it. Wall time is the run's process, spawn to exit; "workers loading" is the table's load time in the run report, and "replay + finish" the rest of the run's own elapsed time: the run process re-derives every row in key order for the quality verdict, each partition once it has loaded, and what is left of that after the workers finish shows here.`,
    '',
    '| workers | key ranges | wall time | workers loading | replay + finish | rows/s | ÷ raw pipe | ÷ in-process 4 partitions | run process peak RSS | worker peak RSS | rows per worker | Ferry CPU (run + workers) | machine cores busy |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const c of QUEUED) {
    const xs = byKey.get(c.key)!;
    const m = best(xs);
    const perWorker = m.workers!.map((w) => fmt(w.rowsLoaded)).join(' / ');
    lines.push(
      `| ${c.workers} | ${m.cut} | ${secs(m.wallMs)} | ${secs(m.loadMs!)} | ${secs(m.runMs! - m.loadMs!)} | ${rate(rows, m.wallMs)} | ${ratio(m.wallMs, raw.wallMs)} | ${ratio(m.wallMs, p4.wallMs)} | ${peak(xs)} MB | ${workerPeaks(
        xs,
      )
        .map((x) => `${x} MB`)
        .join(' / ')} | ${perWorker} | ${secs(m.cpuMs!)} + ${m.workers!.map((w) => secs(w.usage.cpuMs)).join(' + ')} | ${m.coresBusy.toFixed(2)} |`,
    );
  }
  lines.push('', `Every run: ${QUEUED.map((c) => `${c.key} ${every(c.key)}`).join('; ')}.`);
  return { lines, byKey };
}

/** Part 4: `queueRows` rows through the queue on 2 workers with 8 partitions, against one local run without partitions. */
async function largeRuns(rows: number, dir: string): Promise<{ lines: string[]; queued: Measured; local: Measured }> {
  const src = await freshPgDatabase(DB.src);
  try {
    console.log(`seeding ${fmt(rows)} rows…`);
    const t0 = performance.now();
    await seedSource(src, rows);
    const seedMs = performance.now() - t0;
    const srcBytes = await dbSize(DB.src);
    console.log(`seeded in ${secs(seedMs)}, source ${gb(srcBytes)}`);
    const raw = await rawPipe(src);
    const rawBytes = await dbSize(DB.raw);
    await dropPgDatabase(DB.raw);
    const queued = await ferryRun({ key: 'big-q2', label: 'queue, 2 workers, `--partitions 8 --concurrency 8`', partitions: 8, workers: 2 }, src, rows, dir);
    const queuedBytes = await dbSize(DB.dst);
    const queueBytes = await dbSize(DB.queue);
    await dropPgDatabase(DB.queue);
    const local = await ferryRun({ key: 'big-local', label: 'in one process, no partitions' }, src, rows, dir);
    const localBytes = await dbSize(DB.dst);
    const workers = queued
      .workers!.map((w, i) => `worker ${i + 1}: ${w.usage.maxRssMb} MB, ${fmt(w.rowsLoaded)} rows in ${w.jobs} partition(s), ${rate(w.rowsLoaded, w.busyMs)} rows/s while loading`)
      .join('; ');
    const lines = [
      `### Large run through the queue, ${fmt(rows)} rows`,
      '',
      `Seeding the source (bench/pg-copy's seed: one streamed COPY, then \`VACUUM ANALYZE\`): ${secs(seedMs)} (${rate(rows, seedMs)} rows/s); source database ${gb(srcBytes)}. One run each, in this order. Target database sizes include Ferry's lineage and undo records; the queue database held ${gb(queueBytes)} after its run. All databases are dropped afterwards.`,
      '',
      '| run | key ranges | wall time | rows/s | ÷ raw pipe | run process peak RSS | workers | Ferry CPU (run + workers) | target database |',
      '| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
      `| raw \`COPY TO STDOUT \\| COPY FROM STDIN\` | | ${secs(raw.wallMs)} | ${rate(rows, raw.wallMs)} | 1.00× | ${raw.maxRssMb} MB | | | ${gb(rawBytes)} |`,
      `| \`ferry run --queue\`, 2 workers, \`--partitions 8 --concurrency 8\` | ${queued.cut} | ${secs(queued.wallMs)} | ${rate(rows, queued.wallMs)} | ${ratio(queued.wallMs, raw.wallMs)} | ${queued.maxRssMb} MB | ${workers} | ${secs(queued.cpuMs!)} + ${queued.workers!.map((w) => secs(w.usage.cpuMs)).join(' + ')} | ${gb(queuedBytes)} |`,
      `| \`ferry run\`, no partitions | ${local.cut} | ${secs(local.wallMs)} | ${rate(rows, local.wallMs)} | ${ratio(local.wallMs, raw.wallMs)} | ${local.maxRssMb} MB | | ${secs(local.cpuMs!)} | ${gb(localBytes)} |`,
      '',
      `The queued run: workers loading ${secs(queued.loadMs!)}, replay and finish in the run process ${secs(queued.runMs! - queued.loadMs!)}; machine cores busy ${queued.coresBusy.toFixed(2)} (queued) and ${local.coresBusy.toFixed(2)} (local) of ${os.cpus().length}.`,
    ];
    return { lines, queued, local };
  } finally {
    for (const n of Object.values(DB)) await dropPgDatabase(n);
  }
}

/** Ferry's CPU time for a measured run: its own process plus its workers'. */
const ferryCpuMs = (m: Measured) => (m.cpuMs ?? 0) + (m.workers ?? []).reduce((n, w) => n + w.usage.cpuMs, 0);

/** "1.38× faster" or "0.85× (slower)": a speed-up as a reader says it. */
const speedUp = (before: Measured, after: Measured) => `${ratio(before.wallMs, after.wallMs)}${after.wallMs > before.wallMs ? ' (slower)' : ''}`;

/** A plain statement of what limits the speed-up, from this run's figures (nothing in it is fixed text about the outcome). */
function limits(byKey: Map<string, Measured[]>, large: { queued: Measured; local: Measured }, baseline: number): string {
  const b = (k: string) => best(byKey.get(k)!);
  const [dry, p1, p2, p4, q1, q2] = ['dry', 'p1', 'p2', 'p4', 'q1', 'q2'].map(b) as [Measured, Measured, Measured, Measured, Measured, Measured];
  const cores = os.cpus().length;
  const c2 = (x: number) => x.toFixed(2);
  const others = (m: Measured) => c2(Math.max(0, m.coresBusy - ferryCpuMs(m) / m.wallMs));
  const saturated = p1.coresBusy >= cores - 0.25;
  const paras = [
    `**What limits the speed-up here.** In-process speed-up over 1 partition: 2 partitions ${speedUp(p1, p2)}, 4 partitions ${speedUp(p1, p4)}. The machine has ${cores} cores. ` +
      (saturated
        ? `The 1-partition run already kept ${c2(p1.coresBusy)} of them busy on average — Ferry's process ${c2(cpuCores(p1))} cores, the PostgreSQL backends reading and writing (and anything else on the machine) ${others(p1)} — so more partitions find no idle core: they can only interleave the same work, adding a range query, a checkpoint and a commit stream each.`
        : `The 1-partition run kept ${c2(p1.coresBusy)} of them busy on average (Ferry's process ${c2(cpuCores(p1))} cores, PostgreSQL and anything else ${others(p1)}); 2 partitions ${c2(p2.coresBusy)}, 4 partitions ${c2(p4.coresBusy)}: partitions are faster only as far as they put the idle cores to work.`),
    `All in-process partitions share Ferry's one JavaScript thread (reading, transforming and encoding rows; at most about one core: ${c2(cpuCores(p1))}, ${c2(cpuCores(p2))} and ${c2(cpuCores(p4))} cores for 1, 2 and 4 partitions), so they overlap only their waits on PostgreSQL. The dry run alone (evaluation, no writes) took ${secs(dry.wallMs)}, ${((dry.wallMs / p1.wallMs) * 100).toFixed(0)}% of the 1-partition load.`,
    `A queued run gives each worker its own thread, but on one machine the workers share the same cores with PostgreSQL (1 worker: ${c2(q1.coresBusy)} cores busy, 2 workers: ${c2(q2.coresBusy)}); a waiting partition is picked up at a worker's next poll and its end seen at the run's next look (both every 0.5 s); and the run process replays every row in key order for the quality verdict (each partition once it has loaded, alongside the workers), so the verdict ends after the last partition has loaded and been replayed: with 2 workers ${secs(q2.runMs! - q2.loadMs!)} of the run's ${secs(q2.runMs!)} came after the workers had finished loading, on the large run ${secs(large.queued.runMs! - large.queued.loadMs!)} of ${secs(large.queued.runMs!)}. The queued large run took ${ratio(large.queued.wallMs, large.local.wallMs)} the time of one local run without partitions. The figures are for ${cores} cores shared by Ferry, its workers and both databases; workers on their own machines are not measured here.`,
  ];
  if (baseline > 0.2) paras.push(`_The machine was not quiet: before the runs, ${c2(baseline)} cores were busy with other work (3 s sample), so these figures are disturbed._`);
  return paras.join('\n\n');
}

/** Runs the benchmark: `rows` rows for the partition and queue comparison (best of `repeats`), `queueRows` for the large queued run. Returns the markdown section. */
export async function benchPartitions(rows: number, queueRows: number, repeats: number): Promise<string> {
  // Measure the code as it is now: the bin runs dist/, so rebuild it first (incremental).
  const build = spawnSync('npm', ['run', '--silent', 'build:cli'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build:cli failed');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-bench-partitions-'));
  try {
    // What else the machine is doing: the figures below are only as good as the machine is quiet.
    const idle = machineCpu();
    await new Promise((r) => setTimeout(r, 3000));
    const baseline = idle();
    console.log(`machine before the runs: ${baseline.toFixed(2)} cores busy`);
    const small = await smallRuns(rows, repeats, dir);
    const large = await largeRuns(queueRows, dir);
    const quiet = `Before the runs the machine had ${baseline.toFixed(2)} of ${os.cpus().length} cores busy with other work (3 s sample).`;
    return [quiet, '', ...small.lines, '', ...large.lines, '', limits(small.byKey, large, baseline)].join('\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
