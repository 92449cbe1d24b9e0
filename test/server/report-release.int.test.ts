/**
 * What the run page and the release board read: a finished run's report carries its
 * end-of-run reconciliation, and the release status names who promoted a tier's digest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScenario, type Scenario } from './scenario.js';

let s: Scenario;
beforeAll(async () => {
  s = await startScenario('sqlite');
}, 120_000);
afterAll(() => s.close());

const P = () => `/projects/${s.projectId}`;

describe('run report and release status over HTTP', () => {
  it('serves the end-of-run reconciliation with the run report', async () => {
    const r = await s.client.request('GET', `${P()}/runs/${s.finishedRunId}/report`, { token: s.a.token.viewer });
    expect(r.status).toBe(200);
    expect(r.body.reconciliation).toMatchObject({ status: expect.any(String), tables: expect.any(Array) });
    expect(r.body.reconciliation.tables[0]).toMatchObject({ table: 'person' });
    // The full reconciliation inside names source and target by reference too: no server paths.
    expect(r.body.reconciliation.report).toMatchObject({ source: 'probe', target: 'pre' });
    expect(r.text).not.toContain(String(s.env.FERRY_TARGET_PRE).replace(/^sqlite:/, ''));
  });

  it('names the promotion of the digest in each tier it was promoted into', async () => {
    const before = await s.client.request('GET', `${P()}/release`, { token: s.a.token.viewer });
    expect(before.body.tiers.find((t: { tier: string }) => t.tier === 'pre_production')).toMatchObject({ promotion: null });
    await s.world.plane.approveRelease(s.world.a.as.integration_lead, s.projectId, s.v1.digest, 'staging', 'ok');
    const promoted = await s.client.request('POST', `${P()}/release/tiers/staging/promote`, { token: s.a.token.integration_lead, body: { digest: s.v1.digest } });
    expect(promoted.status).toBe(200);
    const after = await s.client.request('GET', `${P()}/release`, { token: s.a.token.viewer });
    const staging = after.body.tiers.find((t: { tier: string }) => t.tier === 'staging');
    expect(staging).toMatchObject({ digest: s.v1.digest, promotion: { digest: s.v1.digest, tier: 'staging', promotedBy: s.world.a.as.integration_lead.userId, promotedAt: expect.any(String) } });
  });
});
