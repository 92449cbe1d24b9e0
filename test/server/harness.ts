/**
 * A live API server for tests: a populated control plane (two orgs, one user per role, see
 * test/control/world.ts) on a fresh store, served on an ephemeral loopback port, with a
 * session token per role and tenant and a small JSON client. Only ever 127.0.0.1.
 */
import { ROLES, type Role } from '../../src/control/roles.js';
import type { StoreDialect } from '../../src/store/db.js';
import { createApp, type App, type AppConfig } from '../../src/server/app.js';
import { readSse, type SseResponse } from '../../src/server/probe/sse-client.js';
import { tempDir } from '../helpers/tmp.js';
import { storeFixture, type StoreFixture } from '../control/stores.js';
import { buildWorld, loginAs, PASSWORD, type Tenant, type World } from '../control/world.js';

export { PASSWORD };

export interface Reply<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface Client {
  request<T = any>(method: string, path: string, o?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<Reply<T>>;
}

export interface TenantTokens {
  tenant: Tenant;
  token: Record<Role, string>;
}

export interface Harness {
  url: string;
  app: App;
  world: World;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  a: TenantTokens;
  b: TenantTokens;
  client: Client;
  close(): Promise<void>;
}

/** A JSON client for `url`. */
export function client(url: string): Client {
  return {
    async request(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      if (o.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(url + path, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
      const text = await res.text();
      let body: any = undefined;
      if ((res.headers.get('content-type') ?? '').startsWith('application/json')) body = JSON.parse(text);
      return { status: res.status, body, text, headers: res.headers };
    },
  };
}

async function tokens(world: World, t: Tenant): Promise<TenantTokens> {
  const token = {} as Record<Role, string>;
  for (const role of ROLES) token[role] = (await loginAs(world.plane, t, role)).token;
  return { tenant: t, token };
}

/** Starts a server over a fresh world on `dialect`; `overrides` tune the app config. */
export async function startHarness(dialect: StoreDialect, overrides: Partial<AppConfig> = {}, fx?: StoreFixture): Promise<Harness> {
  const fixture = fx ?? (await storeFixture(dialect));
  const world = await buildWorld(fixture);
  const data = await tempDir('ferry-server-');
  const env: NodeJS.ProcessEnv = { ...(overrides.env ?? {}) };
  const app = createApp({
    plane: world.plane,
    dataDir: data.dir,
    logger: false,
    env,
    loginLimits: { perIp: { capacity: 1000, refillPerSecond: 100 }, perAccount: { capacity: 1000, refillPerSecond: 100 } },
    ...overrides,
  });
  const { url } = await app.listen(0, '127.0.0.1');
  const a = await tokens(world, world.a);
  const b = await tokens(world, world.b);
  return {
    url,
    app,
    world,
    dataDir: data.dir,
    env,
    a,
    b,
    client: client(url),
    async close() {
      await app.close();
      await world.close();
      await data.cleanup();
      if (!fx) await fixture.cleanup();
    },
  };
}

/** Reads a run's SSE stream to its end (bounded), as a browser would. */
export function sse(url: string, token: string): Promise<Omit<SseResponse, 'events'> & { events: Array<{ event: string; data: any }> }> {
  return readSse(url, token, { maxEvents: 10_000, signal: AbortSignal.timeout(60_000) });
}
