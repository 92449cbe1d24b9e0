/**
 * Connector addresses. Passwords never travel in a URL (it would land in shell history and
 * process listings): they come from the environment, named by `?password_env=VAR` or the
 * driver's own variable (PGPASSWORD, MYSQL_PWD).
 */
import path from 'node:path';
import { FerryError } from '../errors.js';

export type ConnectorKind = 'csv' | 'ndjson' | 'sqlite' | 'postgres' | 'mysql';

export interface ParsedUrl {
  kind: ConnectorKind;
  /** The URL as given, without any password. */
  display: string;
  /** For file kinds: the absolute path of the directory or file. */
  path?: string;
  /** For server kinds: a parsed URL with the password (from the environment) filled in. */
  url?: URL;
  /** Query parameters (options such as `encoding`, `delimiter`, `schema`). */
  params: URLSearchParams;
}

const FILE_KINDS = new Set(['csv', 'ndjson', 'sqlite']);

/** Parses `csv:DIR`, `ndjson:DIR`, `sqlite:FILE`, `postgres://…` or `mysql://…`. */
export function parseConnectorUrl(spec: string, env: NodeJS.ProcessEnv = process.env): ParsedUrl {
  const m = /^([a-z]+):(.*)$/i.exec(spec);
  // The spec is never quoted back: it is often a resolved secret (env:, file:) rather than typed text.
  if (!m) {
    throw new FerryError('usage', 'connector.bad_url', 'the value is not a connector URL; expected csv:DIR, ndjson:DIR, sqlite:FILE, postgres://… or mysql://…');
  }
  let scheme = m[1].toLowerCase();
  if (scheme === 'postgresql') scheme = 'postgres';
  if (scheme === 'mariadb') scheme = 'mysql';
  if (FILE_KINDS.has(scheme)) {
    const [rawPath, query = ''] = m[2].replace(/^\/\//, '').split('?', 2);
    if (!rawPath) throw new FerryError('usage', 'connector.bad_url', `the ${scheme} URL names no path; expected ${scheme}:PATH`);
    return { kind: scheme as ConnectorKind, display: spec, path: path.resolve(rawPath), params: new URLSearchParams(query) };
  }
  if (scheme === 'postgres' || scheme === 'mysql') {
    let url: URL;
    try {
      url = new URL(spec.replace(/^[a-z]+:/i, `${scheme}:`));
    } catch {
      throw new FerryError('usage', 'connector.bad_url', `"${redact(spec)}" is not a valid ${scheme} URL`);
    }
    if (url.password) {
      throw new FerryError(
        'usage',
        'connector.password_in_url',
        `the ${scheme} URL contains a password; remove it and set it in the environment instead (?password_env=VARIABLE, or ${scheme === 'postgres' ? 'PGPASSWORD' : 'MYSQL_PWD'})`,
      );
    }
    const passwordEnv = url.searchParams.get('password_env');
    if (passwordEnv) {
      const secret = env[passwordEnv];
      if (secret === undefined) {
        throw new FerryError('usage', 'connector.password_env_missing', `environment variable ${passwordEnv} (named by password_env) is not set`);
      }
      url.searchParams.delete('password_env');
      url.password = encodeURIComponent(secret);
    } else {
      const fallback = scheme === 'postgres' ? env.PGPASSWORD : env.MYSQL_PWD;
      if (fallback) url.password = encodeURIComponent(fallback);
    }
    const params = new URLSearchParams(url.searchParams);
    return { kind: scheme, display: redact(spec), url, params };
  }
  throw new FerryError('usage', 'connector.unknown_kind', 'the value names an unknown connector kind; expected csv:, ndjson:, sqlite:, postgres:// or mysql://');
}

/** Removes any password from a URL-like string. */
export function redact(spec: string): string {
  return spec.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
