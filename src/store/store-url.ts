/**
 * Where the control store lives. Layers, lowest first: the embedded default (a SQLite file
 * `.ferry/ferry.db` under the working directory) < `FERRY_DATABASE_URL` < an explicit
 * `--store URL`. Resolved once into a typed location so nothing downstream re-reads the
 * environment.
 */
import path from 'node:path';
import { FerryError } from '../errors.js';
import { parseConnectorUrl, redact } from '../connectors/url.js';
import { pgConfig, type PgConfig } from '../connectors/postgres/config.js';
import { sqliteConfig } from '../connectors/sqlite/config.js';

/** The embedded default, relative to the working directory. */
export const DEFAULT_STORE_FILE = path.join('.ferry', 'ferry.db');

export type StoreLocation = { dialect: 'sqlite'; file: string; busyTimeout: number; display: string } | { dialect: 'postgres'; pg: PgConfig; display: string };

export interface StoreUrlInput {
  /** `--store` flag value, if given. */
  flag?: string;
  env: NodeJS.ProcessEnv;
  /** Working directory: relative SQLite paths resolve against it. */
  cwd: string;
}

/** Picks the store URL from flag > FERRY_DATABASE_URL > default, and parses it. */
export function resolveStoreLocation(input: StoreUrlInput): StoreLocation {
  const spec = input.flag ?? input.env.FERRY_DATABASE_URL ?? `sqlite:${DEFAULT_STORE_FILE}`;
  return parseStoreUrl(spec, input.cwd, input.env);
}

/** Parses `sqlite:FILE[?busy_timeout=MS]` or `postgres://USER@HOST:PORT/DB[?schema=S]`. */
export function parseStoreUrl(spec: string, cwd: string, env: NodeJS.ProcessEnv = process.env): StoreLocation {
  if (/^sqlite:/i.test(spec)) {
    // The connector parser resolves against the process directory; the store belongs to the
    // working directory the command was given, so resolve the file ourselves first.
    const [rawPath, query] = spec.slice('sqlite:'.length).replace(/^\/\//, '').split('?', 2);
    if (!rawPath) throw new FerryError('usage', 'store.bad_url', `"${spec}" names no file; expected sqlite:FILE`);
    const absolute = path.resolve(cwd, rawPath);
    const parsed = parseConnectorUrl(`sqlite:${absolute}${query ? `?${query}` : ''}`, env);
    const cfg = sqliteConfig(parsed);
    return { dialect: 'sqlite', file: cfg.file, busyTimeout: cfg.busyTimeout, display: `sqlite:${cfg.file}` };
  }
  if (/^postgres(ql)?:\/\//i.test(spec)) {
    const parsed = parseConnectorUrl(spec, env);
    const pg = pgConfig(parsed);
    return { dialect: 'postgres', pg, display: parsed.display };
  }
  throw new FerryError('usage', 'store.bad_url', `"${redact(spec)}" is not a control store URL; expected sqlite:FILE or postgres://USER@HOST:PORT/DB (set it with --store or FERRY_DATABASE_URL)`);
}
