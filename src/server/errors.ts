/**
 * API errors: every failure leaves the server as `{ error: { code, message, issues? } }` with a
 * stable code, and FerryError kinds map to HTTP statuses here and nowhere else. Unexpected
 * errors become a generic 500 whose message never carries the cause (it may hold values);
 * the cause goes to the log with the request id instead.
 */
import { z } from 'zod';
import { FerryError, issue, type ErrorKind, type Issue } from '../errors.js';
import { STORE_FAILURE_CODES } from '../store/sqlite-errors.js';

const issueSchema = z.object({
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  path: z.string(),
  message: z.string(),
  file: z.string().optional(),
  line: z.number().optional(),
  column: z.number().optional(),
});

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().describe('stable machine-readable code, e.g. `http.validation`, `release.gate_refused`'),
      message: z.string().describe('what went wrong and what to do next'),
      issues: z.array(issueSchema).optional(),
      requestId: z.string().optional(),
    }),
  })
  .meta({ id: 'Error' });

export type ErrorBody = z.infer<typeof errorBodySchema>;

const KIND_STATUS: Record<ErrorKind, number> = {
  usage: 400,
  contract: 400,
  not_found: 404,
  forbidden: 403,
  conflict: 409,
  gate: 409,
  drift: 409,
  connection: 502,
  run: 500,
  internal: 500,
};

/** Statuses every route may answer with, for the OpenAPI document. */
export const ERROR_STATUS_DOCS: Record<string, string> = {
  '400': 'Invalid request (`http.validation`, `usage`/`contract` errors); `issues` lists every problem',
  '401': 'Not authenticated: missing, unknown, expired or revoked token (`auth.*`)',
  '403': 'Authenticated but not allowed (`forbidden`)',
  '404': 'No such object in your organisation (also for other tenants’ ids)',
  '409': 'Conflict: already exists, already approved, release gate not met (`issues` lists the missing conditions)',
  '503':
    'Not ready: the control store is unreachable or its migrations are not current (`ready.*`, health routes only), its file was removed or replaced under the server (`store.replaced`, every write), or it failed (`store.disk_full`, `store.io_error`, `store.read_only`, `store.open_failed`, `store.corrupt`, `store.busy`; the message names no file)',
  '429': 'Too many requests (`rate_limit.*`); retry after the `Retry-After` seconds',
};

/** The HTTP status for a FerryError. The control plane marks "not authenticated" with `auth.*` codes on kind 'forbidden'. */
export function httpStatus(err: FerryError): number {
  if (err.code.startsWith('rate_limit.')) return 429;
  if (err.code === 'http.method_not_allowed') return 405;
  if (err.code.startsWith('ready.') || err.code === 'store.replaced' || STORE_FAILURE_CODES.has(err.code)) return 503;
  if (err.kind === 'forbidden' && err.code.startsWith('auth.')) return 401;
  return KIND_STATUS[err.kind];
}

/** Status and body for anything a handler threw. */
export function toErrorResponse(err: unknown, requestId: string): { status: number; body: ErrorBody; expected: boolean } {
  if (err instanceof FerryError) {
    // The store's own failure names its file and is the operator's to fix: the caller learns only that it happened.
    const message = STORE_FAILURE_CODES.has(err.code) ? `the server's control store failed (${err.code}); quote request id ${requestId} to the operator` : err.message;
    const body: ErrorBody = { error: { code: err.code, message, requestId } };
    if (err.issues.length > 0) body.error.issues = err.issues;
    const status = httpStatus(err);
    return { status, body, expected: status < 500 };
  }
  return {
    status: 500,
    body: { error: { code: 'internal', message: `the server failed to handle this request; quote request id ${requestId} to the operator`, requestId } },
    expected: false,
  };
}

/** A 400 listing every schema problem of one part of the request (never the offending value). */
export function validationError(part: 'params' | 'query' | 'body', error: z.ZodError): FerryError {
  const issues: Issue[] = error.issues.map((i) => issue(`http.invalid_${part}`, [part, ...i.path.map((p) => echoableName(String(p)))].join('.'), issueMessage(i)));
  return new FerryError('usage', 'http.validation', `the request ${part} is invalid (${issues.length} problem(s)); see issues`, issues);
}

/** Names a caller sent that an error may repeat: short identifiers only; anything else may be a value (even a patient's) pasted into a key, so it is never echoed. */
function echoableName(name: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(name) ? name : '(a name that is not an identifier)';
}

/** zod's message, except unknown keys: those are listed through echoableName rather than quoted verbatim. */
function issueMessage(i: z.core.$ZodIssue): string {
  if (i.code !== 'unrecognized_keys') return i.message;
  return `unknown field(s): ${i.keys.map(echoableName).join(', ')}; remove them (the schema in GET /openapi.json lists the fields this route takes)`;
}

/** A 404 for a path no route serves. */
export function routeNotFound(method: string, path: string): FerryError {
  return new FerryError('not_found', 'http.no_route', `no route for ${method} ${path}; GET /openapi.json lists every route`);
}

/** A 405 is reported as a usage error naming the methods the path accepts. */
export function methodNotAllowed(method: string, allowed: string[]): FerryError {
  return new FerryError('usage', 'http.method_not_allowed', `${method} is not allowed here; use ${allowed.join(' or ')}`);
}
