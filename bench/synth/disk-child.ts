/** The physical limit for synth: writing the same number of bytes to disk in 64 KiB chunks. Prints {elapsedMs, maxRssMb}. */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { peakRssMb } from '../lib.js';

const bytes = Number(process.argv[2]);
const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-bench-disk-'));
try {
  const chunk = Buffer.alloc(1 << 16, 'PAT_MAST,9990000019,SMITH,JANE,01/02/1960\n');
  const t0 = performance.now();
  const out = createWriteStream(path.join(dir, 'blob.csv'));
  for (let written = 0; written < bytes; written += chunk.length) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  console.log(JSON.stringify({ elapsedMs: performance.now() - t0, maxRssMb: peakRssMb() }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
