/**
 * Rolling back a run over HTTP: a real pre_production run loads rows into the tier's SQLite
 * target, the rollback removes them again and is audit-logged under the API's run id; the
 * confirmation guard, dry runs, a second rollback and older runs under a newer one are refused.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScenario, type Scenario } from './scenario.js';

let s: Scenario;
beforeAll(async () => {
  s = await startScenario('sqlite');
}, 120_000);
afterAll(() => s.close());

const runs = () => `/projects/${s.projectId}/runs`;

function targetFile(): string {
  return s.preTarget;
}

function personCount(): number {
  const db = new Database(targetFile(), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM person').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function realRun(): Promise<string> {
  const start = await s.client.request('POST', runs(), { token: s.a.token.migration_analyst, body: { versionId: s.v1.id, tier: 'pre_production', source: 'probe' } });
  expect(start.status).toBe(202);
  const done = await s.app.worker.waitFor(start.body.runId);
  expect(done?.status).toBe('succeeded');
  return start.body.runId as string;
}

describe('POST /projects/{projectId}/runs/{runId}/rollback', () => {
  it('rolls a finished run back in the tier target and records it in the project’s trail', async () => {
    // The scenario's own run loaded the probe's two good rows; rolling it back empties the table.
    expect(personCount()).toBe(2);
    const runId = s.finishedRunId;
    const report = await s.client.request('GET', `${runs()}/${runId}/report`, { token: s.a.token.viewer });
    expect(report.body).toMatchObject({ source: 'probe', target: 'pre' });
    const r = await s.client.request('POST', `${runs()}/${runId}/rollback`, { token: s.a.token.integration_lead, body: { confirm: runId } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ format: 'ferry.rollback/v1', runId, executed: true, target: 'pre', totals: { deleted: 2, restored: 0 } });
    expect(r.body.engineRunId).toEqual(expect.any(String));
    expect(r.text).not.toContain(path.dirname(targetFile()));
    expect(personCount()).toBe(0);
    const audit = await s.client.request('GET', `/audit/events?projectId=${s.projectId}&type=run:rolled_back&runId=${runId}`, { token: s.a.token.auditor });
    expect(audit.body).toHaveLength(1);
    expect(audit.body[0]).toMatchObject({
      actor: s.world.a.as.integration_lead.userId,
      orgId: s.world.a.orgId,
      projectId: s.projectId,
      payload: { runId, tables: [{ table: 'person', deleted: 2, restored: 0 }] },
    });
    // One event in the whole chain (recorded once, through auditRollback), and in the tenant's listing.
    expect(await s.world.plane.audit.list({ type: 'run:rolled_back', runId })).toHaveLength(1);
    const listed = await s.world.plane.listAuditEvents(s.world.a.as.auditor, { type: 'run:rolled_back' });
    expect(listed.map((e) => e.seq)).toContain(audit.body[0].seq);
    expect((await s.world.plane.listAuditEvents(s.world.b.as.org_admin, { type: 'run:rolled_back' })).map((e) => e.seq)).not.toContain(audit.body[0].seq);
    const again = await s.client.request('POST', `${runs()}/${runId}/rollback`, { token: s.a.token.integration_lead, body: { confirm: runId } });
    expect([again.status, again.body.error.code]).toEqual([409, 'rollback.already_rolled_back']);
  });

  it('refuses to roll back an older run under a newer one that changed its rows (409, library code)', async () => {
    const older = await realRun();
    const newer = await realRun();
    const r = await s.client.request('POST', `${runs()}/${older}/rollback`, { token: s.a.token.migration_analyst, body: { confirm: older } });
    expect([r.status, r.body.error.code]).toEqual([409, 'rollback.touched_later']);
    expect(personCount()).toBe(2);
    const ok = await s.client.request('POST', `${runs()}/${newer}/rollback`, { token: s.a.token.migration_analyst, body: { confirm: newer } });
    expect(ok.status).toBe(200);
    expect(ok.body.totals).toEqual({ deleted: 0, restored: 2 });
  });

  it('needs the confirmation to repeat the run id, and refuses dry runs', async () => {
    const runId = await realRun();
    const wrong = await s.client.request('POST', `${runs()}/${runId}/rollback`, { token: s.a.token.migration_analyst, body: { confirm: 'yes' } });
    expect([wrong.status, wrong.body.error.code]).toEqual([400, 'rollback.not_confirmed']);
    const missing = await s.client.request('POST', `${runs()}/${runId}/rollback`, { token: s.a.token.migration_analyst, body: {} });
    expect(missing.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['body.confirm']);
    const dry = await s.client.request('POST', runs(), { token: s.a.token.migration_analyst, body: { versionId: s.v1.id, tier: 'pre_production', source: 'probe', dryRun: true } });
    await s.app.worker.waitFor(dry.body.runId);
    const r = await s.client.request('POST', `${runs()}/${dry.body.runId}/rollback`, { token: s.a.token.migration_analyst, body: { confirm: dry.body.runId } });
    expect([r.status, r.body.error.code]).toEqual([409, 'rollback.dry_run']);
  });

  it('needs the run permission of the run’s tier (403) and the caller’s own project (404)', async () => {
    const runId = await realRun();
    const viewer = await s.client.request('POST', `${runs()}/${runId}/rollback`, { token: s.a.token.viewer, body: { confirm: runId } });
    expect(viewer.status).toBe(403);
    const other = await s.client.request('POST', `${runs()}/${runId}/rollback`, { token: s.b.token.integration_lead, body: { confirm: runId } });
    expect(other.status).toBe(404);
    const unknown = await s.client.request('POST', `${runs()}/run-20250101-000000-abcdef/rollback`, { token: s.a.token.integration_lead, body: { confirm: 'run-20250101-000000-abcdef' } });
    expect(unknown.status).toBe(404);
  });
});
