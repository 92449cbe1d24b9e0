/**
 * Route permissions are data the transport enforces: a handler that forgets to check is still
 * protected, `{tier}` and the project come from the validated request, and every route of the
 * real table either can be checked by the transport or says its handler checks.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FerryError } from '../../src/errors.js';
import { routeTable } from '../../src/server/app.js';
import type { ServerDeps } from '../../src/server/context.js';
import { route } from '../../src/server/router.js';
import { createTransport, declaredPermission } from '../../src/server/transport.js';

type Who = { user: string };
const define = route<Who>();
const calls: Array<{ permission: string; projectId: string | null }> = [];
let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  calls.length = 0;
  await close?.();
  close = null;
});

async function serve(): Promise<string> {
  const routes = [
    define({
      method: 'POST',
      path: '/projects/{projectId}/things/{tier}',
      operationId: 'careless',
      summary: 'a handler that checks nothing',
      tag: 't',
      access: 'authenticated',
      permission: 'run.{tier}',
      scope: 'project',
      params: z.object({ projectId: z.string(), tier: z.enum(['staging', 'production']) }),
      response: z.object({ ok: z.boolean() }),
      handler: async () => ({ ok: true }),
    }),
  ];
  const app = createTransport(routes, {
    authenticate: async () => ({ user: 'u1' }),
    authorize: async (_auth, permission, projectId) => {
      calls.push({ permission, projectId });
      if (permission !== 'run.staging') throw new FerryError('forbidden', 'access.forbidden', 'no');
    },
    principalId: (a) => a.user,
    log: () => {},
    logError: () => {},
    maxBodyBytes: 1024,
    sseHeartbeatSeconds: 15,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  close = () => app.close();
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

describe('the transport enforces each route’s declared permission', () => {
  it('refuses before a careless handler runs, with the tier and project of the request', async () => {
    const url = await serve();
    const ok = await fetch(`${url}/projects/prj_1/things/staging`, { method: 'POST', headers: { authorization: 'Bearer x' } });
    expect(ok.status).toBe(200);
    const refused = await fetch(`${url}/projects/prj_1/things/production`, { method: 'POST', headers: { authorization: 'Bearer x' } });
    expect(refused.status).toBe(403);
    expect(calls).toEqual([
      { permission: 'run.staging', projectId: 'prj_1' },
      { permission: 'run.production', projectId: 'prj_1' },
    ]);
  });

  it('every route of the server’s table can be checked by the transport, or says its handler checks', () => {
    const routes = routeTable({} as ServerDeps);
    for (const r of routes.filter((x) => x.access === 'authenticated' && x.permission !== null && x.authorizeIn !== 'handler')) {
      const placeholders = [...r.permission!.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const shapeOf = (schema: unknown) => Object.keys((schema as { shape?: Record<string, unknown> } | undefined)?.shape ?? {});
      const carried = [...shapeOf(r.params), ...shapeOf(r.body)];
      expect([r.operationId, placeholders.filter((p) => !carried.includes(p))]).toEqual([r.operationId, []]);
      if (r.scope === 'project') expect([r.operationId, [...shapeOf(r.params), ...shapeOf(r.query)].includes('projectId')]).toEqual([r.operationId, true]);
    }
    // A handler-checked route is the exception, and each one is named here so a new one is a decision.
    expect(
      routes
        .filter((r) => r.authorizeIn === 'handler')
        .map((r) => r.operationId)
        .sort(),
    ).toEqual(['approveRelease', 'cancelRun', 'listUserTokens', 'rollbackRun']);
  });

  it('fills {tier} from the body when the path has none', () => {
    const r = routeTable({} as ServerDeps).find((x) => x.operationId === 'startRun')!;
    expect(declaredPermission(r, { projectId: 'prj_1' }, {}, { tier: 'production' })).toEqual({ name: 'run.production', projectId: 'prj_1' });
  });
});
