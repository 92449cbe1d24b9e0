/**
 * Separation of duties: an org_admin granted itself integration_lead and then approved a
 * production release alone. Nobody grants a role to themselves, over HTTP or in the library,
 * and each attempt is refused (403 `user.self_grant`) and audit-logged like any other refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError } from '../../src/errors.js';
import { startHarness, type Harness } from '../server/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('sqlite');
}, 120_000);
afterAll(() => h.close());

describe('granting a role to oneself', () => {
  it('is refused with 403 user.self_grant over HTTP, leaves the grants unchanged, and is audit-logged', async () => {
    const A = h.world.a;
    const before = await h.world.plane.getUser(A.admin, A.admin.userId);
    for (const body of [
      { role: 'integration_lead', projectId: null },
      { role: 'clinical_safety_officer', projectId: A.project.id },
    ]) {
      const r = await h.client.request('POST', `/users/${A.admin.userId}/roles`, { token: h.a.token.org_admin, body });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('user.self_grant');
    }
    expect((await h.world.plane.getUser(A.admin, A.admin.userId)).grants).toEqual(before.grants);
    const denied = await h.world.plane.listAuditEvents(A.as.auditor, { type: 'access:denied', actor: A.admin.userId });
    expect(denied.map((e) => e.payload)).toEqual([
      { action: 'role.grant', resource: 'user', resourceId: A.admin.userId, reason: 'forbidden' },
      { action: 'role.grant', resource: 'user', resourceId: A.admin.userId, reason: 'forbidden' },
    ]);
  });

  it('is refused in the library too, while granting the same role to someone else works', async () => {
    const A = h.world.a;
    const err = await h.world.plane.grantRole(A.admin, A.admin.userId, 'integration_lead', null).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect(err).toMatchObject({ kind: 'forbidden', code: 'user.self_grant' });
    const other = await h.world.plane.grantRole(A.admin, A.as.viewer.userId, 'integration_lead', null);
    expect(other.grants).toContainEqual({ role: 'integration_lead', projectId: null });
  });
});
