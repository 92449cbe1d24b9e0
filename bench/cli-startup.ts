/**
 * CLI start-up benchmark: the whole `ferry` process for `--version` and `contract validate` on
 * the example contract, against a bare `node -e 0` in the same run. The commands are run
 * interleaved (one of each per round) so machine load hits all three alike; wall time is
 * median and p90 over the rounds, peak RSS from separate runs with a tiny preload that reports
 * it (kept out of the timed runs). Wired into bench/run.ts as `cli-startup`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const RSS_PRELOAD = path.join(ROOT, 'bench/cli-startup/peak-rss.cjs');

interface Case {
  label: string;
  args: string[];
  target?: number;
}

const CASES: Case[] = [
  { label: '`node -e 0` (bare Node start-up)', args: ['-e', '0'] },
  { label: '`ferry --version`', args: ['bin/ferry.js', '--version'], target: 1.5 },
  { label: '`ferry contract validate examples/legacy-pas/contract.yaml`', args: ['bin/ferry.js', 'contract', 'validate', 'examples/legacy-pas/contract.yaml'], target: 3 },
];

/** Runs `node ARGS` in the repository and returns its wall time in ms; a non-zero exit is an error. */
function timeOnce(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - start;
      if (code !== 0) reject(new Error(`node ${args.join(' ')} exited with ${code}: ${err.slice(-500)}`));
      else resolve(ms);
    });
  });
}

/** Peak RSS in MB of one run of `node ARGS`, reported by the preload. */
async function peakRss(args: string[], dir: string): Promise<number> {
  const file = path.join(dir, 'rss');
  await timeOnce(['--require', RSS_PRELOAD, ...args], { ...process.env, FERRY_BENCH_RSS_FILE: file });
  return Number(await readFile(file, 'utf8')) / 1024;
}

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/** Runs the benchmark (`runs` timed rounds) and returns its markdown section. */
export async function benchCliStartup(runs: number): Promise<string> {
  // Measure the code as it is now: the bin runs dist/, so rebuild it first (incremental).
  const build = spawnSync('npm', ['run', '--silent', 'build:cli'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build:cli failed');
  for (const c of CASES) await timeOnce(c.args); // warm the file cache
  const times = CASES.map(() => [] as number[]);
  for (let r = 0; r < runs; r++) {
    for (const [i, c] of CASES.entries()) times[i]!.push(await timeOnce(c.args));
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-bench-cli-'));
  const rss: number[] = [];
  try {
    for (const c of CASES) {
      const samples = [await peakRss(c.args, dir), await peakRss(c.args, dir), await peakRss(c.args, dir)];
      rss.push(Math.max(...samples));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const stats = times.map((t) => {
    const sorted = [...t].sort((a, b) => a - b);
    return { median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9) };
  });
  const base = stats[0]!;
  const lines = [
    `${runs} rounds, the three commands interleaved in each round; whole process wall time (spawn to exit) and peak RSS; Ferry runs the compiled \`dist/\`.`,
    '',
    '| command | median | p90 | median / `node -e 0` | target | peak RSS |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [i, c] of CASES.entries()) {
    const s = stats[i]!;
    const ratio = i === 0 ? '1.00×' : `**${(s.median / base.median).toFixed(2)}×**`;
    const target = c.target ? `< ${c.target}×` : '';
    lines.push(`| ${c.label} | ${s.median.toFixed(0)} ms | ${s.p90.toFixed(0)} ms | ${ratio} | ${target} | ${rss[i]!.toFixed(0)} MB |`);
    console.log(`${c.label}: median ${s.median.toFixed(0)} ms, p90 ${s.p90.toFixed(0)} ms, ${(s.median / base.median).toFixed(2)}×, ${rss[i]!.toFixed(0)} MB`);
  }
  return lines.join('\n');
}
