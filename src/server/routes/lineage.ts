/** Lineage lookup: where a target row came from, or what became of a legacy row, in a tier's target. */
import { z } from 'zod';
import { lookupLineage } from '../../lineage/query.js';
import { resolveTarget, withTargetErrors } from '../connections.js';
import type { ServerDeps } from '../context.js';
import { defineRoute } from '../context.js';
import { idParam, lineageSchema, tierSchema } from '../schemas.js';
import { loadVersion } from './crosswalks.js';

/** Lineage routes. */
export function lineageRoutes(deps: ServerDeps) {
  return [
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/lineage',
      operationId: 'lookupLineage',
      summary: "Lineage of one row by key in the tier's target: by=target (where did it come from) or by=source (what became of it, per run)",
      tag: 'lineage',
      access: 'authenticated',
      permission: 'run.read',
      scope: 'project',
      params: z.object({ projectId: idParam }),
      query: z.object({
        tier: tierSchema,
        by: z.enum(['target', 'source']),
        table: z.string().min(1).max(200),
        key: z.string().min(1).max(1000).describe('the row key; composite keys joined with |'),
        versionId: idParam.optional().describe('a contract version to explain each loaded field with'),
      }),
      response: lineageSchema,
      handler: async ({ auth, params, query }) => {
        const contract = query.versionId ? await loadVersion(deps, auth, params.projectId, query.versionId, 'lineage.lookup') : undefined;
        const target = await resolveTarget(deps, auth, params.projectId, query.tier, {
          code: 'lineage.no_target',
          message: `the ${query.tier} tier of this project has no target connection, so it has no lineage`,
        });
        const report = await withTargetErrors(() => lookupLineage({ targetUrl: target.url, query: { by: query.by, table: query.table, key: query.key }, contract }));
        // The target is named by its connection, never by the URL or path it resolved to.
        return { ...report, target: target.name };
      },
    }),
  ];
}
