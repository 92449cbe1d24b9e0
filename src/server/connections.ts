/**
 * Where a request's source and a tier's target URLs come from. HTTP clients never send a
 * connection URL, a password or a file path: they name a source reference —
 *   `probe`                  the bundled probe data,
 *   `env:FERRY_SOURCE_NAME`  a source URL the operator set in the server's environment,
 *   `upload:upl_…`           files uploaded to this project (./uploads.ts),
 *   `synth:SEED:PATIENTS`    the seeded synthetic legacy PAS (./synth-source.ts),
 * and a tier's target is the secret reference stored in its release configuration (`env:NAME`
 * or `file:PATH`). Resolved values are never echoed in errors or logs, and a failure to reach a
 * source is described by its cause alone (sourceFailure), never by the driver's message, which
 * names hosts, users and paths.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Actor } from '../control/plane.js';
import { FerryError } from '../errors.js';
import type { ServerDeps } from './context.js';
import { PROBE_SOURCE_DIR } from './probe/probe.js';
import { SYNTH_PATIENTS, synthSource } from './synth-source.js';
import { UPLOAD_ID, uploadSource } from './uploads.js';

/** The environment-variable prefix a source must use to be usable over HTTP. */
export const SOURCE_ENV_PREFIX = 'FERRY_SOURCE_';

const ENV_REF = new RegExp(`^env:${SOURCE_ENV_PREFIX}[A-Z0-9_]+$`);
const SYNTH_REF = /^synth:(\d{1,9}):(\d{1,5})$/;
const UPLOAD_REF = new RegExp(`^upload:${UPLOAD_ID.source.slice(1, -1)}$`);

export const sourceRefSchema = z
  .string()
  .max(200)
  .superRefine((ref, ctx) => {
    const synth = SYNTH_REF.exec(ref);
    if (synth) {
      const patients = Number(synth[2]);
      if (patients < SYNTH_PATIENTS.min || patients > SYNTH_PATIENTS.max) ctx.addIssue({ code: 'custom', message: `synthetic data takes ${SYNTH_PATIENTS.min} to ${SYNTH_PATIENTS.max} patients (synth:SEED:PATIENTS)` });
      return;
    }
    if (ref === 'probe' || ENV_REF.test(ref) || UPLOAD_REF.test(ref)) return;
    ctx.addIssue({
      code: 'custom',
      message: `must be "probe", env:${SOURCE_ENV_PREFIX}NAME (an environment variable set on the server holding the source URL), upload:ID (an upload of this project) or synth:SEED:PATIENTS`,
    });
  })
  .describe(`"probe", env:${SOURCE_ENV_PREFIX}NAME, upload:upl_… (this project's uploads) or synth:SEED:PATIENTS (${SYNTH_PATIENTS.min}–${SYNTH_PATIENTS.max} patients)`);

/** The kind of a valid source reference, as the sources listing names it. */
export function sourceKind(ref: string): 'probe' | 'env' | 'upload' | 'synth' {
  return ref === 'probe' ? 'probe' : (ref.slice(0, ref.indexOf(':')) as 'env' | 'upload' | 'synth');
}

/** Names (never values) of the `FERRY_SOURCE_*` variables set in `env`, sorted. */
export function configuredSourceNames(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env)
    .filter((k) => k.startsWith(SOURCE_ENV_PREFIX) && ENV_REF.test(`env:${k}`) && Boolean(env[k]))
    .sort();
}

/**
 * The source URL behind a validated reference, for `projectId`: an upload of another project
 * is not found (and the attempt audit-logged), synthetic data is generated on first use.
 */
export async function resolveSource(deps: ServerDeps, actor: Actor, projectId: string, ref: string): Promise<string> {
  if (ref === 'probe') return `csv:${PROBE_SOURCE_DIR}`;
  const synth = SYNTH_REF.exec(ref);
  if (synth) return synthSource(deps.dataDir, Number(synth[1]), Number(synth[2]));
  if (ref.startsWith('upload:')) return uploadSource(deps, actor, projectId, ref.slice('upload:'.length));
  const name = ref.slice('env:'.length);
  const url = deps.env[name];
  if (!url) throw new FerryError('usage', 'run.source_unset', `the source reference ${ref} is not set on this server; ask the operator to set ${name} to the source URL`);
  return url;
}

/** The target URL behind a tier's secret reference (`env:NAME` or `file:PATH`). */
export async function resolveTarget(ref: string, tier: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (ref.startsWith('env:')) {
    const url = env[ref.slice(4)];
    if (url) return url;
  } else if (ref.startsWith('file:')) {
    try {
      const text = (await readFile(ref.slice(5), 'utf8')).trim();
      if (text) return text;
    } catch {
      // Reported below without the reason: the error could describe the file's contents.
    }
  }
  throw new FerryError('usage', 'run.target_unset', `the ${tier} target reference ${ref} does not resolve on this server; ask the operator to provide it`);
}

const CAUSES: Array<{ codes: string[]; code: string; reason: string }> = [
  { codes: ['ECONNREFUSED'], code: 'source.connection_refused', reason: 'connection refused (check that the database is running and the reference points at it)' },
  { codes: ['ENOTFOUND', 'EAI_AGAIN'], code: 'source.host_unknown', reason: 'the host name does not resolve (check the host in the reference)' },
  { codes: ['ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH'], code: 'source.unreachable', reason: 'the server did not answer (check the network path and any firewall between this server and the database)' },
  { codes: ['28P01', '28000', 'ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR'], code: 'source.auth_failed', reason: 'the database refused the credentials (check the user and the password the reference supplies)' },
  { codes: ['3D000', 'ER_BAD_DB_ERROR'], code: 'source.database_missing', reason: 'the database named in the reference does not exist' },
  { codes: ['ENOENT', 'ENOTDIR', 'EACCES'], code: 'source.files_missing', reason: 'its files are missing or unreadable (check the directory the reference names)' },
];

// Connector refusals of the configured URL itself: the operator's to fix, said without the URL.
const SETUP_PROBLEMS: Record<string, string> = {
  'connector.password_in_url': 'its URL contains a password; ask the operator to move it into the environment (?password_env=VARIABLE)',
  'connector.password_env_missing': 'the password variable its URL names (password_env) is not set; ask the operator to set it',
  'connector.bad_url': 'it does not hold a connector URL (csv:DIR, ndjson:DIR, sqlite:FILE, postgres://… or mysql://…); ask the operator to correct it',
  'connector.unknown_kind': 'it does not hold a connector URL (csv:DIR, ndjson:DIR, sqlite:FILE, postgres://… or mysql://…); ask the operator to correct it',
};

/** Every `code` on an error, its causes and aggregated errors (drivers nest them). */
function errorCodes(err: unknown, seen = new Set<unknown>()): string[] {
  if (!err || typeof err !== 'object' || seen.has(err)) return [];
  seen.add(err);
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  const own = typeof e.code === 'string' ? [e.code] : [];
  const nested = Array.isArray(e.errors) ? e.errors.flatMap((x) => errorCodes(x, seen)) : [];
  return [...own, ...errorCodes(e.cause, seen), ...nested];
}

/**
 * A failure to open or read a source as an analyst-readable FerryError that names only the
 * cause: the driver's own message would carry the host, user, database or file path.
 */
export function sourceFailure(err: unknown): FerryError {
  const codes = errorCodes(err);
  const known = CAUSES.find((c) => c.codes.some((x) => codes.includes(x)));
  if (known) {
    const what = known.code === 'source.files_missing' ? 'could not read the source' : 'could not connect to the source';
    return new FerryError('connection', known.code, `${what}: ${known.reason}`);
  }
  const code = err instanceof FerryError ? err.code : 'source.failed';
  const setup = SETUP_PROBLEMS[code];
  if (setup) return new FerryError('connection', code, `the source reference is not set up correctly on this server: ${setup}`);
  return new FerryError('connection', 'source.failed', `could not open the source (${code}); ask the operator to check the reference`);
}

// Errors whose messages speak only of the request (tables asked for, options, DDL lines):
// anything else came from a connector and may name a host, user or path.
const REQUEST_ERRORS = /^(profile|ddl|suggest|upload|run|http|contract|crosswalk)\./;

/** Runs `work`, turning connector failures into sourceFailure; errors about the request itself pass through. */
export async function withSourceErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof FerryError && REQUEST_ERRORS.test(err.code)) throw err;
    throw sourceFailure(err);
  }
}
