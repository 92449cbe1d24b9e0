/**
 * The `/metrics` listener. Metrics name projects and tables, so they are not part of the API:
 * they are served on an address the operator chooses (`--metrics-listen HOST:PORT`, a bare port
 * binding 127.0.0.1), optionally behind a bearer token from the operator's environment
 * (`FERRY_METRICS_TOKEN`), compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { FerryError } from '../errors.js';
import { createMetrics, scrape, type FerryMetrics } from './registry.js';

/** The environment variable that holds the token scrapers must send; unset, none is asked. */
export const METRICS_TOKEN_ENV = 'FERRY_METRICS_TOKEN';

export interface MetricsAddress {
  host: string;
  port: number;
}

const port = z.coerce.number().int().min(0).max(65535);

/** Reads `--metrics-listen`: `PORT`, `HOST:PORT` or `[IPv6]:PORT`. */
export function parseMetricsListen(value: string): MetricsAddress {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]:|([A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(value.trim());
  const p = m ? port.safeParse(m[3]) : undefined;
  if (!m || !p?.success) {
    throw new FerryError('usage', 'cli.bad_metrics_listen', `--metrics-listen takes PORT, HOST:PORT or [IPv6]:PORT (port 0 to 65535), e.g. 127.0.0.1:9464`);
  }
  return { host: m[1] ?? m[2] ?? '127.0.0.1', port: p.data };
}

/** A token from the environment, refused when set but too short to be a secret. */
export function metricsToken(env: NodeJS.ProcessEnv): string | undefined {
  const token = env[METRICS_TOKEN_ENV];
  if (token === undefined || token === '') return undefined;
  if (token.length < 16) throw new FerryError('usage', 'metrics.weak_token', `${METRICS_TOKEN_ENV} must be at least 16 characters; generate one with: openssl rand -hex 32`);
  return token;
}

/** Constant-time: both sides are hashed to the same length before comparing. */
function sameToken(expected: string, header: string | undefined): boolean {
  const given = /^Bearer (\S+)$/i.exec(header ?? '')?.[1] ?? '';
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(expected), digest(given)) && given.length > 0;
}

export interface MetricsEndpoint {
  /** `http://HOST:PORT`, the port the listener bound. */
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serves `GET /metrics` of `metrics` on `address` until closed. */
export async function serveMetrics(metrics: FerryMetrics, address: MetricsAddress, options: { token?: string; onError?: (err: unknown) => void } = {}): Promise<MetricsEndpoint> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
      res.end(body);
    };
    if (path !== '/metrics') return answer(404, 'not found: metrics are at /metrics\n');
    if (req.method !== 'GET') return answer(405, 'method not allowed: GET /metrics\n', { allow: 'GET' });
    if (options.token !== undefined && !sameToken(options.token, req.headers.authorization)) {
      return answer(401, `unauthorized: send Authorization: Bearer <the token in ${METRICS_TOKEN_ENV}>\n`, { 'www-authenticate': 'Bearer realm="ferry-metrics"' });
    }
    scrape(metrics).then(
      (text) => answer(200, text, { 'content-type': metrics.registry.contentType }),
      (err: unknown) => {
        options.onError?.(err);
        answer(500, 'the metrics could not be collected; the process log has the cause\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new FerryError('usage', 'metrics.listen_failed', `the metrics listener could not bind ${address.host}:${address.port} (${err.code ?? 'error'}); choose another --metrics-listen address`)),
    );
    server.listen(address.port, address.host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const shown = address.host.includes(':') ? `[${address.host}]` : address.host;
  return {
    url: `http://${shown}:${bound}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What `--metrics-listen` and the environment ask for, checked before the command opens anything; undefined without the flag. */
export interface MetricsSettings {
  address: MetricsAddress;
  token?: string;
}

/** Reads and checks `--metrics-listen` and FERRY_METRICS_TOKEN; undefined (no metrics kept) without the flag. */
export function metricsSettings(listen: string | undefined, env: NodeJS.ProcessEnv): MetricsSettings | undefined {
  if (listen === undefined) return undefined;
  return { address: parseMetricsListen(listen), token: metricsToken(env) };
}

/** A process's metrics and their listener, as `settings` ask; undefined without them. */
export async function startMetricsListener(settings: MetricsSettings | undefined, onError?: (err: unknown) => void): Promise<{ metrics: FerryMetrics; endpoint: MetricsEndpoint } | undefined> {
  if (!settings) return undefined;
  const metrics = createMetrics();
  const endpoint = await serveMetrics(metrics, settings.address, { token: settings.token, onError });
  return { metrics, endpoint };
}

/** The `--metrics-listen` option's help, the same on every command that has it. */
export const METRICS_LISTEN_HELP = `serve Prometheus metrics at http://HOST:PORT/metrics (a bare PORT binds 127.0.0.1; off by default); with ${METRICS_TOKEN_ENV} set, scrapers must send it as a bearer token`;
