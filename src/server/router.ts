/**
 * The route table's shape. A route is data: method, OpenAPI-style path
 * (`/projects/{projectId}/runs`), zod schemas for params, query, body and response, the
 * permission it needs (documented, and checked by the handler through the control plane), and
 * a handler. The transport, the OpenAPI document, docs/api.md and the role matrix test all read
 * the same table, so none of them can drift from what the server does. Matching a request to a
 * route, and checking its declared permission before the handler runs, is the transport's job.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a route's successful response is: JSON checked against `response`, an HTML page, or an SSE stream. */
export type Produces = 'json' | 'html' | 'sse';

/** One Server-Sent Event: `event:` name, JSON `data:` and an optional `id:`. */
export interface SseMessage {
  event: string;
  data: unknown;
  id?: string;
}

/** What an SSE handler returns: messages to write in order; the stream ends when the iterable does. */
export type SseStream = AsyncIterable<SseMessage>;

/** Everything a handler sees about one request, already validated. */
export interface RequestContext<P, Q, B, A> {
  params: P;
  query: Q;
  body: B;
  /** The authenticated principal; `undefined` only on public routes. */
  auth: A;
  /** Remote address, for rate limiting and audit. */
  ip: string;
  requestId: string;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
  req: IncomingMessage;
  res: ServerResponse;
}

type Out<T extends z.ZodType | undefined> = T extends z.ZodType ? z.output<T> : undefined;

/** A route's declaration; `A` is the principal type the auth hook produces. */
export interface RouteDef<
  A = unknown,
  P extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  R extends z.ZodType = z.ZodType,
> {
  method: Method;
  path: string;
  /** Stable operation name: OpenAPI operationId and the key test fixtures use. */
  operationId: string;
  summary: string;
  tag: string;
  /** `public` routes skip authentication (health, login, the OpenAPI document). */
  access: 'public' | 'authenticated';
  /**
   * The control-plane permission the route needs, or null when any signed-in user may call it.
   * The transport checks it before the handler runs; `{tier}` is filled from the request's
   * `tier` (path, then body).
   */
  permission: string | null;
  /** Where the permission applies: the org, or the project named by `projectId` (path, then query). */
  scope?: 'org' | 'project' | 'none';
  /**
   * `handler` when the permission depends on what the handler finds (the tier of an existing
   * run, the caller acting on themselves); the handler then checks it, and the transport does not.
   */
  authorizeIn?: 'transport' | 'handler';
  params?: P;
  query?: Q;
  body?: B;
  /** Successful response body; for `html` and `sse` routes it documents the payload. */
  response: R;
  /** Success status (default 200). */
  status?: number;
  produces?: Produces;
  /** Largest accepted request body in bytes, when this route takes more than the server's default (uploads). */
  bodyLimit?: number;
  /** Set on routes whose request is counted by the login rate limiter. */
  rateLimited?: boolean;
  handler: (ctx: RequestContext<Out<P>, Out<Q>, Out<B>, A>) => Promise<z.input<R> | string | SseStream>;
}

/** A route with its types erased, as the table stores it. */
export type AnyRoute<A = unknown> = RouteDef<A, z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined, z.ZodType>;

/** Declares a route, keeping its schemas' types for the handler. */
export function route<A>() {
  return <P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined, R extends z.ZodType = z.ZodType>(
    def: RouteDef<A, P, Q, B, R>,
  ): AnyRoute<A> => def as unknown as AnyRoute<A>;
}

/** Throws when two routes share a method and path or an operationId: the table is the API's single description. */
export function checkRouteTable<A>(routes: readonly AnyRoute<A>[]): void {
  const seen = new Set<string>();
  for (const r of routes) {
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) throw new Error(`route ${key} is declared twice`);
    if (seen.has(r.operationId)) throw new Error(`operationId ${r.operationId} is declared twice`);
    seen.add(key);
    seen.add(r.operationId);
  }
}
