/**
 * Benchmark: synthetic legacy PAS generation to CSV, against the disk's own write speed for
 * the same number of bytes in the same run. Reports rows/s, the ratio and peak RSS.
 */
import path from 'node:path';
import { fmt, runChild } from '../lib.js';

const DIR = path.dirname(new URL(import.meta.url).pathname);

/** Runs the benchmark for `patients` patients and returns a markdown section. */
export async function benchSynth(patients: number): Promise<string> {
  const synth = await runChild<{ elapsedMs: number; rows: number; bytes: number; maxRssMb: number }>(path.join(DIR, 'child.ts'), [String(patients)]);
  console.log(`synth: ${fmt(synth.rows)} rows in ${(synth.elapsedMs / 1000).toFixed(2)} s, peak RSS ${synth.maxRssMb} MB`);
  const disk = await runChild<{ elapsedMs: number; maxRssMb: number }>(path.join(DIR, 'disk-child.ts'), [String(synth.bytes)]);
  console.log(`disk write of ${fmt(synth.bytes / 2 ** 20)} MB: ${(disk.elapsedMs / 1000).toFixed(2)} s`);
  return [
    `Patients: ${fmt(patients)}; all 16 legacy tables, clean data, seed 1.`,
    '',
    '| pipeline | wall time | rows/s | peak RSS |',
    '| --- | ---: | ---: | ---: |',
    `| writing the same ${fmt(synth.bytes / 2 ** 20)} MB to a file | ${(disk.elapsedMs / 1000).toFixed(2)} s | — | ${disk.maxRssMb} MB |`,
    `| \`ferry synth\` to CSV (${fmt(synth.rows)} rows) | ${(synth.elapsedMs / 1000).toFixed(2)} s | ${fmt((synth.rows / synth.elapsedMs) * 1000)} | ${synth.maxRssMb} MB |`,
    '',
    `**synth / disk write: ${(synth.elapsedMs / disk.elapsedMs).toFixed(2)}×** (targets: ≥ 200,000 rows/s, flat memory < 300 MB).`,
  ].join('\n');
}
