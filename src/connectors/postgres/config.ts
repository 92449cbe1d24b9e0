/**
 * PostgreSQL connection options, read once from a parsed `postgres://` URL. Unknown query
 * options are refused so a typo such as `?shema=` cannot silently read the wrong schema.
 */
import type { ClientConfig } from 'pg';
import { z } from 'zod';
import { FerryError, issue } from '../../errors.js';
import type { ParsedUrl } from '../url.js';

const optionsSchema = z.strictObject({
  schema: z.string().min(1).max(63).default('public'),
  sslmode: z.enum(['disable', 'require', 'verify-full']).default('disable'),
  application_name: z.string().max(63).default('ferry'),
});

/** Validated PostgreSQL connection settings. */
export interface PgConfig {
  client: ClientConfig;
  schema: string;
  /** `host:port/database` for messages: never the password. */
  where: string;
  display: string;
}

/** Validates the URL's options and builds the driver configuration. */
export function pgConfig(url: ParsedUrl): PgConfig {
  if (!url.url) throw new FerryError('usage', 'connector.bad_url', `${url.display} is not a postgres:// URL`);
  const parsed = optionsSchema.safeParse(Object.fromEntries(url.params));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) =>
      issue(
        'connector.bad_option',
        `url.${i.path.join('.')}`,
        i.code === 'unrecognized_keys' ? `unknown option(s) ${i.keys.join(', ')}; PostgreSQL URLs accept schema, sslmode and application_name` : i.message,
      ),
    );
    throw new FerryError('usage', 'connector.bad_option', `${url.display} has invalid options: ${issues.map((i) => i.message).join('; ')}`, issues);
  }
  const u = url.url;
  const host = decodeURIComponent(u.hostname) || '127.0.0.1';
  const port = u.port ? Number(u.port) : 5432;
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres';
  const user = decodeURIComponent(u.username) || process.env.PGUSER || 'postgres';
  const o = parsed.data;
  return {
    client: {
      host,
      port,
      database,
      user,
      password: u.password ? decodeURIComponent(u.password) : undefined,
      application_name: o.application_name,
      ssl: o.sslmode === 'disable' ? false : { rejectUnauthorized: o.sslmode === 'verify-full' },
      connectionTimeoutMillis: 15_000,
    },
    schema: o.schema,
    where: `${host}:${port}/${database}`,
    display: url.display,
  };
}
