/**
 * SQLite options from the URL query, e.g. `sqlite:./legacy.db?busy_timeout=10000`. Unknown
 * options are refused so a typo never passes silently.
 */
import { z } from 'zod';
import { FerryError, issue } from '../../errors.js';
import type { ParsedUrl } from '../url.js';

const optionsSchema = z.strictObject({
  /** Milliseconds to wait for another process's lock before failing. */
  busy_timeout: z.coerce.number().int().min(0).max(600_000).default(5_000),
});

export interface SqliteConfig {
  file: string;
  busyTimeout: number;
}

/** Validates the URL's options; the database file comes from `url.path`. */
export function sqliteConfig(url: ParsedUrl): SqliteConfig {
  if (!url.path) throw new FerryError('usage', 'connector.bad_url', `${url.display} names no file; expected sqlite:FILE`);
  const parsed = optionsSchema.safeParse(Object.fromEntries(url.params));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) =>
      issue('connector.bad_option', `url.${i.path.join('.')}`, i.code === 'unrecognized_keys' ? `unknown option(s) ${i.keys.join(', ')}; sqlite: accepts busy_timeout` : i.message),
    );
    throw new FerryError('usage', 'connector.bad_option', `${url.display} has invalid options: ${issues.map((i) => i.message).join('; ')}`, issues);
  }
  return { file: url.path, busyTimeout: parsed.data.busy_timeout };
}
