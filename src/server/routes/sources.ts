/**
 * Sources a project can use, for the web workbench: list the references this server offers
 * (never their URLs or paths), test one by connecting and introspecting it, and upload CSV or
 * JSON files as a new source of the project.
 */
import { z } from 'zod';
import { openSource } from '../../connectors/registry.js';
import type { Actor } from '../../control/plane.js';
import { FerryError } from '../../errors.js';
import { resolveSource, sourceFailure, sourceRefSchema, withSourceErrors } from '../connections.js';
import type { ServerDeps } from '../context.js';
import { defineRoute } from '../context.js';
import { idParam, sourcesSchema, type sourceTableSchema, sourceTestSchema, uploadedSourceSchema } from '../schemas.js';
import { SYNTH_PATIENTS } from '../synth-source.js';
import { listUploads, removeUpload, storeUpload, UPLOAD_BODY_LIMIT, UPLOAD_MAX_FILES } from '../uploads.js';

const projectParams = z.object({ projectId: idParam });

/** The synthetic set the listing offers as a starting point; any seed and size in range works. */
export const SYNTH_HINT = 'synth:42:200';

/** Row counts stop after this long: a source with huge tables is still described, without them. */
const COUNT_BUDGET_MS = 5_000;

/** Tables of the source at `url` with column counts and, within a time budget, row counts. */
export async function describeTables(url: string): Promise<Array<z.input<typeof sourceTableSchema>>> {
  const source = await openSource(url);
  try {
    const { tables } = await source.introspect();
    const deadline = performance.now() + COUNT_BUDGET_MS;
    const out: Array<z.input<typeof sourceTableSchema>> = [];
    for (const t of tables) {
      const rows = performance.now() < deadline ? await source.count(t.name) : undefined;
      out.push({ name: t.name, columns: t.columns.length, ...(rows === undefined ? {} : { rows }) });
    }
    return out;
  } finally {
    await source.close();
  }
}

/** Resolves `ref` for the project and describes its tables, with connector failures named by cause only. */
async function inspect(deps: ServerDeps, actor: Actor, projectId: string, ref: string) {
  const url = await resolveSource(deps, actor, projectId, ref);
  return withSourceErrors(() => describeTables(url));
}

/** Source routes. */
export function sourceRoutes(deps: ServerDeps) {
  const { plane } = deps;
  return [
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/sources',
      operationId: 'listSources',
      summary:
        'Source references this project can use: `probe`, the source connections the operator registered for this org and project (`connection:NAME`, names only), the project’s uploads, and a synthetic data set (`synth:SEED:PATIENTS`)',
      tag: 'sources',
      access: 'authenticated',
      permission: 'contract.read',
      scope: 'project',
      params: projectParams,
      response: sourcesSchema,
      handler: async ({ auth, params }) => {
        const uploads = await listUploads(deps.dataDir, params.projectId);
        const connections = (await plane.listConnections(auth, params.projectId)).filter((c) => c.direction !== 'target');
        return {
          sources: [
            { ref: 'probe', label: 'Bundled probe data (one patient table, three rows)', kind: 'probe' as const },
            ...connections.map((c) => ({ ref: `connection:${c.name}`, label: `${c.name} (${c.kind} connection registered by the operator)`, kind: 'connection' as const })),
            ...uploads.map((u) => ({ ref: `upload:${u.id}`, label: `Upload of ${u.createdAt.slice(0, 16).replace('T', ' ')} UTC: ${u.tables.join(', ')}`, kind: 'upload' as const })),
            {
              ref: SYNTH_HINT,
              label: `Synthetic legacy PAS (seed 42, 200 patients; any synth:SEED:PATIENTS with ${SYNTH_PATIENTS.min}–${SYNTH_PATIENTS.max} patients)`,
              kind: 'synth' as const,
            },
          ],
        };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/projects/{projectId}/sources/test',
      operationId: 'testSource',
      summary:
        'Connect to a source and list its tables with column and row counts. A source that cannot be reached answers 200 `{ ok: false, code, message }`, the message naming the cause only (never a URL, host, user or password)',
      tag: 'sources',
      access: 'authenticated',
      permission: 'contract.submit',
      scope: 'project',
      params: projectParams,
      body: z.object({ source: sourceRefSchema }),
      response: sourceTestSchema,
      handler: async ({ auth, params, body }) => {
        try {
          return { ok: true as const, tables: await inspect(deps, auth, params.projectId, body.source) };
        } catch (err) {
          // An unusable connection or an unreachable source is the answer to the test, not an error.
          if (err instanceof FerryError && (err.kind === 'connection' || (err.code.startsWith('connection.') && err.code !== 'connection.not_found')))
            return { ok: false as const, code: err.code, message: err.message };
          if (err instanceof FerryError) throw err;
          const failure = sourceFailure(err);
          return { ok: false as const, code: failure.code, message: failure.message };
        }
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/projects/{projectId}/uploads',
      operationId: 'uploadSource',
      summary:
        'Upload CSV files (with a header row) or JSON files (an array of objects, or NDJSON) as a new source of this project; file names become table names (PAT_MAST.csv → PAT_MAST). One format per upload, 25 MiB in all; audit-logged as `upload:created` with the upload id, table names and file count only',
      tag: 'sources',
      access: 'authenticated',
      permission: 'contract.submit',
      scope: 'project',
      params: projectParams,
      body: z.object({
        files: z
          .array(z.object({ name: z.string().min(1).max(255), content: z.string() }))
          .min(1)
          .max(UPLOAD_MAX_FILES),
      }),
      bodyLimit: UPLOAD_BODY_LIMIT,
      status: 201,
      response: uploadedSourceSchema,
      handler: async ({ auth, params, body }) => {
        const meta = await storeUpload(deps.dataDir, deps.uploads.quota, auth, params.projectId, body.files);
        const source = `upload:${meta.id}`;
        let tables: Awaited<ReturnType<typeof inspect>>;
        try {
          tables = await inspect(deps, auth, params.projectId, source);
        } catch (err) {
          // Files the connector cannot read are the upload's fault: keep nothing, say which check failed.
          await removeUpload(deps.dataDir, params.projectId, meta.id);
          const code = err instanceof FerryError ? err.code : 'source.failed';
          throw new FerryError(
            'usage',
            'upload.unreadable',
            `the uploaded files could not be read as ${meta.format === 'csv' ? 'CSV' : 'JSON'} (${code}); check each file has one header row (CSV) or one object per row (JSON) and is UTF-8 text`,
          );
        }
        // Table ids and a count only: file names are the client's text and contents are patient data.
        // An upload the trail cannot record is not kept.
        await plane.audit
          .append({ type: 'upload:created', actor: auth.userId, orgId: auth.orgId, projectId: params.projectId, payload: { uploadId: meta.id, tables: meta.tables, files: body.files.length } })
          .catch(async (err: unknown) => {
            await removeUpload(deps.dataDir, params.projectId, meta.id);
            throw err;
          });
        return { source, tables };
      },
    }),
  ];
}
