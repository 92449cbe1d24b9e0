/**
 * The OpenAPI 3.1 document, generated from the route table's zod schemas (zod 4's
 * `z.toJSONSchema`, draft 2020-12, which OpenAPI 3.1 uses natively). Nothing here is written
 * by hand per route, so the document cannot drift from what the server validates.
 */
import { z } from 'zod';
import type { AnyRoute } from './router.js';
import { errorBodySchema, ERROR_STATUS_DOCS } from './errors.js';

export interface OpenApiInfo {
  title: string;
  version: string;
}

type JsonSchema = Record<string, unknown>;

/** Named schemas (`.meta({ id })`) collected while building, published under components.schemas. */
type Components = Record<string, JsonSchema>;

/**
 * JSON Schema for `s`. zod puts named sub-schemas under a local `$defs`, whose `#/$defs/…`
 * refs would resolve against the whole OpenAPI document; hoist them into components and point
 * the refs there. Input shapes (with defaults optional) get their own `…Input` names.
 */
function schemaOf(s: z.ZodType, io: 'input' | 'output', components: Components): JsonSchema {
  // `unrepresentable: 'any'` keeps transforms and refinements from failing the whole document;
  // the server still validates with the real schema.
  const js = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete js.$schema;
  const name = (id: string) => (io === 'input' ? `${id}Input` : id);
  const defs = (js.$defs ?? {}) as Record<string, JsonSchema>;
  delete js.$defs;
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== 'object') return node;
    const out: JsonSchema = {};
    for (const [k, v] of Object.entries(node)) out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/') ? `#/components/schemas/${name(v.slice(8))}` : rewrite(v);
    return out;
  };
  for (const [id, def] of Object.entries(defs)) components[name(id)] = rewrite(def) as JsonSchema;
  return rewrite(js) as JsonSchema;
}

function parametersOf<A>(r: AnyRoute<A>, components: Components): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, s] of [
    ['path', r.params],
    ['query', r.query],
  ] as const) {
    if (!s) continue;
    const js = schemaOf(s, 'input', components);
    const props = (js.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((js.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries(props)) {
      const description = schema.description;
      out.push({ name, in: where, required: where === 'path' || required.has(name), schema, ...(description ? { description } : {}) });
    }
  }
  return out;
}

function successContent<A>(r: AnyRoute<A>, components: Components): JsonSchema {
  switch (r.produces ?? 'json') {
    case 'html':
      return { 'text/html': { schema: { type: 'string' } } };
    case 'sse':
      return {
        'text/event-stream': {
          schema: { type: 'string', description: 'Server-Sent Events; each `data:` line is JSON matching the schema below', 'x-event-data': schemaOf(r.response, 'output', components) },
        },
      };
    default:
      return { 'application/json': { schema: schemaOf(r.response, 'output', components) } };
  }
}

function roleNote<A>(r: AnyRoute<A>): string {
  if (r.access === 'public') return 'Public: no authentication.';
  if (!r.permission) return 'Any signed-in user.';
  return `Requires permission \`${r.permission}\`${r.scope === 'org' ? ' on the organisation' : r.scope === 'project' ? ' on the project' : ''}.`;
}

/** Builds the OpenAPI 3.1 document for `routes`. */
export function buildOpenApi<A>(routes: readonly AnyRoute<A>[], info: OpenApiInfo): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const components: Components = {};
  const errorRef = schemaOf(errorBodySchema, 'output', components);
  for (const r of routes) {
    const responses: Record<string, JsonSchema> = {
      [String(r.status ?? 200)]: { description: 'Success', content: successContent(r, components) },
    };
    for (const [status, description] of Object.entries(ERROR_STATUS_DOCS)) {
      if (r.access === 'public' && (status === '401' || status === '403')) continue;
      responses[status] = { description, content: { 'application/json': { schema: errorRef } } };
    }
    const op: JsonSchema = {
      operationId: r.operationId,
      summary: r.summary,
      description: roleNote(r),
      tags: [r.tag],
      parameters: parametersOf(r, components),
      responses,
      ...(r.access === 'public' ? { security: [] } : {}),
      ...(r.permission ? { 'x-permission': r.permission } : {}),
    };
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: schemaOf(r.body, 'input', components) } } };
    (paths[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A session token from POST /auth/login or a personal API token' } },
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}
