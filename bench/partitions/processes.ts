/**
 * The `ferry` processes of the partitions benchmark: a timed `ferry run`, and `ferry worker`
 * processes started before a queued run and stopped with SIGTERM after it. Each reports its peak
 * RSS and CPU time through the usage.cjs preload; each timed span also records how many of the
 * machine's cores were busy meanwhile (Ferry, PostgreSQL and anything else on the machine).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const HERE = path.dirname(new URL(import.meta.url).pathname);
/** The published bin, which runs the compiled dist/. */
export const BIN = path.resolve(HERE, '../../bin/ferry.js');
/** Preload that writes a `ferry` process's peak RSS and CPU time when it exits. */
export const USAGE_PRELOAD = path.join(HERE, 'usage.cjs');

/** What a finished child process used. */
export interface Usage {
  maxRssMb: number;
  /** User + system CPU time of the process. */
  cpuMs: number;
}

let files = 0;

/** This process's environment without FERRY_* settings (a store, a source or target URL a user may have exported), plus where the preload writes. */
export function childEnv(usageFile: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('FERRY_')) env[k] = v;
  env.FERRY_BENCH_USAGE_FILE = usageFile;
  return env;
}

/** What a `ferry` process started with childEnv wrote through the preload. */
export async function readUsage(file: string): Promise<Usage> {
  const u = JSON.parse(await readFile(file, 'utf8')) as { maxRssKb: number; cpuUs: number };
  return { maxRssMb: Math.round(u.maxRssKb / 1024), cpuMs: u.cpuUs / 1000 };
}

/** Starts counting the machine's CPU time; the returned function gives the average number of busy cores since. */
export function machineCpu(): () => number {
  const sample = () => {
    let busy = 0;
    let total = 0;
    for (const { times: t } of os.cpus()) {
      const all = t.user + t.nice + t.sys + t.idle + t.irq;
      total += all;
      busy += all - t.idle;
    }
    return { busy, total };
  };
  const a = sample();
  return () => {
    const b = sample();
    return b.total > a.total ? ((b.busy - a.busy) / (b.total - a.total)) * os.cpus().length : 0;
  };
}

function spawnFerry(args: string[], dir: string): { child: ChildProcess; usageFile: string } {
  const usageFile = path.join(dir, `usage-${++files}.json`);
  const child = spawn(process.execPath, ['--require', USAGE_PRELOAD, BIN, ...args], { cwd: dir, env: childEnv(usageFile), stdio: ['ignore', 'ignore', 'pipe'] });
  return { child, usageFile };
}

/** A finished, timed `ferry` command. */
export interface TimedFerry {
  /** Spawn to exit. */
  wallMs: number;
  usage: Usage;
  /** Average busy cores of the whole machine while it ran. */
  coresBusy: number;
}

/**
 * Runs `ferry ARGS` with `dir` as its working directory and times the whole process; a non-zero
 * exit is an error. `signal` stops it with SIGTERM (a queued run whose worker died would
 * otherwise wait for the partition's lease).
 */
export async function timeFerry(args: string[], dir: string, signal?: AbortSignal): Promise<TimedFerry> {
  const cpu = machineCpu();
  const start = performance.now();
  const { child, usageFile } = spawnFerry(args, dir);
  const onAbort = () => child.kill('SIGTERM');
  signal?.addEventListener('abort', onAbort, { once: true });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (c) => resolve(c));
  }).finally(() => signal?.removeEventListener('abort', onAbort));
  const wallMs = performance.now() - start;
  const coresBusy = cpu();
  if (signal?.aborted) throw new Error(`ferry ${args[0]} stopped: ${String(signal.reason)}`);
  // Ferry's messages name no patient values, so its last lines can be shown.
  if (code !== 0) throw new Error(`ferry ${args[0]} exited with ${code}: ${err.slice(-1500)}`);
  return { wallMs, usage: await readUsage(usageFile), coresBusy };
}

/** What one worker did between its start and its stop. */
export interface WorkerStats {
  usage: Usage;
  jobs: number;
  rowsLoaded: number;
  /** Sum over its jobs of the time from its "partition … (attempt n)" line to its "done" line. */
  busyMs: number;
}

const STARTED = /job (\S+): run \S+ partition \S+ \(attempt \d+\)$/;
const DONE = /job (\S+): run \S+ partition \S+ done: read \d+, loaded (\d+),/;

/** A `ferry worker` child process; its log lines are kept with the time each arrived. */
export class FerryWorker {
  private readonly lines: Array<{ at: number; text: string }> = [];
  /** Settles with its exit code when it exits, however that happens. */
  readonly exit: Promise<number | null>;
  private alive = true;
  private partial = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly usageFile: string,
  ) {
    child.stderr!.on('data', (d: Buffer) => {
      const text = this.partial + d.toString();
      const parts = text.split('\n');
      this.partial = parts.pop() ?? '';
      const at = performance.now();
      for (const line of parts) this.lines.push({ at, text: line });
    });
    this.exit = new Promise((resolve) => {
      child.on('exit', (code) => {
        this.alive = false;
        resolve(code);
      });
      child.on('error', () => {
        this.alive = false;
        resolve(null);
      });
    });
  }

  /** Starts `ferry worker --queue QUEUE --allow … --concurrency 1` and waits until it takes partitions. */
  static async start(queueUrl: string, allow: string[], dir: string): Promise<FerryWorker> {
    const args = ['worker', '--queue', queueUrl, ...allow.flatMap((u) => ['--allow', u]), '--concurrency', '1'];
    const { child, usageFile } = spawnFerry(args, dir);
    const w = new FerryWorker(child, usageFile);
    try {
      await w.ready(60_000);
    } catch (err) {
      w.kill();
      throw err;
    }
    return w;
  }

  private async ready(timeoutMs: number): Promise<void> {
    const until = performance.now() + timeoutMs;
    while (!this.lines.some((l) => l.text.includes('taking partitions'))) {
      if (!this.alive) throw new Error(`ferry worker exited before taking partitions: ${this.log().slice(-1500)}`);
      if (performance.now() > until) throw new Error(`ferry worker did not start taking partitions within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private log(): string {
    return this.lines.map((l) => l.text).join('\n') + this.partial;
  }

  /** Stops it with SIGTERM (as an operator would), waits for it to exit and returns what it did. */
  async stop(): Promise<WorkerStats> {
    if (this.alive) this.child.kill('SIGTERM');
    // The worker waits up to 30 s for partitions in progress; it has none after a finished run.
    const timer = setTimeout(() => this.kill(), 45_000);
    const code = await this.exit;
    clearTimeout(timer);
    if (code !== 0) throw new Error(`ferry worker exited with ${code} after SIGTERM: ${this.log().slice(-1500)}`);
    const started = new Map<string, number>();
    let jobs = 0;
    let rowsLoaded = 0;
    let busyMs = 0;
    for (const { at, text } of this.lines) {
      const s = STARTED.exec(text);
      if (s) started.set(s[1]!, at);
      const d = DONE.exec(text);
      if (d) {
        jobs++;
        rowsLoaded += Number(d[2]);
        busyMs += at - (started.get(d[1]!) ?? at);
      }
    }
    return { usage: await readUsage(this.usageFile), jobs, rowsLoaded, busyMs };
  }

  /** Kills it if it still runs (for `finally`: no worker outlives the benchmark). */
  kill(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }
}
