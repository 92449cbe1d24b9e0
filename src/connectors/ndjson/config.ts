/**
 * NDJSON options from the URL query. NDJSON is UTF-8 by definition, so there are none today;
 * unknown options are still refused so a typo never passes silently.
 */
import { z } from 'zod';
import { FerryError, issue } from '../../errors.js';
import type { ParsedUrl } from '../url.js';

const optionsSchema = z.strictObject({});

export interface NdjsonConfig {
  dir: string;
}

/** Validates the URL's options; the directory comes from `url.path`. */
export function ndjsonConfig(url: ParsedUrl): NdjsonConfig {
  if (!url.path) throw new FerryError('usage', 'connector.bad_url', `${url.display} names no directory; expected ndjson:DIR`);
  const parsed = optionsSchema.safeParse(Object.fromEntries(url.params));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) =>
      issue('connector.bad_option', `url.${i.path.join('.')}`, i.code === 'unrecognized_keys' ? `unknown option(s) ${i.keys.join(', ')}; ndjson: takes no options` : i.message),
    );
    throw new FerryError('usage', 'connector.bad_option', `${url.display} has invalid options: ${issues.map((i) => i.message).join('; ')}`, issues);
  }
  return { dir: url.path };
}
