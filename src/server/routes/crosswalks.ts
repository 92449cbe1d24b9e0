/** Crosswalks of a contract version: what they are, their entries, and their coverage of a source. */
import { z } from 'zod';
import { openSource } from '../../connectors/registry.js';
import { loadContractTexts } from '../../control/contract-texts.js';
import type { LoadedContract } from '../../contract/model.js';
import { crosswalkCoverage, fieldCrosswalks } from '../../crosswalk/coverage.js';
import { FerryError } from '../../errors.js';
import { resolveSource, sourceRefSchema, withSourceErrors } from '../connections.js';
import type { ServerDeps } from '../context.js';
import { defineRoute } from '../context.js';
import { idParam } from '../schemas.js';
import { projectVersion } from './contracts.js';
import type { Actor } from '../../control/plane.js';

const versionParams = z.object({ projectId: idParam, versionId: idParam });

const crosswalkSummary = z.object({
  name: z.string(),
  file: z.string(),
  version: z.string().nullable(),
  description: z.string().nullable(),
  entries: z.number(),
  usedBy: z.array(z.object({ table: z.string(), field: z.string() })),
});

const entrySchema = z.object({ source_code: z.string(), target_code: z.string(), target_display: z.string(), equivalence: z.string(), note: z.string() });

const coverageSchema = z
  .object({
    contract: z.object({ name: z.string(), version: z.string(), digest: z.string() }),
    source: z.string(),
    tables: z.array(z.object({ table: z.string(), source: z.string(), rows_read: z.number(), rows_excluded: z.number() })),
    crosswalks: z.array(z.record(z.string(), z.unknown())),
  })
  .meta({ id: 'CrosswalkCoverage', description: 'as `ferry crosswalk coverage --json` (docs/crosswalks.md); unmapped codes are code-list values, not patient data' });

/** The version `versionId` of `projectId`, loaded from its stored texts with its crosswalks (never written out as files to re-read). */
export async function loadVersion(deps: ServerDeps, actor: Actor, projectId: string, versionId: string, action: string): Promise<LoadedContract> {
  const version = await projectVersion(deps, actor, projectId, versionId, action);
  // A version never changes, so its parsed contract is kept (a few per server): loading an
  // 880-field contract takes about a second, and the workbench asks for it on every open.
  const key = `${version.id}\u0000${version.digest}`;
  const cache = parsedByServer.get(deps) ?? new Map<string, Promise<LoadedContract>>();
  parsedByServer.set(deps, cache);
  let loaded = cache.get(key);
  if (!loaded) {
    loaded = loadContractTexts(version.yaml, version.crosswalks).then((r) => r.loaded);
    loaded.catch(() => cache.delete(key));
    cache.set(key, loaded);
    if (cache.size > PARSED_VERSIONS) cache.delete(cache.keys().next().value!);
  }
  return loaded;
}

/** Parsed contract versions kept by loadVersion per server, oldest first. */
const PARSED_VERSIONS = 16;
const parsedByServer = new WeakMap<ServerDeps, Map<string, Promise<LoadedContract>>>();

/** Crosswalk routes. */
export function crosswalkRoutes(deps: ServerDeps) {
  return [
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/contract-versions/{versionId}/crosswalks',
      operationId: 'listCrosswalks',
      summary: "The version's crosswalks with entry counts and the fields that use them",
      tag: 'crosswalks',
      access: 'authenticated',
      permission: 'contract.read',
      scope: 'project',
      params: versionParams,
      response: z.array(crosswalkSummary),
      handler: async ({ auth, params }) => {
        const loaded = await loadVersion(deps, auth, params.projectId, params.versionId, 'crosswalk.list');
        const { contract } = loaded;
        return Object.entries(contract.crosswalks).map(([name, ref]) => ({
          name,
          file: ref.file,
          version: ref.version ?? null,
          description: ref.description ?? null,
          entries: loaded.crosswalks[name]?.length ?? 0,
          usedBy: Object.entries(contract.mappings).flatMap(([table, m]) =>
            Object.entries(m.fields)
              .filter(([, f]) => fieldCrosswalks(f).includes(name))
              .map(([field]) => ({ table, field })),
          ),
        }));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/contract-versions/{versionId}/crosswalks/{name}',
      operationId: 'getCrosswalk',
      summary: "One crosswalk's entries (code list rows)",
      tag: 'crosswalks',
      access: 'authenticated',
      permission: 'contract.read',
      scope: 'project',
      params: versionParams.extend({ name: z.string().min(1).max(200) }),
      response: z.object({ name: z.string(), entries: z.array(entrySchema) }),
      handler: async ({ auth, params }) => {
        const loaded = await loadVersion(deps, auth, params.projectId, params.versionId, 'crosswalk.get');
        const entries = Object.hasOwn(loaded.crosswalks, params.name) ? loaded.crosswalks[params.name] : undefined;
        if (!entries) throw new FerryError('not_found', 'crosswalk.not_found', 'the contract declares no crosswalk of that name; GET …/crosswalks lists them');
        return { name: params.name, entries };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/projects/{projectId}/contract-versions/{versionId}/crosswalk-coverage',
      operationId: 'crosswalkCoverage',
      summary: 'Scan a configured source and report, per crosswalk, codes seen, translated and unmapped (most rows first)',
      tag: 'crosswalks',
      access: 'authenticated',
      permission: 'run.pre_production',
      scope: 'project',
      params: versionParams,
      body: z.object({ source: sourceRefSchema, top: z.number().int().min(1).max(1000).default(50) }),
      response: coverageSchema,
      handler: async ({ auth, params, body, signal }) => {
        const loaded = await loadVersion(deps, auth, params.projectId, params.versionId, 'crosswalk.coverage');
        const url = await resolveSource(deps, auth, params.projectId, body.source);
        const report = await withSourceErrors(async () => {
          const source = await openSource(url);
          try {
            return await crosswalkCoverage(loaded, source, { top: body.top, signal });
          } finally {
            await source.close();
          }
        });
        // The report names the source by its reference: the URL or directory stays on the server.
        return { ...report, source: body.source } as unknown as z.input<typeof coverageSchema>;
      },
    }),
  ];
}
