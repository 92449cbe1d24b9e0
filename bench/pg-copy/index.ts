/**
 * Benchmark: 1,000,000 rows PostgreSQL → PostgreSQL through a contract with transforms on
 * most columns and a crosswalk, against the raw COPY pipe between the same databases in the
 * same run. Reports wall time, rows/s, the Ferry/raw ratio and peak RSS.
 */
import path from 'node:path';
import { dropPgDatabase, fmt, freshPgDatabase, runChild } from '../lib.js';
import { seedSource } from './seed.js';

interface ChildResult {
  elapsedMs: number;
  maxRssMb: number;
  totals?: { read: number; loaded: number; quarantined: number };
  status?: string;
}

const DIR = path.dirname(new URL(import.meta.url).pathname);

/** Runs the benchmark and returns a markdown section. */
export async function benchPgCopy(rows: number, repeats: number): Promise<string> {
  const src = await freshPgDatabase('ferry_bench_src');
  console.log(`seeding ${fmt(rows)} rows…`);
  await seedSource(src, rows);
  const raw: ChildResult[] = [];
  const ferry: ChildResult[] = [];
  for (let i = 0; i < repeats; i++) {
    const rawDb = await freshPgDatabase('ferry_bench_raw');
    raw.push(await runChild<ChildResult>(path.join(DIR, 'raw-pipe.ts'), [src, rawDb]));
    console.log(`raw COPY pipe: ${(raw.at(-1)!.elapsedMs / 1000).toFixed(2)} s`);
    const ferryDb = await freshPgDatabase('ferry_bench_dst');
    ferry.push(await runChild<ChildResult>(path.join(DIR, 'ferry-child.ts'), [src, ferryDb, path.join(DIR, 'contract.yaml'), '10000']));
    const f = ferry.at(-1)!;
    console.log(`ferry: ${(f.elapsedMs / 1000).toFixed(2)} s, ${f.status}, loaded ${f.totals?.loaded}, quarantined ${f.totals?.quarantined}, peak RSS ${f.maxRssMb} MB`);
  }
  for (const n of ['ferry_bench_src', 'ferry_bench_raw', 'ferry_bench_dst']) await dropPgDatabase(n);
  const best = (xs: ChildResult[]) => xs.reduce((a, b) => (b.elapsedMs < a.elapsedMs ? b : a));
  const r = best(raw);
  const f = best(ferry);
  const ratio = f.elapsedMs / r.elapsedMs;
  const lines = [
    `Rows: ${fmt(rows)} (11 columns), best of ${repeats} run(s) each, same databases, same run.`,
    '',
    '| pipeline | wall time | rows/s | peak RSS |',
    '| --- | ---: | ---: | ---: |',
    `| raw \`COPY TO STDOUT \\| COPY FROM STDIN\` | ${(r.elapsedMs / 1000).toFixed(2)} s | ${fmt((rows / r.elapsedMs) * 1000)} | ${r.maxRssMb} MB |`,
    `| Ferry (10 transformed columns, crosswalk, NHS number rule, COPY load) | ${(f.elapsedMs / 1000).toFixed(2)} s | ${fmt((rows / f.elapsedMs) * 1000)} | ${f.maxRssMb} MB |`,
    '',
    `**Ferry / raw pipe wall time: ${ratio.toFixed(2)}×** (target ≤ 2.0×; peak memory target < 300 MB). Ferry's time includes preflight, planning, checkpoints and the end-of-run accounting.`,
  ];
  console.log(`ratio ferry/raw = ${ratio.toFixed(2)}×`);
  return lines.join('\n');
}
