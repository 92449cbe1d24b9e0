/**
 * The mapping workbench: profile a source, suggest mappings for a target schema (with the draft
 * contract `ferry suggest --contract` writes), and a contract version's target fields as one
 * flat table. Profiling and suggesting are the library's (src/profile); this file only resolves
 * the source reference and keeps the source's URL out of what it returns.
 */
import { z } from 'zod';
import { openSource } from '../../connectors/registry.js';
import type { Actor } from '../../control/plane.js';
import { describeRule, describeStep } from '../../contract/document.js';
import type { FieldMapping } from '../../contract/model.js';
import { fieldCrosswalks } from '../../crosswalk/coverage.js';
import { FerryError } from '../../errors.js';
import { parseDdl } from '../../profile/ddl.js';
import { draftContractText } from '../../profile/draft.js';
import { profileSource } from '../../profile/profile.js';
import { suggestMappings } from '../../profile/suggest.js';
import type { SourceProfile } from '../../profile/types.js';
import { resolveSource, sourceRefSchema, withSourceErrors } from '../connections.js';
import type { ServerDeps } from '../context.js';
import { defineRoute } from '../context.js';
import { profileSchema } from '../report-schemas.js';
import { type fieldRowSchema, idParam, suggestionsSchema, targetFieldsSchema } from '../schemas.js';
import { loadVersion } from './crosswalks.js';

const projectParams = z.object({ projectId: idParam });
const versionParams = z.object({ projectId: idParam, versionId: idParam });

/** Largest target DDL accepted by suggest (characters). */
export const DDL_MAX_CHARS = 1_000_000;

const profileInput = {
  source: sourceRefSchema,
  tables: z.array(z.string().min(1).max(200)).max(500).optional().describe('tables to profile (default all)'),
  sample: z.number().int().min(1).max(1_000_000).optional().describe('rows per table sampled for pattern classes and inferred types (default 10,000)'),
};

/** Profiles the source behind `ref` for the project; the profile names the reference, never the URL. */
async function profileRef(deps: ServerDeps, actor: Actor, projectId: string, ref: string, o: { tables?: string[]; sample?: number }, signal: AbortSignal): Promise<SourceProfile> {
  const url = await resolveSource(deps, actor, projectId, ref);
  const profile = await withSourceErrors(async () => {
    const source = await openSource(url);
    try {
      return await profileSource(source, { tables: o.tables, sample: o.sample, signal });
    } finally {
      await source.close();
    }
  });
  return { ...profile, source: ref };
}

function sourceOf(f: FieldMapping): string[] {
  if (f.value !== undefined) return [`constant ${JSON.stringify(f.value)}`];
  if (f.from === undefined) return [];
  return typeof f.from === 'string' ? [f.from] : f.from;
}

/** Workbench routes. */
export function workbenchRoutes(deps: ServerDeps) {
  return [
    defineRoute({
      method: 'POST',
      path: '/projects/{projectId}/profile',
      operationId: 'profileSource',
      summary:
        'Profile a source: per table and column counts, types, null rates, distinct counts, patterns, candidate and foreign keys (the `ferry profile --json` shape); rare values are never listed',
      tag: 'workbench',
      access: 'authenticated',
      permission: 'contract.submit',
      scope: 'project',
      params: projectParams,
      body: z.object(profileInput),
      response: profileSchema,
      handler: async ({ auth, params, body, signal }) => {
        return profileRef(deps, auth, params.projectId, body.source, body, signal);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/projects/{projectId}/suggest',
      operationId: 'suggestMappings',
      summary:
        'Suggest a source column, confidence, reason and transform steps for every column of a target schema (PostgreSQL CREATE TABLE text), with the draft contract (every field status: suggested) as YAML',
      tag: 'workbench',
      access: 'authenticated',
      permission: 'contract.submit',
      scope: 'project',
      params: projectParams,
      body: z.object({
        ...profileInput,
        targetDdl: z.string().min(1).max(DDL_MAX_CHARS).describe('the target schema as PostgreSQL CREATE TABLE statements'),
        name: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be an identifier such as epr_draft')
          .default('draft')
          .describe('metadata.name of the draft contract'),
      }),
      response: suggestionsSchema,
      handler: async ({ auth, params, body, signal }) => {
        const ddl = parseDdl(body.targetDdl, 'targetDdl');
        if (ddl.length === 0) throw new FerryError('usage', 'suggest.no_tables', 'targetDdl holds no CREATE TABLE statement; give the target schema as PostgreSQL DDL');
        const profile = await profileRef(deps, auth, params.projectId, body.source, body, signal);
        const result = suggestMappings(profile, ddl);
        return {
          suggestions: result.suggestions.map((s) => ({ target: s.target, source: s.source, confidence: s.confidence, reason: s.reason, transforms: s.transforms })),
          contractYaml: draftContractText(profile, ddl, result, body.name),
        };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/contract-versions/{versionId}/fields',
      operationId: 'listVersionFields',
      summary:
        'Every target field of a contract version as one flat table: type, source columns, steps, crosswalk, rules, rationale and status; unmapped target columns are listed with an empty source',
      tag: 'contracts',
      access: 'authenticated',
      permission: 'contract.read',
      scope: 'project',
      params: versionParams,
      response: targetFieldsSchema,
      handler: async ({ auth, params }) => {
        const { contract } = await loadVersion(deps, auth, params.projectId, params.versionId, 'contract.fields');
        const fields: Array<z.input<typeof fieldRowSchema>> = [];
        for (const [table, def] of Object.entries(contract.target.tables)) {
          // A target table may be loaded by one mapping; the key is the target table's name.
          const mapping = Object.hasOwn(contract.mappings, table) ? contract.mappings[table] : undefined;
          for (const [field, col] of Object.entries(def.columns)) {
            const f = mapping && Object.hasOwn(mapping.fields, field) ? mapping.fields[field] : undefined;
            fields.push({
              table,
              field,
              type: col.type,
              nullable: col.nullable,
              sourceTable: mapping?.source ?? '',
              source: f ? sourceOf(f) : [],
              steps: f ? f.steps.map(describeStep) : [],
              crosswalk: f ? (fieldCrosswalks(f)[0] ?? null) : null,
              rules: f ? f.rules.map(describeRule) : [],
              rationale: f?.rationale ?? '',
              status: f ? f.status : 'unmapped',
            });
          }
        }
        return { fields };
      },
    }),
  ];
}
