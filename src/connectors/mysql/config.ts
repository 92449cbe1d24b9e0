/**
 * MySQL/MariaDB connection options, read once from a parsed `mysql://` URL. The database is
 * the URL path; unknown query options are refused so a typo cannot silently change behaviour.
 */
import type { ConnectionOptions } from 'mysql2';
import { z } from 'zod';
import { FerryError, issue } from '../../errors.js';
import type { ParsedUrl } from '../url.js';

const optionsSchema = z.strictObject({
  ssl: z.enum(['disable', 'require', 'verify-full']).default('disable'),
});

/** Validated MySQL/MariaDB connection settings. */
export interface MysqlConfig {
  connection: ConnectionOptions;
  database: string;
  /** `host:port/database` for messages: never the password. */
  where: string;
  display: string;
}

/** Validates the URL's options and builds the driver configuration. */
export function mysqlConfig(url: ParsedUrl): MysqlConfig {
  if (!url.url) throw new FerryError('usage', 'connector.bad_url', `${url.display} is not a mysql:// URL`);
  const parsed = optionsSchema.safeParse(Object.fromEntries(url.params));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) =>
      issue('connector.bad_option', `url.${i.path.join('.')}`, i.code === 'unrecognized_keys' ? `unknown option(s) ${i.keys.join(', ')}; MySQL URLs accept ssl` : i.message),
    );
    throw new FerryError('usage', 'connector.bad_option', `${url.display} has invalid options: ${issues.map((i) => i.message).join('; ')}`, issues);
  }
  const u = url.url;
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database) {
    throw new FerryError('usage', 'connector.database_missing', `${url.display} names no database; write it as the URL path, e.g. mysql://user@host:3306/legacy_pas`);
  }
  const host = decodeURIComponent(u.hostname) || '127.0.0.1';
  const port = u.port ? Number(u.port) : 3306;
  const ssl = parsed.data.ssl;
  return {
    connection: {
      host,
      port,
      user: decodeURIComponent(u.username) || 'root',
      password: u.password ? decodeURIComponent(u.password) : undefined,
      database,
      ssl: ssl === 'disable' ? undefined : { rejectUnauthorized: ssl === 'verify-full' },
      // Values as text: dates never pass through a JS Date (no time-zone shifts), and big
      // integers and decimals keep every digit.
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
      timezone: 'Z',
      charset: 'UTF8MB4_UNICODE_CI',
      connectTimeout: 15_000,
      multipleStatements: false,
    },
    database,
    where: `${host}:${port}/${database}`,
    display: url.display,
  };
}
