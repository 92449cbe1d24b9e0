/** Runs the benchmark contract through Ferry's engine; prints {elapsedMs, maxRssMb, totals, status} as JSON. Args: SOURCE TARGET CONTRACT [BATCH, empty for the engine's default] [lineage on|off]. */
import path from 'node:path';
import { migrate } from '../../src/run/migrate.js';
import { peakRssMb } from '../lib.js';

const [sourceUrl, targetUrl, contractFile, batchSize, lineage] = process.argv.slice(2);
const t0 = performance.now();
const report = await migrate({ contractFile: path.resolve(contractFile), sourceUrl, targetUrl, batchSize: batchSize ? Number(batchSize) : undefined, lineage: lineage !== 'off', reconcile: false });
const elapsedMs = performance.now() - t0;
console.log(JSON.stringify({ elapsedMs, maxRssMb: peakRssMb(), totals: report.totals, status: report.status }));
