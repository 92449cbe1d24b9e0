/**
 * The sign-off pack over HTTP: a finished run's pack is an HTML attachment under the report
 * CSP, naming the run, its digest and the project's approvals; another tenant gets 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScenario, type Scenario } from './scenario.js';

let s: Scenario;
beforeAll(async () => {
  s = await startScenario('sqlite');
}, 120_000);
afterAll(() => s.close());

const pack = () => `/projects/${s.projectId}/runs/${s.finishedRunId}/pack`;

describe('GET …/runs/{runId}/pack', () => {
  it('serves the pack of a finished run as a self-contained attachment with the approvals so far', async () => {
    const r = await s.client.request('GET', pack(), { token: s.a.token.viewer });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="signoff-pack-${s.finishedRunId}.html"`);
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(r.text).toMatch(/^<!doctype html>/i);
    expect(r.text).toContain(s.v1.digest);
    expect(r.text).toContain('>Approvals so far</h2>');
    // v1 is approved in the scenario: the pack names its approver by id, and the run recorded for the digest.
    expect(r.text).toContain(`approved by <code>${s.world.a.as.integration_lead.userId}</code>`);
    expect(r.text).toContain(`<code>${s.finishedRunId}</code>`);
    expect(r.text).not.toContain('>Pilot</h2>'); // a server run is not a rehearsal
    expect(r.text).toContain('No hazard log submitted for this project.');
    expect(r.text).not.toContain('Invalid'); // the probe's quarantined surname: values never leave the engine
  });

  it('answers 404 to another tenant guessing the run id', async () => {
    const r = await s.client.request('GET', pack().replace(s.projectId, s.world.b.project.id), { token: s.b.token.viewer });
    expect(r.status).toBe(404);
    const direct = await s.client.request('GET', pack(), { token: s.b.token.viewer });
    expect(direct.status).toBe(404);
  });
});
