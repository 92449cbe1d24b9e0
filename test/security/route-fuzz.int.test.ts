/**
 * Attack: a tenant (or anyone, unauthenticated) sends hostile values to every parameter of
 * every route — SQL injection, path traversal, secret references (`env:`, `file:`), oversize
 * strings, hostile unicode, wrong types — hoping for a crash (5xx) or for the server to hand
 * back something it resolved: an environment secret, a file's content, a server path.
 *
 * The routes come from the server's own `/openapi.json`, so a new route is fuzzed without
 * touching this file. Canaries are planted where a leak would come from: two environment
 * variables (one a source URL, one a plain secret) and a file in a temporary directory; none
 * may appear in any response body or header, nor in the server's log, and no response may
 * quote the canary file's path. By default each parameter gets a deterministic rotation of the
 * hostile values per caller; FERRY_FUZZ_FULL=1 sends every value to every parameter as every caller.
 * FERRY_FUZZ_REPORT=PREFIX writes each caller's findings to PREFIX.<caller>.json for triage.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeUpload } from '../../src/server/probe/probe.js';
import { tempDir } from '../helpers/tmp.js';
import { startHarness, type Harness } from '../server/harness.js';

const FULL = process.env.FERRY_FUZZ_FULL === '1';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = Record<string, any>;

interface Hostile {
  label: string;
  value: Json;
  /** Put into a URL exactly as written (already percent-encoded or meant to add segments). */
  raw?: boolean;
}

interface Operation {
  method: string;
  path: string;
  operationId: string;
  params: Array<{ name: string; in: 'path' | 'query'; required: boolean }>;
  body: Schema | null;
}

interface Sent {
  principal: string;
  operationId: string;
  target: string;
  label: string;
}

interface Finding extends Sent {
  problem: string;
}

const canary = {
  env: `envcanary${randomBytes(12).toString('hex')}`,
  secret: `secretcanary${randomBytes(12).toString('hex')}`,
  file: `filecanary${randomBytes(12).toString('hex')}`,
};
const ENV = {
  // A configured source whose URL carries the canary as user and database, its password the
  // other canary: connecting fails at once (port 1), and what the driver says must not get out.
  FERRY_SOURCE_CANARY: `postgres://u${canary.env}@127.0.0.1:1/d${canary.env}?password_env=FERRY_CANARY_SECRET`,
  FERRY_CANARY_SECRET: canary.secret,
};

let h: Harness;
let files: Awaited<ReturnType<typeof tempDir>>;
let canaryPath: string;
const logLines: string[] = [];
let operations: Operation[] = [];
/** A valid value per parameter or body property name, so the one fuzzed value reaches deep code. */
const valid: Record<string, Json> = {};
const findings: Finding[] = [];
function record(f: Finding): void {
  findings.push(f);
}
let sentCount = 0;

function deep(depth: number): Json {
  let v: Json = 'bottom';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** Every hostile value, strings first (they also go into URLs), then values of the wrong type. */
function hostileValues(): { strings: Hostile[]; typed: Hostile[]; rawUrl: Hostile[] } {
  const strings: Hostile[] = [
    { label: 'sql-or', value: "' OR '1'='1" },
    { label: 'sql-drop', value: '1; DROP TABLE app_user; --' },
    { label: 'traversal', value: '../../../etc/passwd' },
    { label: 'traversal-encoded', value: '..%2f..%2f..%2fetc%2fpasswd' },
    { label: 'canary-path', value: canaryPath },
    { label: 'file-ref', value: `file:${canaryPath}` },
    { label: 'env-secret', value: 'env:FERRY_CANARY_SECRET' },
    { label: 'env-source', value: 'env:FERRY_SOURCE_CANARY' },
    { label: 'oversize', value: 'A'.repeat(1024 * 1024) },
    { label: 'rtl-override', value: 'report\u202Eexe.html' },
    { label: 'nul', value: 'prj\u0000x' },
    { label: 'lone-surrogate', value: 'x\uD800y' },
    { label: 'emoji', value: '🏥👩🏽‍⚕️' },
    { label: 'combining', value: 'Z\u0335\u0322\u031Ba\u0334l\u0338g\u0335o\u0336' },
  ];
  const typed: Hostile[] = [
    { label: 'zero', value: 0 },
    { label: 'negative', value: -1 },
    { label: 'huge-number', value: 1e308 },
    { label: 'fraction', value: 3.5 },
    { label: 'true', value: true },
    { label: 'null', value: null },
    { label: 'empty-array', value: [] },
    { label: 'array', value: ['a', "' OR 1=1 --"] },
    { label: 'empty-object', value: {} },
    { label: 'object-keyed-by-path', value: { [canaryPath]: 'x', __proto__: { polluted: true } as Json } },
    { label: 'deep-object', value: deep(2000) },
  ];
  // Only in URLs: percent-escapes the client would otherwise encode, and raw segments.
  const rawUrl: Hostile[] = [
    { label: 'raw-traversal', value: '../../../etc/passwd', raw: true },
    { label: 'raw-encoded-traversal', value: '..%2f..%2f..%2fetc%2fpasswd', raw: true },
    { label: 'raw-invalid-utf8', value: 'x%ED%A0%80y', raw: true },
    { label: 'raw-nul', value: 'x%00y', raw: true },
    { label: 'raw-overlong-dot', value: '%C0%AE%C0%AE%2F', raw: true },
  ];
  return { strings, typed, rawUrl };
}

/** Percent-encodes `s` as UTF-8, lone surrogates included (as U+FFFD), like a lenient client. */
function encode(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** Values for a path or query parameter: strings, the wrong types as their text, raw escapes. */
function urlValues(): Hostile[] {
  const { strings: all, typed, rawUrl } = hostileValues();
  // A 1 MiB request line only meets Node's 16 KiB header limit; 8 KiB reaches the router and the validators.
  const strings = FULL ? all : all.map((v) => (v.label === 'oversize' ? { label: 'oversize-8k', value: 'A'.repeat(8 * 1024) } : v));
  const asText = typed.filter((t) => t.label !== 'deep-object').map((t) => ({ label: t.label, value: typeof t.value === 'string' ? t.value : JSON.stringify(t.value) }));
  return [...strings, ...asText, { label: 'deep-object', value: JSON.stringify(deep(200)) }, ...rawUrl];
}

function bodyValues(): Hostile[] {
  const { strings, typed } = hostileValues();
  return [...strings, ...typed];
}

/** The default subset: a rotation, so across parameters and callers every value is still sent. */
function pick<T>(values: T[], seed: number, every: number): T[] {
  if (FULL) return values;
  return values.filter((_, i) => (i + seed) % every === 0);
}

function resolve(doc: Schema, s: Schema | undefined): Schema {
  let cur = s ?? {};
  for (let i = 0; i < 10 && typeof cur.$ref === 'string'; i++) cur = doc.components.schemas[cur.$ref.split('/').pop()!] ?? {};
  return cur;
}

function readOperations(doc: Schema): Operation[] {
  const out: Operation[] = [];
  for (const [p, ops] of Object.entries<Schema>(doc.paths)) {
    for (const [method, op] of Object.entries<Schema>(ops)) {
      const bodySchema = op.requestBody?.content?.['application/json']?.schema as Schema | undefined;
      out.push({
        method: method.toUpperCase(),
        path: p,
        operationId: op.operationId,
        params: (op.parameters ?? []).map((x: Schema) => ({ name: x.name, in: x.in, required: x.required === true })),
        body: bodySchema ? resolve(doc, bodySchema) : null,
      });
    }
  }
  return out;
}

/** A plausible value for a property the fixtures do not name, from its schema. */
function exampleOf(doc: Schema, s: Schema): Json {
  const r = resolve(doc, s);
  if (r.enum) return r.enum[0];
  if (r.const !== undefined) return r.const;
  const alt = r.anyOf ?? r.oneOf;
  if (alt) return exampleOf(doc, alt.find((x: Schema) => x.type !== 'null') ?? alt[0]);
  switch (Array.isArray(r.type) ? r.type.find((t: string) => t !== 'null') : r.type) {
    case 'string':
      return 'fuzz';
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return null;
  }
}

function baselineBody(doc: Schema, body: Schema): Record<string, Json> {
  const out: Record<string, Json> = {};
  const required = new Set<string>(body.required ?? []);
  for (const [name, s] of Object.entries<Schema>(body.properties ?? {})) {
    if (name in valid) out[name] = valid[name];
    else if (required.has(name)) out[name] = exampleOf(doc, s);
  }
  return out;
}

/** One request with the URL path sent exactly as built (fetch would normalise `..`). */
function send(method: string, urlPath: string, token: string | null, body?: Json): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  const { hostname, port } = new URL(h.url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolvePromise, reject) => {
    // A fresh connection per request: one the server closed (after a 431) is never reused.
    const req = http.request({ hostname, port, path: urlPath, method, headers, timeout: 30_000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timed out: ${method} ${urlPath.slice(0, 200)}`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** What must never leave the server, and where the canary file lives. */
function leaks(text: string): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(canary)) if (text.includes(value)) out.push(`${name} canary`);
  for (const form of [canaryPath, encode(canaryPath), JSON.stringify(canaryPath).slice(1, -1)]) {
    if (text.includes(form)) {
      out.push('canary file path');
      break;
    }
  }
  return out;
}

/** For a list of audit events, ` in events: TYPE,…` naming those that hold a leak. */
function eventsHolding(text: string): string {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    return '';
  }
  if (!Array.isArray(list) || !list.every((e) => typeof e?.type === 'string')) return '';
  const types = new Set(list.filter((e) => leaks(JSON.stringify(e)).length > 0).map((e) => e.type as string));
  return types.size > 0 ? ` in events: ${[...types].sort().join(',')}` : '';
}

/**
 * Records what is wrong with one response. A name the caller chose (a workspace called like
 * the canary path) may come back in a 2xx body: it is the tenant's own stored data. An error
 * never quotes a value, and nothing ever carries a canary value.
 */
function check(sent: Sent, r: { status: number; headers: http.IncomingHttpHeaders; text: string }, storedInput = false): void {
  sentCount += 1;
  // 502 with a source.* or target.* code is the designed answer for a registered database that
  // cannot be reached (docs/api.md); any other 5xx is a failure.
  if (r.status >= 500 && !(r.status === 502 && /"code":"(source|target)\./.test(r.text))) record({ ...sent, problem: `status ${r.status}: ${r.text.slice(0, 300)}` });
  const headerText = Object.entries(r.headers)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`)
    .join('\n');
  for (const leak of leaks(headerText)) record({ ...sent, problem: `${leak} in a response header` });
  for (const leak of leaks(r.text)) {
    if (storedInput && r.status < 300 && leak === 'canary file path') continue;
    record({ ...sent, problem: `${leak} in the response body (status ${r.status})${eventsHolding(r.text)}: ${r.text.slice(0, 300)}` });
  }
}

/** Runs `jobs` a few at a time (the machine is shared; the server is one process). */
async function pool(jobs: Array<() => Promise<void>>, width = 4): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) await jobs[next++]();
    }),
  );
}

/** The operation's path with valid ids, except `name` set to `v`. */
function pathFor(op: Operation, name: string, v: Hostile | null): string {
  let p = op.path;
  for (const prm of op.params.filter((x) => x.in === 'path')) {
    const value = prm.name === name && v ? (v.raw ? String(v.value) : encode(String(v.value))) : encode(String(valid[prm.name] ?? 'fuzz'));
    p = p.replace(`{${prm.name}}`, value);
  }
  return p;
}

/** The query string: required parameters (all known ones with `all`) with valid values, and `name` (if any) set to `v`. */
function queryFor(op: Operation, name: string | null, v: Hostile | null, all = false): string {
  const parts: string[] = [];
  for (const prm of op.params.filter((x) => x.in === 'query')) {
    if (prm.name === name && v) {
      if (Array.isArray(v.value)) for (const item of v.value) parts.push(`${encode(prm.name)}=${encode(String(item))}`);
      else parts.push(`${encode(prm.name)}=${v.raw ? String(v.value) : encode(String(v.value))}`);
    } else if (prm.required || (all && prm.name in valid)) parts.push(`${encode(prm.name)}=${encode(String(valid[prm.name] ?? 'fuzz'))}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** Every request of the matrix for one caller. */
function requestsFor(doc: Schema, principal: string, token: string | null, seed: number): Array<() => Promise<void>> {
  const jobs: Array<() => Promise<void>> = [];
  const every = principal === 'org_admin' ? 4 : 10;
  for (const [o, op] of operations.entries()) {
    // Ending the caller's own session would leave the rest of its matrix unauthenticated.
    if (op.operationId === 'logout' && token !== null) continue;
    const pathOf = (name: string, v: Hostile | null) => pathFor(op, name, v);
    const queryOf = (name: string | null, v: Hostile | null) => queryFor(op, name, v);
    const base = op.body ? baselineBody(doc, op.body) : undefined;
    const add = (target: string, v: Hostile, urlPath: string, body: Json | undefined) =>
      jobs.push(async () => {
        const sent = { principal, operationId: op.operationId, target, label: v.label };
        try {
          check(sent, await send(op.method, urlPath, token, body), typeof body === 'object' && body !== null && JSON.stringify(body).includes(JSON.stringify(canaryPath).slice(1, -1)));
        } catch (err) {
          // Node's HTTP parser refuses a request line over its header limit (16 KiB) and closes
          // the socket, which the client may see as a reset while still writing: a refusal.
          const refused = urlPath.length > 16 * 1024 && /ECONNRESET|EPIPE/.test((err as Error).message);
          if (!refused) record({ ...sent, problem: `request failed: ${(err as Error).message.slice(0, 200)}` });
          else sentCount += 1;
        }
      });
    let k = seed + o;
    for (const prm of op.params) {
      for (const v of pick(urlValues(), k++, every)) {
        add(`${prm.in}:${prm.name}`, v, prm.in === 'path' ? pathOf(prm.name, v) + queryOf(null, null) : pathOf('', null) + queryOf(prm.name, v), base);
      }
    }
    for (const prop of Object.keys(op.body?.properties ?? {})) {
      for (const v of pick(bodyValues(), k++, every)) add(`body:${prop}`, v, pathOf('', null) + queryOf(null, null), { ...base, [prop]: v.value });
    }
    if (op.params.length === 0 && !op.body) {
      // Nothing declared: an undeclared query parameter and an unasked-for body must be ignored safely.
      for (const v of pick(bodyValues(), k++, every)) {
        const q = typeof v.value === 'string' ? `?x=${encode(v.value)}` : '';
        add('undeclared', v, op.path + q, v.value);
      }
    }
    if (op.body) {
      // The body as a whole: not an object at all.
      for (const v of pick(bodyValues(), k, every * 2)) add('body', v, pathOf('', null) + queryOf(null, null), v.value);
    }
  }
  return jobs;
}

let doc: Schema;

beforeAll(async () => {
  files = await tempDir('ferry-fuzz-');
  canaryPath = path.join(files.dir, 'canary-secret.txt');
  await writeFile(canaryPath, `${canary.file}\n`);
  Object.assign(process.env, ENV);
  const logger = pino({ level: 'trace' }, { write: (s: string) => void logLines.push(s) });
  h = await startHarness('sqlite', { env: { ...ENV }, logger });
  const { plane } = h.world;
  const A = h.world.a;
  // The operator registered the canary database as a source and as the pre_production target:
  // every route that reaches a connection reaches one whose URL carries the canaries.
  for (const [name, direction] of [
    ['canary-src', 'source'],
    ['canary-target', 'target'],
  ] as const) {
    await plane.registerConnection({ org: A.slug, name, ref: 'env:FERRY_SOURCE_CANARY', direction }, { env: { ...ENV }, dataDir: h.dataDir });
  }
  await plane.configureTier(A.admin, A.project.id, 'pre_production', { connection: 'canary-target' });
  const v1 = (await plane.submitVersion(A.as.migration_analyst, A.project.id, await probeUpload())).version;
  await plane.approveVersion(A.as.integration_lead, v1.id, 'fuzz baseline');
  const start = await h.client.request('POST', `/projects/${A.project.id}/runs`, {
    token: h.a.token.migration_analyst,
    body: { versionId: v1.id, tier: 'pre_production', source: 'probe', dryRun: true },
  });
  if (start.status !== 202) throw new Error(`baseline run refused: ${start.text}`);
  await h.app.worker.waitFor(start.body.runId);
  // Routes about one user (lock, roles, tokens) act on a user of its own, so the viewer keeps its grant and session.
  const victim = await plane.createUser(A.admin, { username: 'fuzz-victim', password: 'correct horse battery staple' });
  await plane.grantRole(A.admin, victim.id, 'viewer', null);
  const token = await plane.createToken(await plane.actorFor(victim.id), { name: 'fuzz' });
  Object.assign(valid, {
    projectId: A.project.id,
    workspaceId: A.workspace.id,
    userId: victim.id,
    tokenId: token.info.id,
    versionId: v1.id,
    from: v1.id,
    runId: start.body.runId,
    confirm: start.body.runId,
    digest: v1.digest,
    tier: 'pre_production',
    source: 'probe',
    connection: 'canary-target',
    dryRun: true,
    name: 'fuzz',
    username: 'fuzz-user',
    password: 'correct horse battery staple',
    role: 'viewer',
    yaml: (await probeUpload()).yaml,
    crosswalks: {},
    by: 'target',
    table: 'PERSON',
    key: '1',
  } satisfies Record<string, Json>);
  doc = (await h.client.request('GET', '/openapi.json')).body;
  operations = readOperations(doc);
}, 120_000);

afterAll(async () => {
  await h?.close();
  await files?.cleanup();
  for (const k of Object.keys(ENV)) delete process.env[k];
});

describe('route fuzz from /openapi.json', () => {
  it('reads every operation of the document', () => {
    expect(operations.length).toBeGreaterThan(40);
    expect(operations.map((o) => o.operationId)).toEqual(expect.arrayContaining(['startRun', 'submitVersion', 'lookupLineage', 'profileSource', 'getQualityHtml']));
  });

  // Anonymous and viewer first: the org_admin's matrix changes grants and creates objects.
  it.each([
    ['anonymous', null as string | null, 0],
    ['viewer', 'viewer', 1],
    ['org_admin', 'org_admin', 2],
  ] as const)(
    'as %s: no 5xx, no canary, no path echo',
    async (principal, role, seed) => {
      const token = role === null ? null : h.a.token[role as 'viewer' | 'org_admin'];
      const before = findings.length;
      await pool(requestsFor(doc, principal, token, seed));
      if (process.env.FERRY_FUZZ_REPORT) await writeFile(`${process.env.FERRY_FUZZ_REPORT}.${principal}.json`, JSON.stringify(findings.slice(before), null, 1));
      expect(findings.slice(before)).toEqual([]);
    },
    240_000,
  );

  it('as org_admin: a secret reference or path stored by one route is never resolved into any answer', async () => {
    const admin = h.a.token.org_admin;
    const refs = hostileValues().strings.filter((v) => ['env-source', 'env-secret', 'file-ref', 'canary-path'].includes(v.label));
    const reads = operations.filter((op) => op.method === 'GET' && op.operationId !== 'openapi');
    const before = findings.length;
    let planted = 0;
    let readable = 0;
    for (const op of operations.filter((o) => o.body && o.method !== 'GET')) {
      const base = baselineBody(doc, op.body!);
      for (const prop of Object.keys(op.body!.properties ?? {})) {
        for (const ref of refs) {
          const body = { ...base, [prop]: ref.value };
          const sent = { principal: 'org_admin', operationId: op.operationId, target: `body:${prop}`, label: `plant ${ref.label}` };
          const r = await send(op.method, pathFor(op, '', null) + queryFor(op, null, null), admin, body);
          check(sent, r, true);
          if (r.status >= 300) continue;
          // Accepted and maybe stored: read everything back, as a reader of the project would.
          planted += 1;
          await pool(
            reads.map((read) => async () => {
              const back = { principal: 'org_admin', operationId: read.operationId, target: `after ${op.operationId} ${prop}`, label: ref.label };
              const answer = await send('GET', pathFor(read, '', null) + queryFor(read, null, null, true), admin);
              if (answer.status < 300) readable += 1;
              check(back, answer, true);
            }),
          );
        }
      }
    }
    if (process.env.FERRY_FUZZ_REPORT) await writeFile(`${process.env.FERRY_FUZZ_REPORT}.plant.json`, JSON.stringify(findings.slice(before), null, 1));
    expect(planted).toBeGreaterThan(3);
    // The reads reached the stored objects rather than bouncing off validation or permissions.
    expect(readable).toBeGreaterThan(planted * 10);
    expect(findings.slice(before)).toEqual([]);
  }, 240_000);

  it('leaks nothing afterwards: runs the fuzz started, the audit trail, the server log', async () => {
    const A = h.world.a;
    const admin = h.a.token.org_admin;
    const runs = await h.client.request('GET', `/projects/${A.project.id}/runs`, { token: admin });
    expect(runs.status).toBe(200);
    for (const r of runs.body as Array<{ runId: string }>) {
      await h.app.worker.waitFor(r.runId);
      for (const suffix of ['', '/report', '/quality.html']) {
        const url = `/projects/${A.project.id}/runs/${encode(r.runId)}${suffix}`;
        check({ principal: 'org_admin', operationId: `run${suffix}`, target: r.runId, label: 'after' }, await send('GET', url, admin));
      }
    }
    const audit = await send('GET', '/audit/events?limit=1000', admin);
    if (process.env.FERRY_FUZZ_REPORT) await writeFile(`${process.env.FERRY_FUZZ_REPORT}.audit.json`, audit.text);
    expect(audit.status).toBe(200);
    check({ principal: 'org_admin', operationId: 'listAuditEvents', target: 'all', label: 'after' }, audit);
    const log = logLines.join('');
    expect(log.length).toBeGreaterThan(0);
    const leakedLines = logLines.filter((line) => Object.values(canary).some((value) => line.includes(value)));
    expect(
      leakedLines.map((line) => line.slice(0, 600)),
      'a canary value is in the server log',
    ).toEqual([]);
    expect(findings).toEqual([]);
    expect(sentCount).toBeGreaterThan(500);
  }, 120_000);
});
