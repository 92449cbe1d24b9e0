/** Generates N patients to CSV in a temporary directory; prints {elapsedMs, rows, bytes, maxRssMb} as JSON. */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateToCsv } from '../../src/synth/generate.js';
import { peakRssMb } from '../lib.js';

const patients = Number(process.argv[2]);
const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-bench-synth-'));
try {
  const t0 = performance.now();
  const summary = await generateToCsv({ seed: 1, patients, dir });
  const elapsedMs = performance.now() - t0;
  let bytes = 0;
  for (const f of await readdir(dir)) bytes += (await stat(path.join(dir, f))).size;
  const rows = Object.values(summary.tables).reduce((a, b) => a + b, 0);
  console.log(JSON.stringify({ elapsedMs, rows, bytes, maxRssMb: peakRssMb() }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
