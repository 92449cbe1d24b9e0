/** The connections a project may use, as registered by the operator: names and kinds only. */
import { z } from 'zod';
import { TIERS } from '../../contract/model.js';
import type { ServerDeps } from '../context.js';
import { defineRoute } from '../context.js';
import { idParam } from '../schemas.js';

export const connectionInfoSchema = z
  .object({
    name: z.string(),
    direction: z.enum(['source', 'target', 'both']),
    kind: z.string().describe('csv, ndjson, sqlite, postgres or mysql'),
    projects: z.array(z.string()).nullable().describe('projects allowed to use it; null for every project of the org'),
    tiers: z.array(z.enum(TIERS)).nullable().describe('tiers allowed to use it as a target; null for every tier'),
  })
  .meta({ id: 'Connection', description: 'A connection the operator registered; its URL, host, path and secrets are never returned' });

/** Connection routes. */
export function connectionRoutes({ plane }: ServerDeps) {
  return [
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/connections',
      operationId: 'listConnections',
      summary: 'Connections the operator registered that this project may use (as a source with `connection:NAME`, or as a tier target): names and kinds, never URLs, hosts or paths',
      tag: 'sources',
      access: 'authenticated',
      permission: 'contract.read',
      scope: 'project',
      params: z.object({ projectId: idParam }),
      response: z.array(connectionInfoSchema),
      handler: async ({ auth, params }) => {
        return plane.listConnections(auth, params.projectId);
      },
    }),
  ];
}
