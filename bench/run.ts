/**
 * `npm run bench`: runs every benchmark and rewrites its measured section of
 * docs/benchmarks.md. Set BENCH_ROWS to change the size (default 1,000,000), BENCH_PATIENTS
 * for the synth benchmark (default 1,000,000), BENCH_CLI_RUNS for the CLI start-up rounds (default 20),
 * BENCH_QUEUE_ROWS for the large queued run of the partitions benchmark (default 10,000,000),
 * BENCH_SYNC_* for the sync benchmark (bench/sync/index.ts: PATIENTS 20,000, RATE 1,000 changes/s,
 * SECONDS 60, CLIENTS 4, QUIET 5, FLOOR 2,000) and BENCH_ONLY=name to run one benchmark.
 */
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { benchPgCopy } from './pg-copy/index.js';
import { benchBackup } from './backup/index.js';
import { benchSynth } from './synth/index.js';
import { benchAutomap } from './automap/run.js';
import { benchReconcile } from './reconcile/index.js';
import { benchUi } from './ui/index.js';
import { benchCliStartup } from './cli-startup.js';
import { benchPartitions } from './partitions/index.js';
import { benchSync, syncBenchOptions } from './sync/index.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const DOC = path.join(ROOT, 'docs/benchmarks.md');
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const only = process.env.BENCH_ONLY;

const benches: Record<string, () => Promise<string>> = {
  'pg-copy': () => benchPgCopy(rows, Number(process.env.BENCH_REPEATS ?? 2)),
  synth: () => benchSynth(Number(process.env.BENCH_PATIENTS ?? 1_000_000)),
  reconcile: () => benchReconcile(rows),
  automap: () => benchAutomap(),
  ui: () => benchUi(),
  'cli-startup': () => benchCliStartup(Number(process.env.BENCH_CLI_RUNS ?? 20)),
  partitions: () => benchPartitions(rows, Number(process.env.BENCH_QUEUE_ROWS ?? 10_000_000), Number(process.env.BENCH_REPEATS ?? 2)),
  sync: () => benchSync(syncBenchOptions(process.env)),
  backup: () => benchBackup(rows, Number(process.env.BENCH_REPEATS ?? 2)),
};

async function replaceSection(name: string, body: string): Promise<void> {
  const doc = await readFile(DOC, 'utf8');
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const stamp = `_Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}._`;
  const block = `${start}\n${stamp}\n\n${body}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  const next = i >= 0 && j > i ? doc.slice(0, i) + block + doc.slice(j + end.length) : `${doc.trimEnd()}\n\n${block}\n`;
  await writeFile(DOC, next);
}

for (const [name, run] of Object.entries(benches)) {
  if (only && only !== name) continue;
  console.log(`\n== ${name}`);
  const section = await run();
  await replaceSection(name, section);
}
console.log(`\nresults written to ${path.relative(ROOT, DOC)}`);
