/**
 * Cross-tenant id guessing on every route that takes an id: tenant B's users, holding the
 * role the route needs in their own org, replay tenant A's requests (A's ids in the path, and
 * A's object ids under B's own project). Every attempt is a 404 that reads like any unknown
 * id, and every one is audit-logged as `access:denied`.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSION_MATRIX, type Role } from '../../src/control/roles.js';
import { FIXTURES } from './fixtures.js';
import { requiredPermission } from './matrix.js';
import { startScenario, type Scenario } from './scenario.js';

let s: Scenario;
beforeAll(async () => {
  s = await startScenario('sqlite');
}, 120_000);
afterAll(() => s.close());

async function deniedCount(): Promise<number> {
  const r = await sql<{ n: number }>`select count(*) as "n" from "audit_event" where "type" = 'access:denied'`.execute(s.world.store.db);
  return Number(r.rows[0].n);
}

const OBJECT_ID = /[a-z]+_[0-9a-f]{24}|run-\d{8}-\d{6}-[0-9a-f]{6}/;

describe('cross-tenant id guessing', () => {
  it('answers 404 and audit-logs every attempt on every route with an id', async () => {
    const failures: string[] = [];
    let attempts = 0;
    for (const route of s.app.routes.filter((r) => r.access === 'authenticated' && r.path.includes('{'))) {
      const call = await FIXTURES[route.operationId](s, { role: 'org_admin', tenant: 'b' });
      const permission = requiredPermission(route, call);
      const role: Role = permission ? (PERMISSION_MATRIX[permission][0] as Role) : 'viewer';
      const variants = [{ name: "A's ids", path: call.path, body: call.body }];
      const bProject = s.world.b.project.id;
      const underB = { path: call.path.replace(s.projectId, bProject), body: call.body === undefined ? undefined : JSON.parse(JSON.stringify(call.body).replaceAll(s.projectId, bProject)) };
      if (underB.path !== call.path && OBJECT_ID.test(underB.path.replace(bProject, '') + JSON.stringify(underB.body ?? ''))) variants.push({ name: "A's object ids under B's project", ...underB });
      for (const v of variants) {
        attempts++;
        const before = await deniedCount();
        const r = await s.client.request(call.method, v.path, { token: s.b.token[role], body: v.body });
        const after = await deniedCount();
        if (r.status !== 404 || after !== before + 1)
          failures.push(`${route.operationId} (${v.name}) as B's ${role}: ${r.status} ${r.body?.error?.code ?? ''}, ${after - before} access:denied event(s)`);
      }
      await call.cleanup?.();
    }
    expect(failures).toEqual([]);
    expect(attempts).toBeGreaterThan(40);
  });
});
