/**
 * One step of the reconciliation benchmark in its own process, so its peak memory is its own.
 * Args: load SOURCE TARGET CONTRACT | reconcile SOURCE TARGET CONTRACT RUN_ID. Prints
 * {seconds, peakMb, runId?, report?} as JSON on its last line.
 */
import { migrate } from '../../src/run/migrate.js';
import { reconcile } from '../../src/reconcile/open.js';
import { peakRssMb } from '../lib.js';

const [step, sourceUrl, targetUrl, contractFile, runId] = process.argv.slice(2);
const start = performance.now();
if (step === 'load') {
  const report = await migrate({ contractFile, sourceUrl, targetUrl, reconcile: false });
  console.log(JSON.stringify({ seconds: (performance.now() - start) / 1000, peakMb: peakRssMb(), runId: report.runId }));
} else {
  const report = await reconcile({ contractFile, runId, sourceUrl, targetUrl });
  console.log(JSON.stringify({ seconds: (performance.now() - start) / 1000, peakMb: peakRssMb(), report }));
}
