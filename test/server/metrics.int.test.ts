/**
 * The server's metrics move with its runs: a run started over the API counts rows per table as
 * its batches commit (scraped before, twice during and after it), holds `ferry_runs_active`
 * while it executes, and at its end adds its status, its quality verdict and its
 * reconciliation; HTTP latency is labelled by route template, never by raw path; and no scrape
 * carries a value of the probe's patients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, scrape, type FerryMetrics } from '../../src/metrics/registry.js';
import { routeTable } from '../../src/server/app.js';
import { matching, value, waitFor } from '../metrics/scrape.js';
import { startScenario, type Scenario } from './scenario.js';

let s: Scenario;
let metrics: FerryMetrics;
beforeAll(async () => {
  metrics = createMetrics();
  s = await startScenario('sqlite', undefined, { metrics });
}, 120_000);
afterAll(() => s.close());

const runs = () => `/projects/${s.projectId}/runs`;
/** The probe's source values (NHS numbers and surnames): never in a scrape. */
const PATIENT_VALUES = ['9990000018', '9990000026', '9990000035', 'Sample', 'Invalid', 'Slow'];

const until = (condition: () => boolean, what: string) => waitFor(() => (condition() ? true : undefined), what, 30_000);

describe('server metrics', () => {
  it('count the scenario run: rows per table, its status, verdict and reconciliation', async () => {
    const text = await scrape(metrics);
    const person = { project: s.projectId, table: 'person' };
    expect(value(text, 'ferry_rows_read_total', person)).toBe(3);
    expect(value(text, 'ferry_rows_loaded_total', person)).toBe(2);
    expect(value(text, 'ferry_rows_quarantined_total', person)).toBe(1);
    expect(value(text, 'ferry_runs_total', { status: 'succeeded', tier: 'pre_production' })).toBe(1);
    expect(value(text, 'ferry_runs_started_total', { tier: 'pre_production' })).toBe(1);
    expect(value(text, 'ferry_gate_decisions_total', { tier: 'pre_production' })).toBe(1);
    expect(value(text, 'ferry_reconciliations_total', { result: 'match', tier: 'pre_production' })).toBe(1);
    expect(value(text, 'ferry_reconciliation_duration_seconds_count', { tier: 'pre_production' })).toBe(1);
  });

  it('move during a run: rows climb batch by batch while the run is active, and its cancel is counted', async () => {
    const person = { project: s.projectId, table: 'person' };
    const before = await scrape(metrics);
    const readBefore = value(before, 'ferry_rows_read_total', person);
    const start = await s.client.request('POST', runs(), { token: s.a.token.migration_analyst, body: { versionId: s.v1.id, tier: 'pre_production', source: 'connection:slow', dryRun: true } });
    expect(start.status).toBe(202);
    const runId = start.body.runId as string;
    await until(() => (s.app.worker.get(runId)?.progress.totals.read ?? 0) > 0, 'the first batch');
    const during = await scrape(metrics);
    expect(value(during, 'ferry_runs_active', { run_id: runId, project: s.projectId, tier: 'pre_production' })).toBe(1);
    const readDuring = value(during, 'ferry_rows_read_total', person);
    expect(readDuring).toBeGreaterThan(readBefore);
    expect(value(during, 'ferry_rows_per_second', person)).toBeGreaterThan(0);
    // Later batches move the counter again, before the run ends.
    await until(() => (s.app.worker.get(runId)?.progress.totals.read ?? 0) > readDuring - readBefore + 1000, 'more batches');
    const later = await scrape(metrics);
    expect(value(later, 'ferry_rows_read_total', person)).toBeGreaterThan(readDuring);
    expect(s.app.worker.get(runId)?.status).toBe('running');
    await s.client.request('POST', `${runs()}/${runId}/cancel`, { token: s.a.token.integration_lead });
    await s.app.runs.waitFor(runId);
    const after = await scrape(metrics);
    expect(matching(after, 'ferry_runs_active', { run_id: runId })).toEqual([]);
    expect(value(after, 'ferry_runs_total', { status: 'cancelled', tier: 'pre_production' })).toBe(1);
    expect(value(after, 'ferry_rows_per_second', person)).toBe(0);
    const final = s.app.worker.get(runId)!.progress.totals.read;
    expect(value(after, 'ferry_rows_read_total', person)).toBe(readBefore + final);
  }, 60_000);

  it('count a finished run through the API: rows, status, verdict and reconciliation each move by one run', async () => {
    const person = { project: s.projectId, table: 'person' };
    const before = await scrape(metrics);
    const start = await s.client.request('POST', runs(), { token: s.a.token.migration_analyst, body: { versionId: s.v1.id, tier: 'pre_production', source: 'probe' } });
    expect(start.status).toBe(202);
    const done = await s.app.runs.waitFor(start.body.runId);
    expect(done?.status).toBe('succeeded');
    const after = await scrape(metrics);
    const moved = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);
    expect(moved('ferry_rows_read_total', person)).toBe(3);
    expect(moved('ferry_rows_loaded_total', person)).toBe(2);
    expect(moved('ferry_rows_quarantined_total', person)).toBe(1);
    expect(moved('ferry_runs_total', { status: 'succeeded', tier: 'pre_production' })).toBe(1);
    expect(moved('ferry_gate_decisions_total', { tier: 'pre_production' })).toBe(1);
    expect(moved('ferry_reconciliations_total', { tier: 'pre_production' })).toBe(1);
    expect(moved('ferry_reconciliation_duration_seconds_count', { tier: 'pre_production' })).toBe(1);
    expect(moved('ferry_reconciliation_duration_seconds_sum', { tier: 'pre_production' })).toBeGreaterThan(0);
  }, 60_000);

  it('label HTTP latency by route template and status class, never by a path holding ids', async () => {
    await s.client.request('GET', `/no/such/${s.projectId}`);
    const text = await scrape(metrics);
    const http = matching(text, 'ferry_http_request_duration_seconds_count');
    expect(http.length).toBeGreaterThan(0);
    const templates = new Set(routeTable({} as never).map((r) => r.path));
    for (const sample of http) {
      expect(templates.has(sample.labels.route) || sample.labels.route === 'unmatched', sample.labels.route).toBe(true);
      expect(sample.labels.status_class).toMatch(/^[1-5]xx$/);
    }
    expect(value(text, 'ferry_http_request_duration_seconds_count', { method: 'POST', route: '/projects/{projectId}/runs', status_class: '2xx' })).toBeGreaterThanOrEqual(3);
    expect(value(text, 'ferry_http_request_duration_seconds_count', { route: 'unmatched', status_class: '4xx' })).toBeGreaterThanOrEqual(1);
    for (const sample of matching(text, 'ferry_http_request_duration_seconds_count')) expect(sample.labels.route).not.toContain(s.projectId);
  });

  it('never carry a patient value', async () => {
    const text = await scrape(metrics);
    for (const v of PATIENT_VALUES) expect(text, v).not.toContain(v);
  });
});
