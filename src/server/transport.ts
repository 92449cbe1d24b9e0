/**
 * The HTTP transport over `node:http`: the only file that touches sockets. It matches a route,
 * authenticates, validates params/query/body with the route's zod schemas, calls the handler,
 * checks the JSON response against the response schema (which also strips any field the
 * schema does not declare, so an internal field such as a hash can never leak), and writes
 * SSE streams. Swapping in another HTTP framework means replacing this file only.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { FerryError } from '../errors.js';
import { methodNotAllowed, routeNotFound, toErrorResponse, validationError } from './errors.js';
import type { AnyRoute, Router, SseStream } from './router.js';

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
  /** Who the principal is, for the request log. */
  principalId(auth: A): string;
  log(entry: RequestLog): void;
  logError(err: unknown, requestId: string): void;
  /** Largest accepted JSON body in bytes. */
  maxBodyBytes: number;
  /** Seconds between SSE keep-alive comments. */
  sseHeartbeatSeconds: number;
}

/** Builds the request listener for `router`. */
export function createListener<A>(router: Router<A>, hooks: TransportHooks<A>): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(router, hooks, req, res);
  };
}

async function handle<A>(router: Router<A>, hooks: TransportHooks<A>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const requestId = randomUUID();
  const url = new URL(req.url ?? '/', 'http://localhost');
  const ip = req.socket.remoteAddress ?? 'unknown';
  let matched: AnyRoute<A> | null = null;
  let userId: string | null = null;
  let code: string | undefined;
  const controller = new AbortController();
  res.on('close', () => controller.abort());
  res.setHeader('x-request-id', requestId);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
  try {
    const m = router.match(req.method ?? 'GET', url.pathname);
    if (!m.route) {
      if (m.allowed.length > 0) {
        res.setHeader('allow', m.allowed.join(', '));
        throw methodNotAllowed(req.method ?? '', m.allowed);
      }
      throw routeNotFound(req.method ?? '', url.pathname);
    }
    const route = m.route;
    matched = route;
    let auth = undefined as A;
    if (route.access === 'authenticated') {
      auth = await hooks.authenticate(req);
      userId = hooks.principalId(auth);
    }
    const params = parsePart(route.params, m.params, 'params');
    const query = parsePart(route.query, Object.fromEntries(url.searchParams), 'query');
    const body = route.body ? parsePart(route.body, await readJson(req, hooks.maxBodyBytes), 'body') : undefined;
    const result = await route.handler({ params, query, body, auth, ip, requestId, signal: controller.signal, req, res });
    const status = route.status ?? 200;
    switch (route.produces ?? 'json') {
      case 'html':
        send(res, status, 'text/html; charset=utf-8', result as string);
        break;
      case 'sse':
        await writeSse(res, result as SseStream, hooks.sseHeartbeatSeconds);
        break;
      default:
        send(res, status, 'application/json; charset=utf-8', JSON.stringify(checkResponse(route, result)));
    }
  } catch (err) {
    const { status, body, expected } = toErrorResponse(err, requestId);
    code = body.error.code;
    if (!expected) hooks.logError(err, requestId);
    const retry = err instanceof FerryError ? err.issues.find((i) => i.code === 'rate_limit.retry_after') : undefined;
    if (retry) res.setHeader('retry-after', retry.message);
    if (!res.headersSent) send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
    else res.end();
  } finally {
    hooks.log({ requestId, method: req.method ?? '', path: url.pathname, route: matched?.path ?? null, status: res.statusCode, ms: Math.round(performance.now() - started), userId, ip, ...(code ? { code } : {}) });
  }
}

function parsePart(schema: z.ZodType | undefined, value: unknown, part: 'params' | 'query' | 'body'): unknown {
  if (!schema) return undefined;
  const r = schema.safeParse(value);
  if (!r.success) throw validationError(part, r.error);
  return r.data;
}

// A response that does not match its schema is a server bug: fail loudly rather than send it.
function checkResponse<A>(route: AnyRoute<A>, result: unknown): unknown {
  const r = route.response.safeParse(result);
  if (!r.success) throw new Error(`response of ${route.operationId} does not match its schema: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new FerryError('usage', 'http.unsupported_media_type', 'send the request body as JSON with Content-Type: application/json');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new FerryError('usage', 'http.body_too_large', `the request body exceeds ${limit} bytes; send a smaller contract or split the upload`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new FerryError('usage', 'http.invalid_json', 'the request body is not valid JSON');
  }
}

function send(res: ServerResponse, status: number, type: string, text: string): void {
  res.statusCode = status;
  res.setHeader('content-type', type);
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

async function writeSse(res: ServerResponse, stream: SseStream, heartbeatSeconds: number): Promise<void> {
  res.statusCode = 200;
  res.setHeader('content-type', 'text/event-stream; charset=utf-8');
  res.setHeader('connection', 'keep-alive');
  res.setHeader('x-accel-buffering', 'no');
  res.flushHeaders();
  // Comments keep proxies from closing an idle stream while a large table is being counted.
  const beat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatSeconds * 1000);
  try {
    for await (const m of stream) {
      if (res.destroyed) break;
      res.write(`${m.id ? `id: ${m.id}\n` : ''}event: ${m.event}\ndata: ${JSON.stringify(m.data)}\n\n`);
    }
  } finally {
    clearInterval(beat);
    res.end();
  }
}
