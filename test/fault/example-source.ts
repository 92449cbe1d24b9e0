/**
 * The fault suite's shared starting point: a PostgreSQL source of `ferry synth` data (a few
 * defects, so quarantine and lineage matter) and the fingerprint of a clean run of the example
 * contract into PostgreSQL, which every disturbed run must end up matching.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';
import { doneTables, EXAMPLE_CONTRACT, runFerry, startFerry, targetFingerprint, until } from './ferry-process.js';
import { EXIT_MISMATCH } from '../../src/cli/reconcile.js';
import type { ReconciliationReport } from '../../src/reconcile/report.js';
import type { RunReport } from '../../src/run/report.js';

/** Rows per committed batch in every fault run: small, so a run has many batches to interrupt. */
export const BATCH = ['--batch-size', '200'];

/** What a run's quality gates concluded: status, verdict, decision and each gate's decision and value, without what differs between runs. */
export function gatesOf(r: RunReport) {
  return { status: r.status, verdict: r.verdict, decision: r.quality?.decision, gates: r.quality?.gates.map((g) => ({ kpi: g.kpi, table: g.table, decision: g.decision, value: g.value })) };
}

/** A run report as `ferry run --report` writes it. */
export async function readReport(file: string): Promise<RunReport> {
  return JSON.parse(await readFile(file, 'utf8')) as RunReport;
}

/** The source, the clean run's fingerprint and totals, and the databases to drop afterwards. */
export interface ExampleSource {
  sourceUrl: string;
  reference: Awaited<ReturnType<typeof targetFingerprint>>;
  totals: unknown;
  /** Source rows the clean run accounted for (loaded, quarantined or excluded). */
  sourceRows: number;
  tables: number;
  /** The clean run's time from spawn to its start line, and from its last table to its exit (reconciliation and reports). */
  preflightMs: number;
  reconcileMs: number;
  /** What the clean run's own reconciliation concluded: every table must match; business checks are what they are (a quarantined patient's allergies do not arrive). */
  reconciliation: { status: string; business: unknown };
  /** What the clean run's gates concluded (gatesOf): a disturbed run, once finished, must conclude the same. */
  gates: ReturnType<typeof gatesOf>;
  drop: () => Promise<void>;
}

/** Generates the source (`patients` patients) and runs the example cleanly into a fresh database; `dir` holds files. */
export async function exampleSource(dir: string, patients: number): Promise<ExampleSource> {
  const source = await createPgDatabase('ferry_fault_src');
  const clean = await createPgDatabase('ferry_fault_clean');
  const drop = async () => {
    await source.drop();
    await clean.drop();
  };
  const synth = await runFerry(['synth', '--out', source.url, '--patients', String(patients), '--defects', '0.004', '--seed', '7', '--manifest', path.join(dir, 'defects.json')], dir);
  expect(synth.code, synth.stderr).toBe(0);
  const started = Date.now();
  const run = startFerry(['run', EXAMPLE_CONTRACT, '--source', source.url, '--target', clean.url, ...BATCH, '--report', path.join(dir, 'clean.json')], dir);
  await until(() => /run run-[\w-]+ started/.test(run.stderr()), run);
  const preflightMs = Date.now() - started;
  const report = () => readReport(path.join(dir, 'clean.json'));
  const tables = Number(/started: (\d+) table/.exec(run.stderr())?.[1]);
  await until(() => doneTables(run.stderr()) >= tables, run);
  const loaded = Date.now();
  // The ledger records the load (reconciling) when the last table is done; reconciliation, the final record and the reports follow.
  expect(await run.exited, run.stderr()).toBe(0);
  const reconcileMs = Date.now() - loaded;
  const r = await report();
  expect(r.status).toBe('succeeded');
  const rec = r.reconciliation!.report;
  expect(rec.tables.map((t) => t.status).filter((st) => st !== 'match')).toEqual([]);
  const reference = await targetFingerprint(clean.url);
  return {
    sourceUrl: source.url,
    reference,
    totals: r.totals,
    sourceRows: reference._ferry_lineage_all.rows,
    tables,
    preflightMs,
    reconcileMs,
    reconciliation: { status: rec.status, business: rec.business },
    gates: gatesOf(r),
    drop,
  };
}

/** What a test file of the suite shares: its temporary directory, the example source, and databases to drop at the end. */
export interface ExampleFixture {
  dir: string;
  example: ExampleSource;
  dbs: Array<{ drop: () => Promise<void> }>;
}

/** Registers the hooks that build the example source before a file's tests and drop everything after. */
export function exampleFixture(prefix: string, patients = 1000): ExampleFixture {
  const fx = { dbs: [] } as unknown as ExampleFixture;
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ dir: fx.dir, cleanup } = await tempDir(prefix));
    fx.example = await exampleSource(fx.dir, patients);
  }, 180_000);
  afterAll(async () => {
    for (const d of fx.dbs) await d.drop();
    await fx.example?.drop();
    await cleanup?.();
  });
  return fx;
}

/** `ferry reconcile RUN` against the example source must conclude what the clean run's reconciliation did: every table matching, the same business figures. */
export async function expectReconciles(fx: ExampleFixture, runId: string, targetUrl: string): Promise<void> {
  const proof = await runFerry(['reconcile', runId, '--contract', EXAMPLE_CONTRACT, '--source', fx.example.sourceUrl, '--target', targetUrl, '--json'], fx.dir);
  const clean = fx.example.reconciliation;
  expect(proof.code, proof.stderr).toBe(clean.status === 'match' ? 0 : EXIT_MISMATCH);
  const report = JSON.parse(proof.stdout) as ReconciliationReport;
  expect(report.tables.map((t) => t.status).filter((st) => st !== 'match')).toEqual([]);
  expect(report.status).toBe(clean.status);
  expect(report.business).toEqual(clean.business);
}
