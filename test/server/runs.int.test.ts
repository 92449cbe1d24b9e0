/**
 * Runs over HTTP: executed by the worker (never in the request), followed live over SSE to the
 * end, cancelled mid-run, and refused by the release gate with the missing conditions listed
 * before anything connects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_EXPECTED } from '../../src/server/probe/probe.js';
import { sse } from './harness.js';
import { startScenario, type Scenario } from './scenario.js';

let s: Scenario;
beforeAll(async () => {
  s = await startScenario('sqlite');
}, 120_000);
afterAll(() => s.close());

const runs = () => `/projects/${s.projectId}/runs`;

describe('runs over HTTP', () => {
  it('answers 202 at once and streams the run to completion over SSE with counts, throughput and ETA', async () => {
    const start = await s.client.request('POST', runs(), { token: s.a.token.migration_analyst, body: { versionId: s.v1.id, tier: 'pre_production', source: 'probe', dryRun: true } });
    expect(start.status).toBe(202);
    expect(['queued', 'running']).toContain(start.body.status);
    const runId = start.body.runId as string;
    const stream = await sse(`${s.url}${runs()}/${runId}/events`, s.a.token.viewer);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    const names = stream.events.map((e) => e.event);
    expect(names[0]).toBe('snapshot');
    expect(names.at(-1)).toBe('end');
    const end = stream.events.at(-1)!.data;
    expect(end).toMatchObject({ runId, status: 'succeeded', error: null });
    expect(end.progress.totals).toMatchObject(PROBE_EXPECTED);
    // Every live message names the run by the API's id and carries the figures after the event.
    for (const e of stream.events.slice(1, -1)) {
      expect(e.data.event.runId).toBe(runId);
      expect(e.data).toHaveProperty('rowsPerSecond');
      expect(e.data).toHaveProperty('etaSeconds');
      expect(e.data.totals).toHaveProperty('read');
    }
    const report = await s.client.request('GET', `${runs()}/${runId}/report`, { token: s.a.token.auditor });
    expect(report.body).toMatchObject({ format: 'ferry.run-report/v1', dryRun: true, totals: PROBE_EXPECTED });
    expect(report.text).not.toContain('Invalid'); // the quarantined row's surname: values never leave the engine
    const html = await s.client.request('GET', `${runs()}/${runId}/quality.html`, { token: s.a.token.viewer });
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.text).toMatch(/^<!doctype html>/i);
    const audit = await s.client.request('GET', `/audit/events?runId=${runId}&order=asc`, { token: s.a.token.auditor });
    expect(audit.body.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['run:started', 'run:finished', 'run:recorded']));
    const listed = await s.client.request('GET', runs(), { token: s.a.token.viewer });
    expect(listed.body.find((r: { runId: string }) => r.runId === runId)).toMatchObject({ status: 'succeeded' });
  });

  it('streams live events while a run is moving rows, then cancels it: the stream ends `cancelled` and the run is recorded so', async () => {
    const start = await s.client.request('POST', runs(), { token: s.a.token.migration_analyst, body: { versionId: s.v1.id, tier: 'pre_production', source: 'connection:slow', dryRun: true } });
    const runId = start.body.runId as string;
    const following = sse(`${s.url}${runs()}/${runId}/events`, s.a.token.viewer);
    for (let i = 0; i < 200 && (s.app.worker.get(runId)?.progress.totals.read ?? 0) === 0; i++) await new Promise((r) => setTimeout(r, 25));
    const cancel = await s.client.request('POST', `${runs()}/${runId}/cancel`, { token: s.a.token.integration_lead });
    expect(cancel.status).toBe(200);
    const stream = await following;
    expect(stream.events.some((e) => e.event === 'batch:loaded')).toBe(true);
    const end = stream.events.at(-1)!;
    expect(end.event).toBe('end');
    expect(end.data.status).toBe('cancelled');
    expect(end.data.progress.totals.read).toBeLessThan(300_000);
    const shown = await s.client.request('GET', `${runs()}/${runId}`, { token: s.a.token.viewer });
    expect(shown.body.run.status).toBe('cancelled');
    expect(shown.body.record).toMatchObject({ runId, status: 'cancelled', dryRun: true });
    const again = await s.client.request('POST', `${runs()}/${runId}/cancel`, { token: s.a.token.integration_lead });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('run.finished');
  });

  it('refuses a run whose release gate is not met, listing the missing conditions, and queues nothing', async () => {
    const before = s.app.worker.list(s.projectId).length;
    const unapproved = await s.client.request('POST', runs(), { token: s.a.token.migration_analyst, body: { versionId: s.v2.id, tier: 'pre_production', source: 'probe' } });
    expect(unapproved.status).toBe(409);
    expect(unapproved.body.error.code).toBe('release.gate_refused');
    expect(unapproved.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['version_approved']);
    const staging = await s.client.request('POST', runs(), { token: s.a.token.integration_lead, body: { versionId: s.v1.id, tier: 'staging', source: 'probe' } });
    expect(staging.status).toBe(409);
    expect(staging.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['approval:integration_lead']);
    expect(staging.body.error.issues[0].message).toMatch(/integration_lead/);
    expect(s.app.worker.list(s.projectId).length).toBe(before);
    const refused = await s.client.request('GET', `/audit/events?projectId=${s.projectId}&type=release:refused`, { token: s.a.token.auditor });
    expect(refused.body.length).toBeGreaterThanOrEqual(2);
  });

  it('finds a loaded row’s lineage in the tier target, explained by the contract version', async () => {
    const r = await s.client.request('GET', `/projects/${s.projectId}/lineage?tier=pre_production&by=source&table=PERSON&key=1&versionId=${s.v1.id}`, { token: s.a.token.viewer });
    expect(r.status).toBe(200);
    expect(r.body.entries).toEqual([expect.objectContaining({ outcome: 'loaded', targetTable: 'person', targetKey: '1', contractMatches: true })]);
    const quarantined = await s.client.request('GET', `/projects/${s.projectId}/lineage?tier=pre_production&by=source&table=PERSON&key=3`, { token: s.a.token.viewer });
    expect(quarantined.body.entries).toEqual([expect.objectContaining({ outcome: 'quarantined', reasonCode: 'rule.nhs_number' })]);
  });
});
