/**
 * The generated ROUTE × ROLE matrix: every route of the table, called by every role of the
 * caller's own org. A role the permission matrix allows succeeds; any other gets 403 and the
 * store (every table but the audit trail) and the run worker are exactly as before.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSION_MATRIX, ROLES, type Role } from '../../src/control/roles.js';
import { FIXTURES } from './fixtures.js';
import { requiredPermission } from './matrix.js';
import { startScenario, type Scenario } from './scenario.js';

let s: Scenario;
beforeAll(async () => {
  s = await startScenario('sqlite');
}, 120_000);
afterAll(() => s.close());

const IGNORED_TABLES = new Set(['audit_event', 'audit_head', 'ferry_migrations']);
const IGNORED_COLUMNS = new Set(['last_seen_at', 'last_used_at']);

/** Everything a request could change: every control table's rows, and the runs this server holds. */
async function snapshot(): Promise<string> {
  const tables = (await s.world.store.db.introspection.getTables())
    .map((t) => t.name)
    .filter((t) => !IGNORED_TABLES.has(t))
    .sort();
  const out: Record<string, unknown> = { runs: s.app.worker.list(s.projectId).map((r) => r.runId) };
  for (const t of tables) {
    const rows = (await sql.raw<Record<string, unknown>>(`SELECT * FROM "${t}"`).execute(s.world.store.db)).rows;
    out[t] = rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).filter(([k]) => !IGNORED_COLUMNS.has(k))))).sort();
  }
  return JSON.stringify(out);
}

describe('route × role matrix', () => {
  it('has a fixture for every route in the table', () => {
    expect(s.app.routes.map((r) => r.operationId).filter((id) => !FIXTURES[id])).toEqual([]);
  });

  it('rejects every authenticated route without a token (401)', async () => {
    for (const route of s.app.routes.filter((r) => r.access === 'authenticated')) {
      const call = await FIXTURES[route.operationId](s, { role: 'viewer', tenant: 'a' });
      const r = await s.client.request(call.method, call.path, { body: call.body });
      await call.cleanup?.();
      expect([route.operationId, r.status, r.body?.error?.code]).toEqual([route.operationId, 401, 'auth.missing_token']);
    }
  });

  for (const role of ROLES) {
    it(`${role}: allowed routes succeed, the others answer 403 and change nothing`, async () => {
      const outcomes: string[] = [];
      for (const route of s.app.routes) {
        const call = await FIXTURES[route.operationId](s, { role, tenant: 'a' });
        const permission = requiredPermission(route, call);
        const allowed = route.access === 'public' || permission === null || (PERMISSION_MATRIX[permission] as readonly Role[]).includes(role);
        const before = allowed ? '' : await snapshot();
        const r = await s.client.request(call.method, call.path, { token: call.token ?? s.a.token[role], body: call.body });
        const after = allowed ? '' : await snapshot();
        await call.cleanup?.();
        const expected = allowed ? (route.status ?? 200) : 403;
        outcomes.push(`${route.operationId}: ${r.status}${r.status === expected ? '' : ` (expected ${expected}: ${r.body?.error?.code ?? r.text.slice(0, 200)})`}`);
        if (!allowed) expect(after, `${route.operationId} as ${role} changed the store`).toBe(before);
      }
      expect(outcomes.filter((o) => o.includes('expected'))).toEqual([]);
    });
  }
});
