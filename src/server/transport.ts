/**
 * The HTTP transport on fastify: the only file that knows the framework. Every route of the
 * table is registered with its method and path; authentication runs in the route's onRequest
 * hook (before any body is read), params/query/body are validated by fastify's validator
 * compiler set to the route's zod schemas, HTML pages carry a strict content security policy
 * (./html-headers.ts), and JSON responses go through a serializer compiled
 * from the response schema (which also strips any field the schema does not declare, so an
 * internal field such as a hash can never leak). SSE streams take over the raw response.
 * Framework errors are translated to FerryErrors here; their statuses come from ./errors.ts.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { FerryError } from '../errors.js';
import { methodNotAllowed, routeNotFound, toErrorResponse, validationError } from './errors.js';
import { checkRouteTable, type AnyRoute, type Method, type SseStream } from './router.js';
import { REPORT_HTML_HEADERS, UI_HTML_HEADERS } from './html-headers.js';
import { ASSET_CACHE_CONTROL, indexPage, readAsset } from './static-ui.js';

export interface RequestLog {
  requestId: string;
  method: string;
  /** Path without the query string (queries may hold lineage keys). */
  path: string;
  route: string | null;
  status: number;
  ms: number;
  userId: string | null;
  ip: string;
  code?: string;
}

export interface TransportHooks<A> {
  authenticate(req: IncomingMessage): Promise<A>;
  /** Refuses (throws) unless `auth` holds `permission` in the org, or in `projectId` when given. */
  authorize(auth: A, permission: string, projectId: string | null): Promise<void>;
  /** Who the principal is, for the request log. */
  principalId(auth: A): string;
  log(entry: RequestLog): void;
  /** Sees each request's duration by route template (never the raw path, which holds ids): the HTTP metrics. */
  observe?(entry: { method: string; route: string; status: number; seconds: number }): void;
  logError(err: unknown, requestId: string): void;
  /** Largest accepted JSON body in bytes. */
  maxBodyBytes: number;
  /** Seconds between SSE keep-alive comments. */
  sseHeartbeatSeconds: number;
  /** The built web UI's directory (index.html and assets/), served at `/` and `/assets/*`; none when unset. */
  webDir?: string;
}

/** What the transport knows about one request between fastify's hooks. */
interface RequestState<A> {
  started: number;
  /** Aborted when the client disconnects, or for SSE streams when the server closes. */
  controller: AbortController;
  route: AnyRoute<A> | null;
  auth: A | undefined;
  userId: string | null;
  code?: string;
}

const METHODS: readonly Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

function field(source: unknown, key: string): string | undefined {
  const value = source && typeof source === 'object' ? (source as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * The permission a route declares for this request, with `{tier}` filled in and the project it
 * applies to; null when the route is public, needs none, or leaves the check to its handler.
 */
export function declaredPermission<A>(route: AnyRoute<A>, params: unknown, query: unknown, body: unknown): { name: string; projectId: string | null } | null {
  if (route.access !== 'authenticated' || route.permission === null || route.authorizeIn === 'handler') return null;
  let missing = false;
  const name = route.permission.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = field(params, key) ?? field(body, key);
    if (value === undefined) missing = true;
    return value ?? '';
  });
  // A declaration the request cannot fill is a bug in the route table, not the caller's fault.
  if (missing) throw new Error(`route ${route.operationId} declares ${route.permission} but the request does not carry its parts; declare authorizeIn: 'handler'`);
  const projectId = route.scope === 'project' ? (field(params, 'projectId') ?? field(query, 'projectId') ?? null) : null;
  return { name, projectId };
}
const JSON_TYPE = /^application\/json\b/i;
const PARTS = { params: 'params', querystring: 'query', body: 'body' } as const;

/** `/a/{b}/c` → `/a/:b/c`, fastify's parameter syntax. */
export function fastifyPath(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      if (!segment.includes('{')) return segment;
      const p = /^\{(\w+)\}$/.exec(segment);
      if (!p) throw new Error(`path ${path}: a parameter must be a whole segment`);
      return `:${p[1]}`;
    })
    .join('/');
}

/** A fastify instance serving `routes` (not yet listening). */
export function createTransport<A>(routes: readonly AnyRoute<A>[], hooks: TransportHooks<A>): FastifyInstance {
  checkRouteTable(routes);
  const states = new WeakMap<FastifyRequest, RequestState<A>>();
  const openStreams = new Set<AbortController>();

  const app = Fastify({
    // Ferry writes its own request log (below), which never holds bodies, headers or queries.
    logger: false,
    genReqId: () => randomUUID(),
    bodyLimit: hooks.maxBodyBytes,
    // HEAD is not part of the API: a GET path asked with HEAD answers 405 like any other method.
    exposeHeadRoutes: false,
    // Requests still arriving while closing get Ferry's own answers, not fastify's 503 body.
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 512 },
    frameworkErrors: (err, request, reply) => {
      begin(request, reply);
      void sendError(err, request, reply);
    },
  });

  function begin(request: FastifyRequest, reply: FastifyReply): RequestState<A> {
    const known = states.get(request);
    if (known) return known;
    const state: RequestState<A> = { started: performance.now(), controller: new AbortController(), route: null, auth: undefined, userId: null };
    states.set(request, state);
    reply.headers({ 'x-request-id': request.id, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    // 'close' comes after the response is written or the client went away, SSE streams included.
    reply.raw.once('close', () => {
      state.controller.abort();
      const { code } = state;
      const elapsed = performance.now() - state.started;
      // A request refused before its route's hooks ran, and the UI's own paths (`/assets/*`), take
      // fastify's pattern in the API's parameter syntax; anything unmatched shares one label.
      const matched = reply.raw.statusCode === 404 || reply.raw.statusCode === 405 ? undefined : request.routeOptions.url?.replace(/:(\w+)/g, '{$1}');
      const template = state.route?.path ?? matched ?? 'unmatched';
      hooks.observe?.({ method: METHODS.includes(request.method as Method) ? request.method : 'other', route: template, status: reply.raw.statusCode, seconds: elapsed / 1000 });
      hooks.log({
        requestId: request.id,
        method: request.method,
        path: pathOf(request.url),
        route: state.route?.path ?? null,
        status: reply.raw.statusCode,
        ms: Math.round(elapsed),
        userId: state.userId,
        ip: ipOf(request),
        ...(code ? { code } : {}),
      });
    });
    return state;
  }

  /** Records the error for the log and answers with Ferry's error body. */
  function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const { status, body } = recordError(translate(err, states.get(request)?.route?.bodyLimit ?? hooks.maxBodyBytes), request);
    const retry = err instanceof FerryError ? err.issues.find((i) => i.code === 'rate_limit.retry_after') : undefined;
    if (retry) reply.header('retry-after', retry.message);
    return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
  }

  function recordError(err: unknown, request: FastifyRequest): ReturnType<typeof toErrorResponse> {
    const r = toErrorResponse(err, request.id);
    const state = states.get(request);
    if (state) state.code = r.body.error.code;
    if (!r.expected) hooks.logError(err, request.id);
    return r;
  }

  app.addHook('onRequest', async (request, reply) => {
    begin(request, reply);
  });
  app.addHook('preClose', async () => {
    for (const c of openStreams) c.abort();
  });

  // One parser for every media type: a route that declares a body has already refused anything
  // but JSON (preParsing below); any other route ignores what it was sent.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, async (request: FastifyRequest, text: string | Buffer) => {
    if (!states.get(request)?.route?.body) return undefined;
    try {
      return JSON.parse(String(text)) as unknown;
    } catch {
      throw new FerryError('usage', 'http.invalid_json', 'the request body is not valid JSON');
    }
  });
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const part = PARTS[httpPart as keyof typeof PARTS];
    if (!part) throw new Error(`no validation for the request ${httpPart}`);
    const zod = schema as z.ZodType;
    return (data: unknown) => {
      const r = zod.safeParse(data);
      return r.success ? { value: r.data } : { error: validationError(part, r.error) };
    };
  });
  app.setErrorHandler((err, request, reply) => sendError(err, request, reply));
  app.setNotFoundHandler(async (request, reply) => {
    const path = pathOf(request.url);
    const allowed = METHODS.filter((m) => m !== request.method && app.findRoute({ method: m, url: path }) !== null);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      throw methodNotAllowed(request.method, allowed);
    }
    throw routeNotFound(request.method, path);
  });

  for (const route of routes) {
    const produces = route.produces ?? 'json';
    const status = route.status ?? 200;
    app.route({
      method: route.method,
      url: fastifyPath(route.path),
      schema: {
        ...(route.params ? { params: route.params } : {}),
        ...(route.query ? { querystring: route.query } : {}),
        ...(route.body ? { body: route.body } : {}),
        ...(produces === 'json' ? { response: { [status]: route.response } } : {}),
      },
      ...(route.bodyLimit ? { bodyLimit: route.bodyLimit } : {}),
      serializerCompiler: () => (data) => JSON.stringify(checkResponse(route, data)),
      onRequest: async (request) => {
        const state = states.get(request)!;
        state.route = route;
        if (route.access === 'authenticated') {
          const auth = await hooks.authenticate(request.raw);
          state.auth = auth;
          state.userId = hooks.principalId(auth);
        }
      },
      ...(route.body
        ? {
            preParsing: async (request: FastifyRequest, _reply: FastifyReply, payload: NodeJS.ReadableStream) => {
              if (!JSON_TYPE.test(request.headers['content-type'] ?? '')) throw unsupportedMediaType();
              return payload;
            },
          }
        : {}),
      preHandler: async (request) => {
        // After validation, so the permission's project and tier are the validated ones.
        const permission = declaredPermission(route, request.params, request.query, request.body);
        if (permission) await hooks.authorize(states.get(request)!.auth as A, permission.name, permission.projectId);
      },
      handler: async (request, reply) => {
        const state = states.get(request)!;
        const result = await route.handler({
          params: route.params ? request.params : undefined,
          query: route.query ? request.query : undefined,
          body: route.body ? request.body : undefined,
          auth: state.auth as A,
          ip: ipOf(request),
          requestId: request.id,
          signal: state.controller.signal,
          req: request.raw,
          res: reply.raw,
        });
        switch (produces) {
          case 'html':
            return reply
              .code(status)
              .headers(REPORT_HTML_HEADERS)
              .send(result as string);
          case 'sse':
            openStreams.add(state.controller);
            try {
              await writeSse(reply, result as SseStream, hooks.sseHeartbeatSeconds, (err) => recordError(err, request));
            } finally {
              openStreams.delete(state.controller);
            }
            return reply;
          default:
            // Serialised by the route's serializerCompiler, i.e. through the response schema.
            return reply.code(status).send(result);
        }
      },
    });
  }
  if (hooks.webDir !== undefined) serveWebUi(app, hooks.webDir);
  return app;
}

/** `GET /` (the UI's index page) and `GET /assets/*` (its files); neither path is part of the API. */
function serveWebUi(app: FastifyInstance, dir: string): void {
  app.get('/', async (_request, reply) =>
    reply
      .code(200)
      .headers(UI_HTML_HEADERS)
      .send(await indexPage(dir)),
  );
  app.get('/assets/*', async (request, reply) => {
    const rel = (request.params as Record<string, string>)['*'] ?? '';
    const asset = await readAsset(dir, rel);
    if (!asset) throw routeNotFound(request.method, pathOf(request.url));
    return reply.code(200).headers({ 'content-type': asset.type, 'cache-control': ASSET_CACHE_CONTROL }).send(asset.body);
  });
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function ipOf(request: FastifyRequest): string {
  return request.socket.remoteAddress ?? 'unknown';
}

function unsupportedMediaType(): FerryError {
  return new FerryError('usage', 'http.unsupported_media_type', 'send the request body as JSON with Content-Type: application/json');
}

/** fastify's own client errors as FerryErrors, so they leave with Ferry's body and a stable code. */
function translate(err: unknown, maxBodyBytes: number): unknown {
  if (err instanceof FerryError || !(err instanceof Error)) return err;
  const { code, statusCode } = err as Error & { code?: unknown; statusCode?: unknown };
  if (typeof code !== 'string' || !code.startsWith('FST_')) return err;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new FerryError('usage', 'http.body_too_large', `the request body exceeds ${maxBodyBytes} bytes; send a smaller contract or split the upload`);
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return unsupportedMediaType();
  // fastify's messages may quote the URL (which can hold ids or keys): name the code only.
  if (typeof statusCode === 'number' && statusCode < 500) return new FerryError('usage', 'http.bad_request', `the request could not be read (${code}); check its URL, headers and JSON body`);
  return err;
}

// A response that does not match its schema is a server bug: fail loudly rather than send it.
function checkResponse<A>(route: AnyRoute<A>, result: unknown): unknown {
  const r = route.response.safeParse(result);
  if (!r.success) throw new Error(`response of ${route.operationId} does not match its schema: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

async function writeSse(reply: FastifyReply, stream: SseStream, heartbeatSeconds: number, onError: (err: unknown) => void): Promise<void> {
  // From here on the stream owns the socket: fastify sends nothing more for this request.
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  // Comments keep proxies from closing an idle stream while a large table is being counted.
  const beat = setInterval(() => {
    if (!res.destroyed) res.write(': keep-alive\n\n');
  }, heartbeatSeconds * 1000);
  try {
    for await (const m of stream) {
      if (res.destroyed) break;
      res.write(`${m.id ? `id: ${m.id}\n` : ''}event: ${m.event}\ndata: ${JSON.stringify(m.data)}\n\n`);
    }
  } catch (err) {
    // The status line is gone already: the error is recorded and the stream simply ends.
    onError(err);
  } finally {
    clearInterval(beat);
    res.end();
  }
}
