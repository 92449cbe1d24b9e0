/**
 * Benchmark: 1,000,000 rows PostgreSQL → PostgreSQL through a contract with transforms on
 * most columns and a crosswalk, against the raw COPY pipe between the same databases in the
 * same run; and Ferry with per-row lineage on against lineage off (`--no-lineage`), to
 * measure what lineage costs. Reports the best of each (the machine may be shared: the best
 * run is the one least disturbed), rows/s, the ratios and peak RSS.
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

async function ferryRun(src: string, lineage: 'on' | 'off'): Promise<ChildResult> {
  const db = await freshPgDatabase('ferry_bench_dst');
  const f = await runChild<ChildResult>(path.join(DIR, 'ferry-child.ts'), [src, db, path.join(DIR, 'contract.yaml'), '', lineage]);
  console.log(`ferry, lineage ${lineage}: ${(f.elapsedMs / 1000).toFixed(2)} s, ${f.status}, loaded ${f.totals?.loaded}, quarantined ${f.totals?.quarantined}, peak RSS ${f.maxRssMb} MB`);
  return f;
}

/** Runs the benchmark and returns a markdown section. */
export async function benchPgCopy(rows: number, repeats: number): Promise<string> {
  const src = await freshPgDatabase('ferry_bench_src');
  console.log(`seeding ${fmt(rows)} rows…`);
  await seedSource(src, rows);
  const raw: ChildResult[] = [];
  const on: ChildResult[] = [];
  const off: ChildResult[] = [];
  for (let i = 0; i < repeats; i++) {
    const rawDb = await freshPgDatabase('ferry_bench_raw');
    raw.push(await runChild<ChildResult>(path.join(DIR, 'raw-pipe.ts'), [src, rawDb]));
    console.log(`raw COPY pipe: ${(raw.at(-1)!.elapsedMs / 1000).toFixed(2)} s`);
    // Alternate the order so neither variant always runs on a warmer (or busier) machine.
    for (const lineage of i % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) (lineage === 'on' ? on : off).push(await ferryRun(src, lineage));
  }
  for (const n of ['ferry_bench_src', 'ferry_bench_raw', 'ferry_bench_dst']) await dropPgDatabase(n);
  const best = (xs: ChildResult[]) => xs.reduce((a, b) => (b.elapsedMs < a.elapsedMs ? b : a));
  const r = best(raw);
  const fOff = best(off);
  const fOn = best(on);
  const ratio = fOn.elapsedMs / r.elapsedMs;
  const lineageRatio = fOn.elapsedMs / fOff.elapsedMs;
  const secs = (x: ChildResult) => `${(x.elapsedMs / 1000).toFixed(2)} s`;
  const all = (xs: ChildResult[]) => xs.map(secs).join(', ');
  const lines = [
    `Rows: ${fmt(rows)} (11 columns), best of ${repeats} run(s) each, same databases, same run; Ferry with its default settings (50,000-row commit units).`,
    '',
    '| pipeline | wall time | rows/s | peak RSS |',
    '| --- | ---: | ---: | ---: |',
    `| raw \`COPY TO STDOUT \\| COPY FROM STDIN\` | ${secs(r)} | ${fmt((rows / r.elapsedMs) * 1000)} | ${r.maxRssMb} MB |`,
    `| Ferry, \`--no-lineage\` (10 transformed columns, crosswalk, NHS number rule, COPY load, undo log) | ${secs(fOff)} | ${fmt((rows / fOff.elapsedMs) * 1000)} | ${fOff.maxRssMb} MB |`,
    `| Ferry, lineage on (default: + one lineage record per source row, COPY) | ${secs(fOn)} | ${fmt((rows / fOn.elapsedMs) * 1000)} | ${fOn.maxRssMb} MB |`,
    '',
    `**Ferry / raw pipe wall time: ${ratio.toFixed(2)}×** (target ≤ 2.0×; peak memory target < 300 MB). Ferry's time includes preflight, planning, checkpoints, the undo log and the end-of-run accounting.`,
    '',
    `**Lineage on / lineage off: ${lineageRatio.toFixed(2)}×** (target ≤ 1.3×). Every run: raw ${all(raw)}; lineage off ${all(off)}; lineage on ${all(on)}.`,
  ];
  console.log(`ratio ferry/raw = ${ratio.toFixed(2)}×, lineage on/off = ${lineageRatio.toFixed(2)}×`);
  return lines.join('\n');
}
