/**
 * Opens the control store as the CLI and the server configure it: the store from
 * `--store` / FERRY_DATABASE_URL, and the audit anchor (file and signing key) from the audit
 * settings. It lives in audit/ because everything it adds over `openStore` is audit
 * configuration; the store itself knows no environment variable of the audit trail.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { openStore, type OpenOptions, type Store } from '../store/db.js';
import { resolveStoreLocation, type StoreLocation, type StoreUrlInput } from '../store/store-url.js';
import { auditKeyFromEnv } from './key.js';

/** Environment variable naming the audit anchor file. */
export const AUDIT_ANCHOR_ENV = 'FERRY_AUDIT_ANCHOR';

/** Help for the `--audit-anchor` option of the commands that write or verify the chain. */
export const ANCHOR_HELP = `audit anchor file, checkpoint of the chain head kept outside the store (default $${AUDIT_ANCHOR_ENV}, else STORE.audit-anchor beside a SQLite store, .ferry/audit-anchor-ID for PostgreSQL)`;

/**
 * Opens the store named by `--store`, FERRY_DATABASE_URL or the default `.ferry/ferry.db`, with
 * its audit anchor at `anchorFile` > FERRY_AUDIT_ANCHOR > the default for its dialect, signed
 * under FERRY_AUDIT_KEY when set.
 */
export function openConfiguredStore(input: StoreUrlInput & { anchorFile?: string }, options: OpenOptions = {}): Promise<Store> {
  const location = resolveStoreLocation(input);
  const file = input.anchorFile ?? input.env[AUDIT_ANCHOR_ENV];
  const anchor = options.anchor !== undefined ? options.anchor : { file: file ? path.resolve(input.cwd, file) : defaultAnchorFile(location, input.cwd), key: auditKeyFromEnv(input.env) };
  return openStore(location, { ...options, anchor });
}

/**
 * Beside a SQLite store, `<file>.audit-anchor`. For PostgreSQL, `.ferry/audit-anchor-<id>`
 * under the working directory, `<id>` naming the server, database and schema (so two stores
 * never share one); run the server and the CLI from the same directory or set FERRY_AUDIT_ANCHOR.
 */
export function defaultAnchorFile(location: StoreLocation, cwd: string): string {
  if (location.dialect === 'sqlite') return `${location.file}.audit-anchor`;
  const id = createHash('sha256').update(`${location.display}#${location.pg.schema}`).digest('hex').slice(0, 16);
  return path.resolve(cwd, '.ferry', `audit-anchor-${id}`);
}
