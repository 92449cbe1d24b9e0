/**
 * A `ferry` child process of the sync benchmark whose stdout is read as it arrives: the JSON
 * values `--json` prints one after another (each indented over several lines), each stamped with
 * the wall-clock time it arrived. Peak RSS and CPU time come from the partitions benchmark's
 * usage preload at exit; CPU time while it runs from /proc (Linux), so a span of it can be timed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, childEnv, readUsage, USAGE_PRELOAD, type Usage } from '../partitions/processes.js';

/** One JSON value the child printed, and when (Date.now()) the bench read it. */
export interface Printed {
  at: number;
  value: unknown;
}

/** Splits concatenated JSON values (objects or arrays, as printJson writes them) as text arrives. */
export class JsonValues {
  private buf = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;
  private scanned = 0;

  /** Feeds more text; returns the values completed by it. */
  push(text: string): unknown[] {
    this.buf += text;
    const done: unknown[] = [];
    for (let i = this.scanned; i < this.buf.length; i++) {
      const ch = this.buf[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === '\\') this.escaped = true;
        else if (ch === '"') this.inString = false;
      } else if (ch === '"') this.inString = true;
      else if (ch === '{' || ch === '[') {
        if (this.depth++ === 0) this.start = i;
      } else if ((ch === '}' || ch === ']') && --this.depth === 0) {
        done.push(JSON.parse(this.buf.slice(this.start, i + 1)));
        this.buf = this.buf.slice(i + 1);
        i = -1;
      }
    }
    this.scanned = this.buf.length;
    // Text between values (newlines) is dropped once no value is open.
    if (this.depth === 0) {
      this.buf = '';
      this.scanned = 0;
    }
    return done;
  }
}

let ticks: number | undefined;
/** Clock ticks per second of /proc's CPU times. */
function clockTicks(): number {
  ticks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return ticks;
}

let files = 0;

/** A running `ferry` process with its printed values and stderr kept. */
export class FerryChild {
  readonly printed: Printed[] = [];
  /** Settles with the exit code (null when killed or not started) and when it exited. */
  readonly exit: Promise<{ code: number | null; at: number }>;
  /** Date.now() when it was spawned. */
  readonly startedAt = Date.now();
  private stderr = '';
  private alive = true;

  private constructor(
    private readonly child: ChildProcess,
    private readonly usageFile: string,
    onValue?: (p: Printed) => void,
  ) {
    const values = new JsonValues();
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      const at = Date.now();
      for (const value of values.push(d)) {
        const p = { at, value };
        this.printed.push(p);
        onValue?.(p);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    this.exit = new Promise((resolve) => {
      child.on('exit', (code) => {
        this.alive = false;
        resolve({ code, at: Date.now() });
      });
      child.on('error', () => {
        this.alive = false;
        resolve({ code: null, at: Date.now() });
      });
    });
  }

  /** Starts `ferry ARGS` in `dir`; `onValue` hears each JSON value as it is printed. */
  static start(args: string[], dir: string, onValue?: (p: Printed) => void): FerryChild {
    const usageFile = path.join(dir, `sync-usage-${++files}.json`);
    const child = spawn(process.execPath, ['--require', USAGE_PRELOAD, BIN, ...args], { cwd: dir, env: childEnv(usageFile), stdio: ['ignore', 'pipe', 'pipe'] });
    return new FerryChild(child, usageFile, onValue);
  }

  get running(): boolean {
    return this.alive;
  }

  /** The last of what it wrote to stderr (Ferry's messages name no patient values). */
  tail(): string {
    return this.stderr.slice(-1500);
  }

  /** CPU time (user + system) it has used so far, in ms; 0 once it has exited. */
  cpuMs(): number {
    try {
      const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state is the first, utime the 12th, stime the 13th.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(f[11]) + Number(f[12])) / clockTicks()) * 1000;
    } catch {
      return 0;
    }
  }

  /** Peak RSS and total CPU time, written by the preload when it exited. */
  async usage(): Promise<Usage> {
    await this.exit;
    return readUsage(this.usageFile);
  }

  /** Kills it if it still runs (for `finally`: no ferry process outlives the benchmark). */
  kill(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }
}
