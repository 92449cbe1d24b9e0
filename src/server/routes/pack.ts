/**
 * The sign-off pack of a finished run (docs/rehearsal.md): the stored run report, the contract
 * version it ran and the project's approvals and runs of its digest, as one self-contained HTML
 * file to download, print and sign. No pilot: a run started here is not a rehearsal.
 */
import { z } from 'zod';
import { buildPack, reportStep } from '../../rehearse/pack-data.js';
import { renderPackHtml } from '../../rehearse/pack-html.js';
import { defineRoute, type ServerDeps } from '../context.js';
import { idParam } from '../schemas.js';
import { loadVersion } from './crosswalks.js';
import { finishedRun } from './runs.js';

const runParams = z.object({ projectId: idParam, runId: idParam });

/** Sign-off pack routes. */
export function packRoutes(deps: ServerDeps) {
  return [
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/runs/{runId}/pack',
      operationId: 'getSignOffPack',
      summary:
        'The sign-off pack of a finished run as a self-contained HTML attachment: outcome, run report, gate decisions, reconciliation, quarantine and cascade, hazard log, sampling review, approvals so far, the contract specification and a sign-off block; never row values',
      tag: 'quality',
      access: 'authenticated',
      permission: 'run.read',
      scope: 'project',
      params: runParams,
      produces: 'html',
      response: z.string(),
      handler: async ({ auth, params, res }) => {
        const { view, report } = await finishedRun(deps, auth, params.projectId, params.runId, 'run.pack');
        const loaded = await loadVersion(deps, auth, params.projectId, view.versionId, 'run.pack');
        const pack = await buildPack({ loaded, tier: view.tier, pilot: null, full: reportStep(report), project: { plane: deps.plane, actor: auth, projectId: params.projectId } });
        // The run id is validated by idParam, so the file name needs no further quoting.
        res.setHeader('content-disposition', `attachment; filename="signoff-pack-${params.runId}.html"`);
        return renderPackHtml(pack);
      },
    }),
  ];
}
