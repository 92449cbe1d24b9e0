/**
 * A run's events move the process's metrics as they arrive: rows per kind by the difference of
 * the running totals, the rate while a table loads, the active-runs gauge for the run's life,
 * the verdict and reconciliation at its end; a resumed table counts only this attempt's rows.
 */
import { describe, expect, it } from 'vitest';
import { createMetrics, scrape } from '../../src/metrics/registry.js';
import { countUnstartedRun, trackRun } from '../../src/metrics/run-metrics.js';
import type { RunReport } from '../../src/run/report.js';
import { matching, value } from './scrape.js';

const labels = { runId: 'run-1', project: 'p1', tier: 'pre_production' };

describe('run metrics', () => {
  it('moves row counters batch by batch, holds the run active, and counts its end, verdict and reconciliation', async () => {
    const m = createMetrics();
    let t = 0;
    const run = trackRun(m, labels, () => t);
    run.onEvent({ type: 'run:started', runId: 'e1', contractDigest: 'd', tables: ['person'], resumed: false, dryRun: false });
    run.onEvent({ type: 'table:started', runId: 'e1', table: 'person', source: 'PERSON', total: 10, resumedFrom: 0 });
    let text = await scrape(m);
    expect(value(text, 'ferry_runs_active', { run_id: 'run-1', project: 'p1', tier: 'pre_production' })).toBe(1);
    expect(value(text, 'ferry_runs_started_total', { tier: 'pre_production' })).toBe(1);
    t = 1000;
    run.onEvent({ type: 'batch:loaded', runId: 'e1', table: 'person', batchRows: 4, counts: { read: 4, loaded: 3, quarantined: 1, excluded: 0 } });
    text = await scrape(m);
    expect(value(text, 'ferry_rows_read_total', { project: 'p1', table: 'person' })).toBe(4);
    expect(value(text, 'ferry_rows_quarantined_total', { project: 'p1', table: 'person' })).toBe(1);
    expect(value(text, 'ferry_rows_per_second', { project: 'p1', table: 'person' })).toBe(4);
    t = 2000;
    run.onEvent({ type: 'batch:loaded', runId: 'e1', table: 'person', batchRows: 6, counts: { read: 10, loaded: 8, quarantined: 1, excluded: 1 } });
    run.onEvent({ type: 'table:finished', runId: 'e1', table: 'person', counts: { read: 10, loaded: 8, quarantined: 1, excluded: 1 }, elapsedMs: 2000 });
    run.onEvent({ type: 'run:finished', runId: 'e1', status: 'succeeded', elapsedMs: 2000 });
    run.onEvent({ type: 'reconcile:finished', runId: 'e1', status: 'mismatch', elapsedMs: 1500 });
    run.finish('succeeded', { verdict: 'warn' } as RunReport);
    // A second end of the same run changes nothing.
    run.finish('failed', { verdict: 'fail' } as RunReport);
    text = await scrape(m);
    expect(value(text, 'ferry_rows_read_total', { table: 'person' })).toBe(10);
    expect(value(text, 'ferry_rows_loaded_total', { table: 'person' })).toBe(8);
    expect(value(text, 'ferry_rows_excluded_total', { table: 'person' })).toBe(1);
    expect(value(text, 'ferry_rows_per_second', { table: 'person' })).toBe(0);
    expect(value(text, 'ferry_runs_active')).toBe(0);
    expect(text).not.toContain('run_id="run-1"');
    expect(value(text, 'ferry_runs_total', { status: 'succeeded', tier: 'pre_production' })).toBe(1);
    expect(value(text, 'ferry_runs_total', { status: 'failed' })).toBe(0);
    expect(value(text, 'ferry_gate_decisions_total', { decision: 'warn', tier: 'pre_production' })).toBe(1);
    expect(value(text, 'ferry_reconciliations_total', { result: 'mismatch', tier: 'pre_production' })).toBe(1);
    expect(value(text, 'ferry_reconciliation_duration_seconds_sum', { tier: 'pre_production' })).toBe(1.5);
    expect(value(text, 'ferry_reconciliation_duration_seconds_count', { tier: 'pre_production' })).toBe(1);
  });

  it("counts only this attempt's rows of a resumed table", async () => {
    const m = createMetrics();
    const run = trackRun(m, labels);
    run.onEvent({ type: 'table:started', runId: 'e1', table: 'person', source: 'PERSON', total: null, resumedFrom: 100 });
    run.onEvent({ type: 'batch:loaded', runId: 'e1', table: 'person', batchRows: 20, counts: { read: 120, loaded: 115, quarantined: 5, excluded: 0 } });
    run.onEvent({ type: 'batch:loaded', runId: 'e1', table: 'person', batchRows: 10, counts: { read: 130, loaded: 124, quarantined: 6, excluded: 0 } });
    const text = await scrape(m);
    expect(value(text, 'ferry_rows_read_total', { table: 'person' })).toBe(30);
    // The first batch's split is unknown (its totals include the earlier attempt's rows): counted from the second batch on.
    expect(value(text, 'ferry_rows_loaded_total', { table: 'person' })).toBe(9);
    expect(value(text, 'ferry_rows_quarantined_total', { table: 'person' })).toBe(1);
  });

  it('an abandoned attempt (handed to another process) leaves the active gauge and counts no end; a run cancelled while queued counts its end', async () => {
    const m = createMetrics();
    const run = trackRun(m, labels);
    run.abandon();
    countUnstartedRun(m, 'cancelled', 'staging');
    const text = await scrape(m);
    expect(value(text, 'ferry_runs_active')).toBe(0);
    expect(value(text, 'ferry_runs_total', { status: 'cancelled', tier: 'staging' })).toBe(1);
    expect(value(text, 'ferry_runs_total')).toBe(1);
    expect(value(text, 'ferry_runs_started_total')).toBe(1);
  });

  it('keeps separate registries per process object, with process metrics under the ferry_ prefix', async () => {
    const a = createMetrics();
    const b = createMetrics();
    trackRun(a, labels);
    expect(value(await scrape(a), 'ferry_runs_started_total')).toBe(1);
    const other = await scrape(b);
    expect(value(other, 'ferry_runs_started_total')).toBe(0);
    expect(other).toMatch(/^ferry_process_cpu_seconds_total /m);
    expect(other).toMatch(/^ferry_process_resident_memory_bytes /m);
    expect(other).toMatch(/^ferry_nodejs_eventloop_lag_seconds /m);
  });
});

describe('series present from the start', () => {
  it('every run status, verdict and reconciliation result of every tier is at 0 before any run, so increase() sees the first one', async () => {
    const text = await scrape(createMetrics());
    for (const tier of ['pre_production', 'staging', 'production']) {
      expect(matching(text, 'ferry_runs_total', { status: 'failed', tier })).toEqual([expect.objectContaining({ value: 0 })]);
      expect(matching(text, 'ferry_gate_decisions_total', { decision: 'fail', tier })).toEqual([expect.objectContaining({ value: 0 })]);
      expect(matching(text, 'ferry_reconciliations_total', { result: 'mismatch', tier })).toEqual([expect.objectContaining({ value: 0 })]);
    }
  });
});
