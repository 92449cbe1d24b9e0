/**
 * In-process runs of the example contract over `ferry synth` data in PostgreSQL, and what two
 * runs of it must agree on: the target (test/fault's fingerprint) and the report without what
 * differs between any two runs (ids, clocks, the target's address).
 */
import path from 'node:path';
import { generateTo } from '../../src/synth/generate.js';
import { uniformRates } from '../../src/synth/defects.js';
import type { RunReport } from '../../src/run/report.js';
import { createPgDatabase } from './databases.js';
import { query } from '../fault/ferry-process.js';

export { EXAMPLE_CONTRACT, query, targetFingerprint } from '../fault/ferry-process.js';

/** A PostgreSQL database of `ferry synth` data: `patients` patients with defects at `rate`, written with `dir` holding the manifest. */
export async function synthSource(dir: string, patients: number, rate: number): Promise<{ url: string; drop: () => Promise<void> }> {
  const db = await createPgDatabase('ferry_synth_src');
  await generateTo(db.url, { seed: 7, patients, rates: uniformRates(rate), manifest: path.join(dir, `defects-${db.name}.json`) });
  return db;
}

/** Keys whose values differ between any two runs of the same contract over the same source. */
/** What differs between two runs of the same rows by design, and how many key ranges a table was cut into. */
const VOLATILE = new Set(['runId', 'startedAt', 'finishedAt', 'elapsedMs', 'rowsPerSecond', 'keyRanges']);

/** The report without its run id, clocks, rates and target address (a `target` holding a URL), at any depth. */
export function comparable(report: RunReport): unknown {
  const volatile = ([k, x]: [string, unknown]): boolean => VOLATILE.has(k) || (k === 'target' && typeof x === 'string' && x.includes('://'));
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.entries(v)
        .filter((e) => !volatile(e))
        .map(([k, x]) => [k, strip(x)]),
    );
  };
  return strip(JSON.parse(JSON.stringify(report)));
}

/** What a run concluded: status, verdict, totals, per-table counts and reasons, and its gates with their values and example keys. */
export function outcomeOf(r: RunReport) {
  return {
    status: r.status,
    verdict: r.verdict,
    totals: r.totals,
    tables: r.tables.map((t) => ({ table: t.table, read: t.read, loaded: t.loaded, quarantined: t.quarantined, excluded: t.excluded, reasons: t.quarantineReasons })),
    quality: r.quality ? { decision: r.quality.decision, gates: r.quality.gates } : undefined,
  };
}

/** The run's checkpoints in the target: name → done. */
export async function checkpointsOf(url: string, runId: string): Promise<Map<string, boolean>> {
  const rows = await query<{ name: string; done: boolean }>(url, 'SELECT table_name AS name, done FROM _ferry_checkpoints WHERE run_id = $1 ORDER BY 1', [runId]);
  return new Map(rows.map((r) => [r.name, r.done]));
}

/** The partition plan the run stored in the target's ledger. */
export async function storedPlan(url: string, runId: string): Promise<string | null> {
  const [row] = await query<{ plan: string | null }>(url, 'SELECT run_plan AS plan FROM _ferry_runs WHERE run_id = $1', [runId]);
  return row?.plan ?? null;
}
