/**
 * Syncs in a tier's target (docs/sync.md): state, live lag and the cutover record, read from
 * the target's ledger. Only syncs of this project's own contract versions are shown (a target
 * connection may serve several projects), and the source is named by nothing but its kind: the
 * record's source address never leaves the server.
 */
import { z } from 'zod';
import { FerryError } from '../../errors.js';
import { syncStatus, type SyncStatus } from '../../sync/sync-status.js';
import { resolveTarget, withTargetErrors } from '../connections.js';
import type { ServerDeps } from '../context.js';
import { defineRoute } from '../context.js';
import type { Actor } from '../../control/plane.js';
import { idParam, syncStatusSchema, tierSchema } from '../schemas.js';

/** The project's syncs in the tier's target, newest first, without the source's address. */
async function projectSyncs(deps: ServerDeps, auth: Actor, projectId: string, tier: z.infer<typeof tierSchema>, syncId?: string): Promise<Array<Omit<SyncStatus, 'source'> & { target: string }>> {
  const target = await resolveTarget(deps, auth, projectId, tier, {
    code: 'sync.no_target',
    message: `the ${tier} tier of this project has no target connection, so it has no syncs`,
  });
  const digests = new Set((await deps.plane.listVersions(auth, projectId)).map((v) => v.digest));
  // Caught inside withTargetErrors, which would otherwise turn it into a connection failure:
  // a target that cannot hold syncs (CSV, NDJSON) simply has none. A SQL target no sync ever
  // prepared reads as empty in the ledger itself (SqlSyncLedger.listSyncs).
  const all = await withTargetErrors(() =>
    syncStatus(target.url).catch((err: unknown) => {
      if (err instanceof FerryError && err.code === 'sync.target_unsupported') return [];
      throw err;
    }),
  );
  return all.filter((s) => digests.has(s.contractDigest) && (!syncId || s.syncId === syncId)).map(({ source: _source, ...s }) => ({ ...s, target: target.name }));
}

/** Sync routes. */
export function syncRoutes(deps: ServerDeps) {
  const params = z.object({ projectId: idParam });
  return [
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/syncs',
      operationId: 'listSyncs',
      summary: "The project's incremental syncs in the tier's target: state, position, live lag, totals and the cutover record",
      tag: 'syncs',
      access: 'authenticated',
      permission: 'run.read',
      scope: 'project',
      params,
      query: z.object({ tier: tierSchema }),
      response: z.array(syncStatusSchema),
      handler: async ({ auth, params, query }) => projectSyncs(deps, auth, params.projectId, query.tier),
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/syncs/{syncId}',
      operationId: 'getSync',
      summary: 'One sync of the project in the tier’s target, with its cutover record and the rows still pending (keys and reason codes)',
      tag: 'syncs',
      access: 'authenticated',
      permission: 'run.read',
      scope: 'project',
      params: params.extend({ syncId: z.string().regex(/^sync-[0-9a-z-]{1,80}$/) }),
      query: z.object({ tier: tierSchema }),
      response: syncStatusSchema,
      handler: async ({ auth, params, query }) => {
        const [found] = await projectSyncs(deps, auth, params.projectId, query.tier, params.syncId);
        if (!found) throw new FerryError('not_found', 'sync.unknown', `sync ${params.syncId} is not a sync of this project in its ${query.tier} target`);
        return found;
      },
    }),
  ];
}
