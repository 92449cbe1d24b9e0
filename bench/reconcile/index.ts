/**
 * Reconciliation benchmark, PostgreSQL → PostgreSQL, on two data sets: the pg-copy benchmark's
 * 11-column table (BENCH_ROWS rows) and the synthetic PAS of examples/legacy-pas (`ferry
 * synth`, BENCH_PAS_PATIENTS patients, default 20,000). For each: the load, a reconciliation
 * of the clean run, and a reconciliation after one row was changed and one deleted in the
 * target (pass 2 finds both), each step in its own process with its peak memory, and the
 * ratio of each reconciliation to the load. Wired into bench/run.ts as `reconcile`.
 */
import path from 'node:path';
import pg from 'pg';
import type { ReconciliationReport } from '../../src/reconcile/report.js';
import { generateTo } from '../../src/synth/generate.js';
import { dropPgDatabase, freshPgDatabase, runChild } from '../lib.js';
import { seedSource } from '../pg-copy/seed.js';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const BENCH_CONTRACT = path.resolve(HERE, '../pg-copy/contract.yaml');
const PAS_CONTRACT = path.resolve(HERE, '../../examples/legacy-pas/contract.yaml');
const CHILD = path.resolve(HERE, 'child.ts');

interface StepResult {
  seconds: number;
  peakMb: number;
  runId?: string;
  report?: ReconciliationReport;
}

interface Case {
  label: string;
  contract: string;
  /** Fills the (fresh) source database. */
  seed(sourceUrl: string): Promise<void>;
  /** Changes one row and deletes another in the loaded target. */
  tamper(c: pg.Client): Promise<void>;
}

function found(r: ReconciliationReport): string {
  const sum = (k: 'missing' | 'extra' | 'different') => r.tables.reduce((n, t) => n + t.counts[k], 0);
  const bisected = r.tables.filter((t) => t.bisection.method !== 'totals');
  const rows = r.tables.reduce((n, t) => n + t.bisection.rowsCompared, 0);
  const business = r.business.length ? `; business checks ${r.business.filter((b) => b.pass).length}/${r.business.length} pass` : '';
  const pass2 = bisected.length ? `pass 2 on ${bisected.map((t) => t.table).join(', ')} (${rows} rows compared row by row)` : 'pass 1 only';
  return `${r.status}; ${r.tables.filter((t) => t.status === 'match').length}/${r.tables.length} tables match; missing ${sum('missing')}, extra ${sum('extra')}, different ${sum('different')}; ${pass2}${business}`;
}

async function runCase(c: Case): Promise<string[]> {
  const srcName = 'ferry_bench_rec_src';
  const tgtName = 'ferry_bench_rec_tgt';
  const sourceUrl = await freshPgDatabase(srcName);
  const targetUrl = await freshPgDatabase(tgtName);
  try {
    await c.seed(sourceUrl);
    const load = await runChild<StepResult>(CHILD, ['load', sourceUrl, targetUrl, c.contract]);
    const runId = load.runId!;
    console.log(`${c.label}: load ${load.seconds.toFixed(1)} s`);
    const clean = await runChild<StepResult>(CHILD, ['reconcile', sourceUrl, targetUrl, c.contract, runId]);
    console.log(`${c.label}: reconcile (clean) ${clean.seconds.toFixed(1)} s`);
    const client = new pg.Client({ connectionString: targetUrl });
    await client.connect();
    await c.tamper(client);
    await client.end();
    const tampered = await runChild<StepResult>(CHILD, ['reconcile', sourceUrl, targetUrl, c.contract, runId]);
    console.log(`${c.label}: reconcile (tampered) ${tampered.seconds.toFixed(1)} s`);
    const line = (step: string, t: StepResult, result: string) => `| ${c.label} | ${step} | ${t.seconds.toFixed(1)} s | ${(t.seconds / load.seconds).toFixed(2)}× | ${t.peakMb} MB | ${result} |`;
    return [
      line('load (`ferry run --no-reconcile`)', load, ''),
      line('reconcile, clean run', clean, found(clean.report!)),
      line('reconcile, 1 row changed + 1 deleted', tampered, found(tampered.report!)),
    ];
  } finally {
    await dropPgDatabase(srcName);
    await dropPgDatabase(tgtName);
  }
}

/** Runs the benchmark on `rows` rows and the PAS, and returns its markdown section. */
export async function benchReconcile(rows: number): Promise<string> {
  const patients = Number(process.env.BENCH_PAS_PATIENTS ?? 20_000);
  const cases: Case[] = [
    {
      label: `bench_patient, ${rows.toLocaleString('en-GB')} rows`,
      contract: BENCH_CONTRACT,
      seed: (url) => seedSource(url, rows),
      tamper: async (c) => {
        await c.query(`UPDATE patient SET family_name = 'CHANGED' WHERE patient_id = $1`, [Math.floor(rows / 2)]);
        await c.query(`DELETE FROM patient WHERE patient_id = $1`, [Math.floor(rows / 3)]);
      },
    },
    {
      label: `legacy PAS, ${patients.toLocaleString('en-GB')} patients`,
      contract: PAS_CONTRACT,
      seed: async (url) => {
        await generateTo(url, { seed: 1, patients, manifest: path.join(process.env.TMPDIR ?? '/tmp', 'ferry-bench-rec-defects.json') });
      },
      tamper: async (c) => {
        await c.query(`UPDATE patient SET family_name = 'CHANGED' WHERE patient_id = (SELECT min(patient_id) FROM patient)`);
        await c.query(`DELETE FROM lab_result WHERE result_id = (SELECT max(result_id) FROM lab_result)`);
      },
    },
  ];
  const lines: string[] = [];
  for (const c of cases) lines.push(...(await runCase(c)));
  return [
    'PostgreSQL → PostgreSQL. Reconciliation re-derives every row through the contract; pass 1 compares each table’s row count and row-hash sum with the target’s (computed by the target at the same time), pass 2 (only for a table that differs) finds the rows by key-range checksum bisection. Each step runs in its own process (peak RSS is that process’s); the ratio is to the load of the same data set.',
    '',
    '| data set | step | wall time | ÷ load | peak RSS | result |',
    '| --- | --- | --- | --- | --- | --- |',
    ...lines,
  ].join('\n');
}
