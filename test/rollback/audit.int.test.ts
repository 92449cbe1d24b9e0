/**
 * `auditRollback`: a CLI rollback (a bare store) is recorded unscoped; a rollback made for a
 * tenant carries its org and project, takes the control plane's clock, and shows in that
 * tenant's audit listing only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRollback } from '../../src/rollback/audit.js';
import { storeFixture, type StoreFixture } from '../control/stores.js';
import { buildWorld, type World } from '../control/world.js';

const TABLES = [{ table: 'patient', deleted: 3, restored: 1 }];
let fx: StoreFixture;
let w: World;

beforeAll(async () => {
  fx = await storeFixture('sqlite');
  w = await buildWorld(fx);
});
afterAll(async () => {
  await w?.close();
  await fx?.cleanup();
});

describe('auditRollback', () => {
  it('records a CLI rollback on a bare store without org or project, counts only', async () => {
    const e = await auditRollback(w.store, 'os:alice', { runId: 'run-cli-1', tables: TABLES });
    expect(e).toMatchObject({ type: 'run:rolled_back', actor: 'os:alice', orgId: null, projectId: null, payload: { runId: 'run-cli-1', tables: TABLES } });
    // Not any tenant's event.
    expect((await w.plane.listAuditEvents(w.a.as.auditor, { type: 'run:rolled_back' })).map((x) => x.seq)).not.toContain(e.seq);
  });

  it('records a tenant rollback with its org and project, in that tenant’s listing only', async () => {
    const { a, b } = w;
    const e = await auditRollback(w.plane.audit, a.as.integration_lead.userId, { runId: 'run-api-1', tables: TABLES }, { orgId: a.orgId, projectId: a.project.id });
    expect(e).toMatchObject({ orgId: a.orgId, projectId: a.project.id, actor: a.as.integration_lead.userId, payload: { runId: 'run-api-1', tables: TABLES } });
    // The plane's log keeps the plane's (test) clock.
    expect(e.time).toBe(w.clock.now.toISOString());
    const listed = await w.plane.listAuditEvents(a.as.auditor, { projectId: a.project.id, type: 'run:rolled_back', runId: 'run-api-1' });
    expect(listed.map((x) => x.seq)).toEqual([e.seq]);
    expect(await w.plane.listAuditEvents(b.as.org_admin, { type: 'run:rolled_back' })).toEqual([]);
  });

  it('keeps row values out: only table names and counts are accepted', async () => {
    const tables = [{ table: 'patient', deleted: 1, restored: 0, nhs_number: '9990000018' }];
    const e = await auditRollback(w.store, 'os:alice', { runId: 'run-cli-2', tables });
    expect(JSON.stringify(e)).not.toContain('9990000018');
  });
});
