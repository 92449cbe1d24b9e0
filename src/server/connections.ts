/**
 * Where a request's source and a tier's target URLs come from. HTTP clients never send a
 * connection URL, a password, a file path or a secret reference: they name a source —
 *   `probe`                  the bundled probe data,
 *   `connection:NAME`        a connection the operator registered for this org (and project),
 *   `upload:upl_…`           files uploaded to this project (./uploads.ts),
 *   `synth:SEED:PATIENTS`    the seeded synthetic legacy PAS (./synth-source.ts),
 * and a tier's target is the registered connection its configuration names. The control plane
 * resolves and confines a connection (src/control/connection-guard.ts) each time it is opened.
 * Resolved values are never echoed in errors or logs, and a failure to reach a source or a
 * target is described by its cause alone (connectionFailure), never by the driver's message,
 * which names hosts, users and paths.
 */
import { z } from 'zod';
import type { Actor } from '../control/plane.js';
import { connectionNameSchema } from '../control/connections.js';
import type { Tier } from '../contract/model.js';
import { FerryError } from '../errors.js';
import type { ServerDeps } from './context.js';
import { PROBE_SOURCE_DIR } from './probe/probe.js';
import { SYNTH_PATIENTS, synthSource } from './synth-source.js';
import { UPLOAD_ID, uploadSource } from './uploads.js';

const CONNECTION_REF = /^connection:(.+)$/;
const SYNTH_REF = /^synth:(\d{1,9}):(\d{1,5})$/;
const UPLOAD_REF = new RegExp(`^upload:${UPLOAD_ID.source.slice(1, -1)}$`);

export const sourceRefSchema = z
  .string()
  .max(200)
  .superRefine((ref, ctx) => {
    const synth = SYNTH_REF.exec(ref);
    if (synth) {
      const patients = Number(synth[2]);
      if (patients < SYNTH_PATIENTS.min || patients > SYNTH_PATIENTS.max)
        ctx.addIssue({ code: 'custom', message: `synthetic data takes ${SYNTH_PATIENTS.min} to ${SYNTH_PATIENTS.max} patients (synth:SEED:PATIENTS)` });
      return;
    }
    const named = CONNECTION_REF.exec(ref);
    if (named && connectionNameSchema.safeParse(named[1]).success) return;
    if (ref === 'probe' || UPLOAD_REF.test(ref)) return;
    ctx.addIssue({
      code: 'custom',
      message: 'must be "probe", connection:NAME (a connection the operator registered for this project), upload:ID (an upload of this project) or synth:SEED:PATIENTS',
    });
  })
  .describe(`"probe", connection:NAME (GET …/sources lists them), upload:upl_… (this project's uploads) or synth:SEED:PATIENTS (${SYNTH_PATIENTS.min}–${SYNTH_PATIENTS.max} patients)`);

/** The kind of a valid source reference, as the sources listing names it. */
export function sourceKind(ref: string): 'probe' | 'connection' | 'upload' | 'synth' {
  return ref === 'probe' ? 'probe' : (ref.slice(0, ref.indexOf(':')) as 'connection' | 'upload' | 'synth');
}

/** What the control plane needs to confine a connection on this server. */
function host(deps: ServerDeps) {
  return { env: deps.env, dataDir: deps.dataDir };
}

/**
 * The source URL behind a validated reference, for `projectId`: an upload or connection the
 * project may not use is not found (and the attempt audit-logged); synthetic data is generated
 * on first use.
 */
export async function resolveSource(deps: ServerDeps, actor: Actor, projectId: string, ref: string): Promise<string> {
  if (ref === 'probe') return `csv:${PROBE_SOURCE_DIR}`;
  const synth = SYNTH_REF.exec(ref);
  if (synth) return synthSource(deps.dataDir, Number(synth[1]), Number(synth[2]));
  if (ref.startsWith('upload:')) return uploadSource(deps, actor, projectId, ref.slice('upload:'.length));
  const named = CONNECTION_REF.exec(ref);
  if (!named) throw new FerryError('usage', 'run.bad_source', 'the source reference is not one this server accepts');
  return deps.plane.connectionUrl(actor, { projectId, name: named[1], use: 'source' }, host(deps));
}

/** A tier's target: the name of its connection (what responses show) and its confined URL (what only the engine sees). */
export interface ResolvedTarget {
  name: string;
  url: string;
}

/** The target of `tier` in `projectId`; `missing` words the refusal when the tier has none. */
export async function resolveTarget(deps: ServerDeps, actor: Actor, projectId: string, tier: Tier, missing: { code: string; message: string }): Promise<ResolvedTarget> {
  const config = (await deps.plane.getTierConfigs(actor, projectId)).find((c) => c.tier === tier);
  if (!config?.connection) throw new FerryError('conflict', missing.code, missing.message);
  const url = await deps.plane.connectionUrl(actor, { projectId, name: config.connection, use: 'target', tier }, host(deps));
  return { name: config.connection, url };
}

const CAUSES: Array<{ codes: string[]; code: string; reason: string }> = [
  { codes: ['ECONNREFUSED'], code: 'source.connection_refused', reason: 'connection refused (check that the database is running and the connection points at it)' },
  { codes: ['ENOTFOUND', 'EAI_AGAIN'], code: 'source.host_unknown', reason: 'the host name does not resolve (check the host in the connection)' },
  {
    codes: ['ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH'],
    code: 'source.unreachable',
    reason: 'the server did not answer (check the network path and any firewall between this server and the database)',
  },
  {
    codes: ['28P01', '28000', 'ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR'],
    code: 'source.auth_failed',
    reason: 'the database refused the credentials (check the user and the password the connection supplies)',
  },
  { codes: ['3D000', 'ER_BAD_DB_ERROR'], code: 'source.database_missing', reason: 'the database named in the connection does not exist' },
  { codes: ['ENOENT', 'ENOTDIR', 'EACCES'], code: 'source.files_missing', reason: 'its files are missing or unreadable (check the directory the connection names)' },
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
  return connectionFailure(err, 'source');
}

/**
 * A failure to open or use a source or target as an analyst-readable FerryError naming only
 * the cause (codes `source.*` or `target.*`); a connection refusal (`connection.*`) passes
 * through, since it already names the connection and the rule only.
 */
export function connectionFailure(err: unknown, side: 'source' | 'target'): FerryError {
  if (err instanceof FerryError && err.code.startsWith('connection.')) return err;
  const codes = errorCodes(err);
  const known = CAUSES.find((c) => c.codes.some((x) => codes.includes(x)));
  if (known) {
    const what = known.code === 'source.files_missing' ? `could not read the ${side}` : `could not connect to the ${side}`;
    return new FerryError('connection', known.code.replace(/^source\./, `${side}.`), `${what}: ${known.reason}`);
  }
  const code = err instanceof FerryError ? err.code : `${side}.failed`;
  const setup = SETUP_PROBLEMS[code];
  if (setup) return new FerryError('connection', code, `the ${side} connection is not set up correctly on this server: ${setup}`);
  return new FerryError('connection', `${side}.failed`, `could not open the ${side} (${code}); ask the operator to check the connection`);
}

// Errors whose messages speak only of the request (tables asked for, options, DDL lines):
// anything else came from a connector and may name a host, user or path.
const REQUEST_ERRORS = /^(profile|ddl|suggest|upload|run|http|contract|crosswalk|connection)\./;

/** Runs `work`, turning connector failures into sourceFailure; errors about the request itself pass through. */
export async function withSourceErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof FerryError && REQUEST_ERRORS.test(err.code)) throw err;
    throw sourceFailure(err);
  }
}

// Errors a target lookup may pass through: about the request or the contract, never the connection.
const TARGET_REQUEST_ERRORS = /^(lineage|rollback|http|contract|connection|review|pilot)\./;

/** Runs `work` against a target, turning connector failures into causes only (`target.*`). */
export async function withTargetErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof FerryError && TARGET_REQUEST_ERRORS.test(err.code)) throw err;
    throw connectionFailure(err, 'target');
  }
}
