/**
 * The sampling review over HTTP: a reviewer's side-by-side view of a sampled patient carries
 * the legacy and target values and is audited on every request (keys' digests only, never a
 * value); viewer and migration_analyst are refused (403), another org's caller gets 404, and
 * the queue and verdict routes carry keys and verdicts only.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScenario, type Scenario } from './scenario.js';

let s: Scenario;
let P: string;
beforeAll(async () => {
  s = await startScenario('sqlite');
  P = `/projects/${s.projectId}`;
}, 120_000);
afterAll(() => s.close());

describe('sampling review routes', () => {
  it('draws a reproducible review, shows a patient only to reviewers (audited), and records verdicts', async () => {
    const draw = () => s.client.request('POST', `${P}/runs/${s.finishedRunId}/reviews`, { token: s.a.token.integration_lead, body: { source: 'probe', patients: 3, seed: 5 } });
    const first = await draw();
    expect([first.status, first.text]).toEqual([201, expect.any(String)]);
    const second = await draw();
    expect(second.body.sampled.map((p: { patientKey: string }) => p.patientKey)).toEqual(first.body.sampled.map((p: { patientKey: string }) => p.patientKey));
    const id = first.body.id as string;
    const key = first.body.sampled[0].patientKey as string;

    const path = `${P}/reviews/${id}/patients/0`;
    for (const role of ['viewer', 'migration_analyst', 'auditor'] as const) expect((await s.client.request('GET', path, { token: s.a.token[role] })).status).toBe(403);
    const other = await s.client.request('GET', path, { token: s.b.token.clinical_reviewer });
    expect(other.status).toBe(404);
    expect(other.text).not.toContain('patientKey');

    const seen = await s.client.request('GET', path, { token: s.a.token.clinical_reviewer });
    expect(seen.status).toBe(200);
    expect(seen.headers.get('cache-control')).toBe('no-store');
    const person = seen.body.view.rows.find((r: { table: string }) => r.table === 'PERSON');
    expect(person.key).toBe(key);
    expect(person.outcomes.length).toBeGreaterThan(0);
    for (const o of person.outcomes) expect(o.outcome === 'loaded' ? o.fields.length : o.reasons.length, o.outcome).toBeGreaterThan(0);
    expect(person.values.length).toBeGreaterThan(1);

    const events = (await s.world.plane.listAuditEvents(s.world.a.as.auditor, { projectId: s.projectId, type: 'review:patient_viewed' })).filter(
      (e) => (e.payload as { reviewId: string }).reviewId === id,
    );
    expect(events.map((e) => [e.actor, e.payload])).toEqual([
      [s.world.a.as.clinical_reviewer.userId, { reviewId: id, runId: s.finishedRunId, position: 0, patientKeyDigest: createHash('sha256').update(key).digest('hex') }],
    ]);
    // The queue carries keys and verdicts, never values.
    const queue = await s.client.request('GET', `${P}/reviews`, { token: s.a.token.viewer });
    expect(queue.status).toBe(200);
    expect(JSON.stringify(queue.body)).not.toContain(String(person.values.find((v: { column: string }) => v.column === 'SURNAME')?.value ?? '\u0000'));

    const marked = await s.client.request('POST', `${path}/verdict`, { token: s.a.token.clinical_reviewer, body: { verdict: 'discrepancy', comment: 'surname differs' } });
    expect(marked.status).toBe(200);
    expect(marked.body.openDiscrepancies).toBe(1);
    expect((await s.client.request('POST', `${path}/verdict`, { token: s.a.token.clinical_reviewer, body: { verdict: 'matches' } })).body.error.code).toBe('review.already_marked');
    expect((await s.client.request('POST', `${path}/resolve`, { token: s.a.token.clinical_safety_officer, body: { comment: 'fixed' } })).body.openDiscrepancies).toBe(0);
  });
});
