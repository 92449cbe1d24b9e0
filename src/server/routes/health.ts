/** Liveness, readiness and the OpenAPI document: public, cheap, never touching tenant data. */
import { z } from 'zod';
import { MIGRATIONS } from '../../store/migrations/index.js';
import { FerryError, issue } from '../../errors.js';
import type { ServerDeps } from '../context.js';
import { defineRoute } from '../context.js';
import type { AnyRoute } from '../router.js';
import type { Actor } from '../../control/plane.js';

const readySchema = z.object({
  ready: z.literal(true),
  store: z.object({ dialect: z.enum(['sqlite', 'postgres']), migrations: z.number(), latest: z.number() }),
});

/** The store answers and has every migration this build knows, and none it does not. */
async function readiness(deps: ServerDeps): Promise<z.infer<typeof readySchema>> {
  const store = deps.plane.store;
  // A store file removed or replaced under the server: it must be restored and the server restarted.
  const fault = store.fault();
  if (fault) throw fault;
  let applied: number[];
  try {
    applied = (await store.db.selectFrom('ferry_migrations').select('id').execute()).map((r) => Number(r.id));
  } catch {
    throw new FerryError('connection', 'ready.store_unreachable', `the control store ${store.display} does not answer; check it is running and reachable`);
  }
  const known = new Set(MIGRATIONS.map((m) => m.id));
  const have = new Set(applied);
  const missing = MIGRATIONS.filter((m) => !have.has(m.id));
  const unknown = applied.filter((id) => !known.has(id));
  if (missing.length > 0 || unknown.length > 0) {
    throw new FerryError(
      'connection',
      'ready.migrations_pending',
      `the control store's schema is not current (${missing.length} pending, ${unknown.length} from a newer Ferry); restart the server to migrate, or upgrade it`,
      [
        ...missing.map((m) => issue('ready.migration_pending', `migrations.${m.id}`, `${m.name} is not applied`)),
        ...unknown.map((id) => issue('ready.migration_unknown', `migrations.${id}`, 'applied by a newer Ferry')),
      ],
    );
  }
  return { ready: true, store: { dialect: store.dialect, migrations: applied.length, latest: Math.max(0, ...applied) } };
}

/** Health routes; `openapi` returns the generated document. */
export function healthRoutes(deps: ServerDeps, openapi: () => unknown): AnyRoute<Actor>[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/healthz',
      operationId: 'health',
      summary: 'The process is alive',
      tag: 'health',
      access: 'public',
      permission: null,
      response: z.object({ ok: z.literal(true) }),
      handler: async () => ({ ok: true as const }),
    }),
    defineRoute({
      method: 'GET',
      path: '/readyz',
      operationId: 'ready',
      summary: 'The control store is reachable, its files are the ones the server opened, and its migrations are current (503 otherwise)',
      tag: 'health',
      access: 'public',
      permission: null,
      response: readySchema,
      handler: () => readiness(deps),
    }),
    defineRoute({
      method: 'GET',
      path: '/openapi.json',
      operationId: 'openapi',
      summary: 'This OpenAPI 3.1 document, generated from the route table',
      tag: 'health',
      access: 'public',
      permission: null,
      response: z.record(z.string(), z.unknown()),
      handler: async () => openapi() as Record<string, unknown>,
    }),
  ];
}
