/** The contract-version list over HTTP answers newest first, as its documentation says. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from '../../src/server/app.js';
import type { ServerDeps } from '../../src/server/context.js';
import { changedContract, fixtureContract } from '../control/world.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('sqlite');
}, 120_000);
afterAll(() => h?.close());

describe('GET /projects/{projectId}/contract-versions', () => {
  it('lists the newest version first, and its documentation says so', async () => {
    const { plane, a } = h.world;
    await plane.submitVersion(a.as.migration_analyst, a.project.id, { ...(await fixtureContract()), message: 'first' });
    await plane.submitVersion(a.as.migration_analyst, a.project.id, { ...(await changedContract()), message: 'second' });
    const r = await h.client.request('GET', `/projects/${a.project.id}/contract-versions`, { token: h.a.token.viewer });
    expect(r.status).toBe(200);
    const numbers = (r.body as Array<{ number: number; message: string }>).map((v) => v.number);
    expect(numbers.length).toBeGreaterThanOrEqual(2);
    expect(numbers).toEqual([...numbers].sort((x, y) => y - x));
    expect(r.body[0].message).toBe('second');
    const route = routeTable({} as ServerDeps).find((x) => x.method === 'GET' && x.path === '/projects/{projectId}/contract-versions');
    expect(route?.summary).toMatch(/newest first/);
  });
});
