/**
 * Where a run's source and target URLs come from. HTTP clients never send a connection URL,
 * a password or a file path: a run names a source reference the operator configured as an
 * environment variable (`env:FERRY_SOURCE_…`), or `probe` for the bundled probe data; a tier's
 * target is the secret reference stored in its release configuration (`env:NAME` or
 * `file:PATH`). Resolved values are never echoed in errors or logs.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { FerryError } from '../errors.js';
import { PROBE_SOURCE_DIR } from './probe/probe.js';

/** The environment-variable prefix a source must use to be runnable over HTTP. */
export const SOURCE_ENV_PREFIX = 'FERRY_SOURCE_';

export const sourceRefSchema = z
  .string()
  .regex(new RegExp(`^(probe|env:${SOURCE_ENV_PREFIX}[A-Z0-9_]+)$`), `must be "probe" or env:${SOURCE_ENV_PREFIX}NAME (an environment variable set on the server holding the source URL)`)
  .describe(`"probe" (the bundled probe data) or env:${SOURCE_ENV_PREFIX}NAME`);

/** The source URL behind a validated source reference. */
export function resolveSource(ref: string, env: NodeJS.ProcessEnv): string {
  if (ref === 'probe') return `csv:${PROBE_SOURCE_DIR}`;
  const name = ref.slice('env:'.length);
  const url = env[name];
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
