/**
 * NDJSON options from the URL query. NDJSON is UTF-8 by definition, so the only option says
 * what bytes that are not UTF-8 do (`?on_bad_bytes=quarantine|refuse`); unknown options are
 * refused so a typo never passes silently.
 */
import { z } from 'zod';
import { FerryError, issue } from '../../errors.js';
import { BAD_BYTES, type BadBytes } from '../file/decode.js';
import type { ParsedUrl } from '../url.js';

const optionsSchema = z.strictObject({
  on_bad_bytes: z.enum(BAD_BYTES).optional(),
});

export interface NdjsonConfig {
  dir: string;
  onBadBytes?: BadBytes;
}

/** Validates the URL's options; the directory comes from `url.path`. */
export function ndjsonConfig(url: ParsedUrl): NdjsonConfig {
  if (!url.path) throw new FerryError('usage', 'connector.bad_url', `${url.display} names no directory; expected ndjson:DIR`);
  const parsed = optionsSchema.safeParse(Object.fromEntries(url.params));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) =>
      issue('connector.bad_option', `url.${i.path.join('.')}`, i.code === 'unrecognized_keys' ? `unknown option(s) ${i.keys.join(', ')}; ndjson: accepts on_bad_bytes` : i.message),
    );
    throw new FerryError('usage', 'connector.bad_option', `${url.display} has invalid options: ${issues.map((i) => i.message).join('; ')}`, issues);
  }
  return { dir: url.path, ...(parsed.data.on_bad_bytes ? { onBadBytes: parsed.data.on_bad_bytes } : {}) };
}
