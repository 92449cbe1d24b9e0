/**
 * Confinement of named connections. A connection's reference (a connector URL, or `env:NAME` /
 * `file:PATH` holding one) is resolved only inside the server, reduced to a canonical identity
 * — the real path for file connectors; engine, addresses, port and database for servers — and
 * refused when it reaches the control store, the server's data directory, a path outside the
 * directories the operator allowed, or data another tenant's connection already names. The
 * check runs when the operator registers a connection and again every time one is opened, so a
 * symlink or an environment variable changed afterwards cannot widen it.
 *
 * Every refusal names the connection and the rule, never the resolved value: a file's content,
 * an environment value, a URL, a host or a path would otherwise reach the tenant who asked.
 */
import { lookup } from 'node:dns/promises';
import { realpath, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { mysqlConfig } from '../connectors/mysql/config.js';
import { pgConfig } from '../connectors/postgres/config.js';
import { parseConnectorUrl, type ConnectorKind, type ParsedUrl } from '../connectors/url.js';
import { FerryError } from '../errors.js';
import type { StoreLocation } from '../store/store-url.js';

/** The environment variable listing (path-delimited) the directories file connections may use. */
export const CONNECTION_ROOTS_ENV = 'FERRY_CONNECTION_ROOTS';

/** What a connection ultimately reaches. */
export type Canonical = { kind: 'file'; path: string } | { kind: 'server'; engine: 'postgres' | 'mysql'; hosts: string[]; port: number; database: string };

/** What the deployment protects, and where references resolve. */
export interface ConnectionPolicy {
  env: NodeJS.ProcessEnv;
  /** The control store: never a source or a target. */
  store: StoreLocation;
  /** The server's data directory (uploads, run evidence), when known. */
  dataDir?: string;
}

/** A connection resolved and checked: its URL (server-side only) and what it reaches. */
export interface ConfinedConnection {
  url: string;
  kind: ConnectorKind;
  canonical: Canonical;
}

/** A refusal that names the connection and the rule only. */
export function connectionError(code: string, name: string, why: string): FerryError {
  return new FerryError('usage', `connection.${code}`, `the connection ${name} cannot be used: ${why}; ask the operator to correct its registration (ferry admin connection)`);
}

/** The URL behind a reference: `env:NAME`, `file:/ABS/PATH` (first line), or the URL itself. */
export async function resolveReference(name: string, ref: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (ref.startsWith('env:')) {
    const value = env[ref.slice(4)]?.trim();
    if (value) return value;
    throw connectionError('unresolved', name, 'the environment variable holding its URL is not set on this server');
  }
  if (ref.startsWith('file:')) {
    const file = ref.slice(5);
    if (!path.isAbsolute(file)) throw connectionError('unresolved', name, 'its secrets file must be given by an absolute path');
    let text = '';
    try {
      text = (await readFile(file, 'utf8')).trim();
    } catch {
      // Said without the reason: an error could describe the file.
    }
    if (text && !text.includes('\n')) return text;
    throw connectionError('unresolved', name, 'its secrets file is missing, unreadable, empty or holds more than one line');
  }
  return ref;
}

/** Parses a resolved URL, with the connector's own complaint reduced to its code. */
export function parseConnection(name: string, url: string, env: NodeJS.ProcessEnv): ParsedUrl {
  try {
    return parseConnectorUrl(url, env);
  } catch (err) {
    const code = err instanceof FerryError ? err.code : 'connector.bad_url';
    throw connectionError('bad_url', name, `its URL is not a usable connector URL (${code})`);
  }
}

/** The real path of `p`, following symlinks as far as the path exists (a target file may not yet). */
export async function realPathDeep(p: string): Promise<string> {
  const absolute = path.resolve(p);
  const rest: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      return path.join(await realpath(current), ...rest.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return absolute;
      rest.push(path.basename(current));
      current = parent;
    }
  }
}

const LOOPBACK = 'loopback';

/** Addresses that reach this machine: loopback, the unspecified address and its own interfaces. */
function localAddresses(): Set<string> {
  const out = new Set(['0.0.0.0', '::', '::1']);
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.add(a.address);
  return out;
}

function isLoopback(address: string): boolean {
  const a = address.replace(/^::ffff:/i, '');
  return a.startsWith('127.') || localAddresses().has(a);
}

/** The addresses a host name reaches, with every address of this machine folded into one. */
async function canonicalHosts(host: string): Promise<string[]> {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === '' || h.startsWith('/')) return [LOOPBACK];
  let addresses: string[];
  if (isIP(h)) addresses = [h];
  else {
    try {
      addresses = (await lookup(h, { all: true })).map((a) => a.address);
    } catch {
      // A name that does not resolve here cannot be compared by address; keep the name itself.
      return [`name:${h}`];
    }
  }
  return [...new Set(addresses.map((a) => (isLoopback(a) ? LOOPBACK : a.toLowerCase())))].sort();
}

/** What a parsed connector URL reaches. */
export async function canonicalOf(name: string, parsed: ParsedUrl): Promise<Canonical> {
  if (parsed.path !== undefined) return { kind: 'file', path: await realPathDeep(parsed.path) };
  try {
    if (parsed.kind === 'postgres') {
      const c = pgConfig(parsed).client;
      return { kind: 'server', engine: 'postgres', hosts: await canonicalHosts(String(c.host)), port: Number(c.port), database: String(c.database) };
    }
    const c = mysqlConfig(parsed).connection;
    return { kind: 'server', engine: 'mysql', hosts: await canonicalHosts(String(c.host)), port: Number(c.port), database: String(c.database) };
  } catch (err) {
    if (err instanceof FerryError && err.code.startsWith('connection.')) throw err;
    const code = err instanceof FerryError ? err.code : 'connector.bad_url';
    throw connectionError('bad_url', name, `its URL is not a usable connector URL (${code})`);
  }
}

/** The control store as a canonical identity. */
export async function storeCanonical(store: StoreLocation): Promise<Canonical> {
  if (store.dialect === 'sqlite') return { kind: 'file', path: await realPathDeep(store.file) };
  const c = store.pg.client;
  return { kind: 'server', engine: 'postgres', hosts: await canonicalHosts(String(c.host ?? '')), port: Number(c.port ?? 5432), database: String(c.database) };
}

function within(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** True when `a` and `b` can reach the same data: one path inside the other, or one database. */
export function overlaps(a: Canonical, b: Canonical): boolean {
  if (a.kind === 'file' && b.kind === 'file') return within(a.path, b.path) || within(b.path, a.path);
  if (a.kind === 'server' && b.kind === 'server') {
    return a.engine === b.engine && a.port === b.port && a.database === b.database && a.hosts.some((h) => b.hosts.includes(h));
  }
  return false;
}

/** The directories file connections may use, as real paths (missing ones are left out). */
export async function allowedRoots(env: NodeJS.ProcessEnv): Promise<string[]> {
  const listed = (env[CONNECTION_ROOTS_ENV] ?? '').split(path.delimiter).filter((d) => d.trim() !== '');
  const roots: string[] = [];
  for (const dir of listed) {
    if (!path.isAbsolute(dir)) continue;
    try {
      roots.push(await realpath(dir));
    } catch {
      // A root that does not exist allows nothing.
    }
  }
  return roots;
}

/**
 * Resolves `ref` and checks what it reaches against the deployment's protected places and the
 * canonical identities of other tenants' connections; returns the URL for the server's use.
 */
export async function confineConnection(name: string, ref: string, policy: ConnectionPolicy, otherTenants: readonly Canonical[]): Promise<ConfinedConnection> {
  const url = await resolveReference(name, ref, policy.env);
  const parsed = parseConnection(name, url, policy.env);
  const canonical = await canonicalOf(name, parsed);
  const store = await storeCanonical(policy.store);
  if (canonical.kind === 'file') {
    const roots = await allowedRoots(policy.env);
    if (!roots.some((r) => within(canonical.path, r))) {
      throw connectionError('outside_roots', name, `its path is outside the directories this server allows file connections in (${CONNECTION_ROOTS_ENV})`);
    }
    // The store's sidecars (-wal, -shm, -journal, the audit anchor) share its file name as a prefix.
    if (store.kind === 'file' && (overlaps(canonical, store) || canonical.path.startsWith(store.path) || within(store.path, canonical.path))) {
      throw connectionError('control_store', name, 'it reaches the control store');
    }
    if (policy.dataDir && overlaps(canonical, { kind: 'file', path: await realPathDeep(policy.dataDir) })) {
      throw connectionError('data_dir', name, "it reaches the server's data directory (uploads and run evidence)");
    }
  } else if (overlaps(canonical, store)) {
    throw connectionError('control_store', name, 'it reaches the control store database');
  }
  if (otherTenants.some((o) => overlaps(canonical, o))) throw connectionError('other_tenant', name, "it reaches data another organisation's connection already uses");
  return { url, kind: parsed.kind, canonical };
}
