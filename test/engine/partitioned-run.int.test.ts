/**
 * Partitioned runs (issue #17), in-process, PostgreSQL → PostgreSQL over `ferry synth` data with
 * defects: cutting tables into key ranges loaded in parallel must leave exactly what a run of
 * whole tables leaves (rows, quarantine, lineage) and report exactly the same, including the
 * example keys of its gates; a cancelled partitioned run resumes from its partitions'
 * checkpoints under the plan it began with.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract/load.js';
import type { LoadedContract } from '../../src/contract/model.js';
import type { RunEvent } from '../../src/engine/events.js';
import { decodePlan, partitionsOf, unpartitionable } from '../../src/engine/partitions.js';
import { migrate, type MigrateOptions } from '../../src/run/migrate.js';
import type { RunReport } from '../../src/run/report.js';
import { createPgDatabase } from '../helpers/databases.js';
import { checkpointsOf, comparable, EXAMPLE_CONTRACT, outcomeOf, storedPlan, synthSource, targetFingerprint } from '../helpers/example-run.js';
import { tempDir } from '../helpers/tmp.js';

/** Rows per commit unit: the smallest partitions of 400 patients' tables still commit several units. */
const BATCH = 40;
const PARTITIONED = { partitions: 4, minPartitionRows: 100, concurrency: 3 };

let dir: string;
let cleanup: () => Promise<void>;
let sourceUrl: string;
let contract: LoadedContract;
const dbs: Array<{ drop: () => Promise<void> }> = [];
let reference: { report: RunReport; fingerprint: Awaited<ReturnType<typeof targetFingerprint>> };

async function target(): Promise<string> {
  const db = await createPgDatabase('ferry_part_t');
  dbs.push(db);
  return db.url;
}

function run(targetUrl: string, extra: Partial<MigrateOptions> = {}): Promise<RunReport> {
  return migrate({ contract, sourceUrl, targetUrl, batchSize: BATCH, ...extra } as MigrateOptions);
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('ferry-partitioned-'));
  const source = await synthSource(dir, 400, 0.01);
  dbs.push(source);
  sourceUrl = source.url;
  contract = await loadContract(EXAMPLE_CONTRACT);
  const url = await target();
  const report = await run(url);
  reference = { report, fingerprint: await targetFingerprint(url) };
}, 180_000);

afterAll(async () => {
  for (const d of dbs) await d.drop();
  await cleanup?.();
});

describe('a partitioned run', () => {
  it('leaves exactly the target and report of a run of whole tables', async () => {
    // The reference is worth comparing against: it quarantined rows in several tables and its gates name example keys.
    const ref = reference.report;
    expect(ref.reconciliation?.status).toBeDefined();
    expect(ref.tables.filter((t) => t.quarantined > 0).length).toBeGreaterThan(2);
    expect(ref.quality!.gates.some((g) => g.exampleKeys.length > 0)).toBe(true);

    const url = await target();
    const report = await run(url, PARTITIONED);
    expect(await targetFingerprint(url)).toEqual(reference.fingerprint);
    expect(comparable(report)).toEqual(comparable(ref));

    // Every table was cut (the example's keys are all plain integer copies) and the plan is in the ledger.
    const plan = decodePlan(report.runId, (await storedPlan(url, report.runId)) ?? undefined);
    const tables = Object.keys(contract.contract.mappings);
    expect(Object.keys(plan.tables).sort()).toEqual(tables.filter((t) => ref.tables.find((r) => r.table === t)!.read >= 100).sort());
    expect(Object.keys(plan.tables).length).toBeGreaterThan(5);
    // Each partition committed its own done checkpoint, and its table one of its own.
    const checkpoints = await checkpointsOf(url, report.runId);
    const expected = tables.flatMap((t) => (plan.tables[t] ? [t, ...partitionsOf(plan, t).map((p) => p.checkpoint)] : [t]));
    expect([...checkpoints.keys()].sort()).toEqual(expected.sort());
    expect([...checkpoints.values()].every((done) => done)).toBe(true);
    for (const t of Object.keys(plan.tables)) expect(plan.tables[t].bounds.length, t).toBeGreaterThanOrEqual(1);
    // The report says how each table was cut; the whole-table run loaded every table in one range.
    for (const t of report.tables) expect(t.keyRanges, t.table).toBe(partitionsOf(plan, t.table).length);
    expect(ref.tables.every((t) => t.keyRanges === 1)).toBe(true);
  }, 120_000);

  it('resumes after a cancel under the plan it began with, whatever partitions the resume asks for', async () => {
    const url = await target();
    const abort = new AbortController();
    let batches = 0;
    const onEvent = (e: RunEvent): void => {
      if (e.type === 'batch:loaded' && ++batches === 25) abort.abort();
    };
    const cancelled = await run(url, { ...PARTITIONED, signal: abort.signal, onEvent });
    expect(cancelled.status).toBe('cancelled');
    const planBefore = await storedPlan(url, cancelled.runId);
    const begun = decodePlan(cancelled.runId, planBefore ?? undefined);
    expect(Object.keys(begun.tables).length).toBeGreaterThan(5);
    // Cut part-way: some partitions committed, some are done, and the run is not.
    const partial = await checkpointsOf(url, cancelled.runId);
    expect(partial.size).toBeGreaterThan(0);
    const planned = Object.keys(contract.contract.mappings).flatMap((t) => (begun.tables[t] ? [t, ...partitionsOf(begun, t).map((p) => p.checkpoint)] : [t]));
    expect([...partial.values()].filter((done) => done).length).toBeLessThan(planned.length);
    expect(cancelled.totals.read).toBeLessThan(reference.report.totals.read);

    const resumed = await run(url, { resume: cancelled.runId, partitions: 2, minPartitionRows: 1, concurrency: 2 });
    expect(resumed.runId).toBe(cancelled.runId);
    expect(resumed.resumed).toBe(true);
    expect(await storedPlan(url, cancelled.runId)).toBe(planBefore);
    // Its checkpoints are those of the plan it began with: four partitions per cut table, no others.
    const checkpoints = await checkpointsOf(url, cancelled.runId);
    const tables = Object.keys(contract.contract.mappings);
    const expected = tables.flatMap((t) => (begun.tables[t] ? [t, ...partitionsOf(begun, t).map((p) => p.checkpoint)] : [t]));
    expect([...checkpoints.keys()].sort()).toEqual(expected.sort());
    expect([...checkpoints.values()].every((done) => done)).toBe(true);

    expect(await targetFingerprint(url)).toEqual(reference.fingerprint);
    expect(outcomeOf(resumed)).toEqual(outcomeOf(reference.report));
    expect(comparable({ ...resumed, resumed: false })).toEqual(comparable(reference.report));
  }, 120_000);

  it('loads a table that cannot be cut whole, beside the cut ones', async () => {
    // A default on allergy's target key makes it a computed key: an upsert by it cannot be split by source key.
    const edited = structuredClone(contract);
    edited.contract.mappings.allergy.fields.allergy_id.default = 0;
    expect(unpartitionable(edited.contract, 'allergy')).toBeDefined();
    const url = await target();
    const whole = await migrate({ contract: edited, sourceUrl, targetUrl: await target(), batchSize: BATCH });
    const report = await migrate({ contract: edited, sourceUrl, targetUrl: url, batchSize: BATCH, ...PARTITIONED });

    const plan = decodePlan(report.runId, (await storedPlan(url, report.runId)) ?? undefined);
    expect(plan.tables.allergy).toBeUndefined();
    expect(plan.tables.patient).toBeDefined();
    const checkpoints = await checkpointsOf(url, report.runId);
    expect(checkpoints.get('allergy')).toBe(true);
    expect([...checkpoints.keys()].filter((c) => c.startsWith('allergy/'))).toEqual([]);
    expect(checkpoints.get('patient/0')).toBe(true);

    // The default never applies (the key is never empty), so the target is the reference's, and the reports agree.
    expect(await targetFingerprint(url)).toEqual(reference.fingerprint);
    expect(comparable(report)).toEqual(comparable(whole));
    expect(outcomeOf(report)).toEqual(outcomeOf(reference.report));
  }, 120_000);
});
