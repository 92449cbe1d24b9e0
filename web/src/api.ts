/**
 * The UI's only way to the server: the HTTP API (docs/api.md) with the session token as a
 * Bearer header. Errors arrive as the API's error body and become an ApiError that screens show
 * next to the control that caused them. Live progress is read over fetch streaming, because
 * EventSource cannot send an Authorization header.
 */

import type { ErrorBody } from '../../src/server/errors.js';
import { SseFrames } from '../../src/server/sse-frames';

const TOKEN_KEY = 'ferry.token';

/** One finding of a refused request (a contract's validation issues, say), as the API's error body carries it. */
export type Issue = NonNullable<ErrorBody['error']['issues']>[number];

/** An error answered by the API (or a network failure, status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: Issue[] = [],
    readonly requestId: string | null = null,
  ) {
    super(message);
  }
}

/** The session token of this tab, if signed in. */
export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Keeps (or, with null, forgets) the session token for this tab only. */
export function setToken(token: string | null): void {
  immutable.clear();
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

// Answers that can never change (a stored contract version's fields), kept for this session
// only: a version is immutable once submitted, so reopening it needs no second request.
const immutable = new Map<string, Promise<unknown>>();

/** GET of a resource that never changes once it exists, answered from memory after the first time. */
export function apiImmutable<T>(path: string): Promise<T> {
  let p = immutable.get(path);
  if (!p) {
    p = api<T>('GET', path);
    immutable.set(path, p);
    // A failure is not kept: the next attempt asks the server again.
    p.catch(() => immutable.delete(path));
  }
  return p as Promise<T>;
}

let onUnauthorised: () => void = () => {};

/** What to do when the API says the session is gone (expired, idle, revoked). */
export function whenUnauthorised(fn: () => void): void {
  onUnauthorised = fn;
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = getToken();
  return token ? { authorization: `Bearer ${token}`, ...extra } : extra;
}

async function failure(res: Response): Promise<ApiError> {
  // Partial: a proxy or gateway may answer in its own JSON shape.
  let body: { error?: Partial<ErrorBody['error']> } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // Not the API's JSON error body (a proxy's page, say): describe it by status alone.
  }
  const e = body.error;
  return new ApiError(res.status, e?.code ?? `http.${res.status}`, e?.message ?? `the server answered ${res.status} ${res.statusText}`, e?.issues ?? [], e?.requestId ?? null);
}

async function send(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: headers(body === undefined ? { accept } : { accept, 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'could not reach the Ferry server; check your connection and try again');
  }
  if (res.status === 401 && path !== '/auth/login') onUnauthorised();
  if (!res.ok) throw await failure(res);
  return res;
}

/** Calls the API and returns its JSON answer. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body);
  return (await res.json()) as T;
}

/** Calls the API for a text answer (the HTML quality report). */
export async function apiText(path: string): Promise<string> {
  return (await send('GET', path, undefined, 'text/html')).text();
}

/** Query string from the defined, non-empty values of `q`. */
export function qs(q: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export interface SseMessage {
  event: string;
  data: unknown;
}

/**
 * Follows a Server-Sent Events stream, calling `onMessage` for each event until the stream
 * ends or `signal` aborts. Resolves when the stream is over.
 */
export async function followEvents(path: string, onMessage: (m: SseMessage) => void, signal: AbortSignal): Promise<void> {
  let res: Response;
  try {
    res = await fetch(path, { headers: headers({ accept: 'text/event-stream' }), signal });
  } catch {
    if (signal.aborted) return;
    throw new ApiError(0, 'network', 'lost the connection to the Ferry server while following the run');
  }
  if (!res.ok) throw await failure(res);
  if (!res.body) return;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const frames = new SseFrames();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const m of frames.push(decoder.decode(value, { stream: true }))) onMessage(m);
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    reader.cancel().catch(() => {});
  }
}

/**
 * Follows a run's events to its `end`, reconnecting after a dropped connection (a proxy timeout,
 * a network blip): the server starts every stream with a `snapshot`, so nothing is lost.
 * An error the server answered (403, 404) is not retried.
 */
export async function followRun(path: string, onMessage: (m: SseMessage) => void, signal: AbortSignal): Promise<void> {
  let ended = false;
  // Retry a drop at once (a blip), then back off to every 2 s while the server stays away.
  let failures = 0;
  while (!ended && !signal.aborted) {
    try {
      await followEvents(
        path,
        (m) => {
          failures = 0;
          if (m.event === 'end') ended = true;
          onMessage(m);
        },
        signal,
      );
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 0) throw err;
    }
    failures += 1;
    if (!ended && !signal.aborted) await new Promise((r) => setTimeout(r, failures === 1 ? 200 : 2000));
  }
}
