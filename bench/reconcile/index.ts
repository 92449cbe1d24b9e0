/**
 * Reconciliation benchmark: PostgreSQL → PostgreSQL with the pg-copy benchmark's contract
 * (11 columns). Measures the load, a reconciliation of the clean run, and a reconciliation
 * after one row was changed and one deleted in the target (bisection finds both), with the
 * peak memory of each step's own process. Wire into bench/run.ts as `reconcile: () => benchReconcile(rows)`.
 */
import path from 'node:path';
import pg from 'pg';
import type { ReconciliationReport } from '../../src/reconcile/report.js';
import { dropPgDatabase, freshPgDatabase, runChild } from '../lib.js';
import { seedSource } from '../pg-copy/seed.js';

const CONTRACT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../pg-copy/contract.yaml');

interface StepResult {
  seconds: number;
  peakMb: number;
  runId?: string;
  report?: ReconciliationReport;
}

const CHILD = path.resolve(path.dirname(new URL(import.meta.url).pathname), 'child.ts');

function row(label: string, t: StepResult, r?: ReconciliationReport): string {
  const p = r?.tables[0];
  const found = p ? `${r!.status}; missing ${p.counts.missing}, different ${p.counts.different}; ${p.bisection.ranges} ranges, ${p.bisection.rowsCompared} rows compared row by row` : '';
  return `| ${label} | ${t.seconds.toFixed(1)} s | ${t.peakMb} MB | ${found} |`;
}

/** Runs the benchmark on `rows` rows and returns its markdown section. */
export async function benchReconcile(rows: number): Promise<string> {
  const srcName = 'ferry_bench_rec_src';
  const tgtName = 'ferry_bench_rec_tgt';
  const sourceUrl = await freshPgDatabase(srcName);
  const targetUrl = await freshPgDatabase(tgtName);
  try {
    await seedSource(sourceUrl, rows);
    const load = await runChild<StepResult>(CHILD, ['load', sourceUrl, targetUrl, CONTRACT]);
    const runId = load.runId!;
    console.log(`load ${load.seconds.toFixed(1)} s`);
    const clean = await runChild<StepResult>(CHILD, ['reconcile', sourceUrl, targetUrl, CONTRACT, runId]);
    console.log(`reconcile (match) ${clean.seconds.toFixed(1)} s`);
    const c = new pg.Client({ connectionString: targetUrl });
    await c.connect();
    await c.query(`UPDATE patient SET family_name = 'CHANGED' WHERE patient_id = $1`, [Math.floor(rows / 2)]);
    await c.query(`DELETE FROM patient WHERE patient_id = $1`, [Math.floor(rows / 3)]);
    await c.end();
    const tampered = await runChild<StepResult>(CHILD, ['reconcile', sourceUrl, targetUrl, CONTRACT, runId]);
    console.log(`reconcile (tampered) ${tampered.seconds.toFixed(1)} s`);
    return [
      `${rows.toLocaleString('en-GB')} rows, 11 columns, PostgreSQL → PostgreSQL; reconciliation re-derives every row through the contract and compares by key-range checksums in the target. Each step runs in its own process (peak RSS is that process's).`,
      '',
      '| step | wall time | peak RSS | result |',
      '| --- | --- | --- | --- |',
      row('load (`ferry run --no-reconcile`)', load),
      row('reconcile, clean run', clean, clean.report),
      row('reconcile, 1 row changed + 1 deleted', tampered, tampered.report),
    ].join('\n');
  } finally {
    await dropPgDatabase(srcName);
    await dropPgDatabase(tgtName);
  }
}
