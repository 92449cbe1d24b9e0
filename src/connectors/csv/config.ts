/**
 * CSV options from the URL query, e.g. `csv:./out?encoding=windows-1252&delimiter=;`. Unknown
 * options are refused so a typo such as `?delimeter=;` cannot silently misread a file.
 */
import iconv from 'iconv-lite';
import { z } from 'zod';
import { FerryError, issue } from '../../errors.js';
import { BAD_BYTES } from '../file/decode.js';
import type { ParsedUrl } from '../url.js';

const ENCODINGS: Record<string, string> = {
  utf8: 'utf8',
  'utf-8': 'utf8',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  latin1: 'latin1',
  'iso-8859-1': 'latin1',
};

const oneChar = (what: string) =>
  z
    .string()
    .transform((s) => (s.toLowerCase() === 'tab' ? '\t' : s))
    .refine((s) => s.length === 1 && s !== '\r' && s !== '\n', `${what} must be a single character (or "tab")`);

const optionsSchema = z.strictObject({
  encoding: z
    .string()
    .transform((s) => ENCODINGS[s.toLowerCase()] ?? s)
    .refine((s) => Object.values(ENCODINGS).includes(s) && iconv.encodingExists(s), 'encoding must be utf8, windows-1252 or latin1')
    .default('utf8'),
  delimiter: oneChar('delimiter').default(','),
  quote: oneChar('quote').default('"'),
  /** Bytes the encoding cannot decode: quarantine their rows (the default) or refuse the file before loading. */
  on_bad_bytes: z.enum(BAD_BYTES).optional(),
});

export type CsvConfig = z.infer<typeof optionsSchema>;

/** Validates the URL's options; the directory comes from `url.path`. */
export function csvConfig(url: ParsedUrl): CsvConfig & { dir: string } {
  if (!url.path) throw new FerryError('usage', 'connector.bad_url', `${url.display} names no directory; expected csv:DIR`);
  const parsed = optionsSchema.safeParse(Object.fromEntries(url.params));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) =>
      issue(
        'connector.bad_option',
        `url.${i.path.join('.')}`,
        i.code === 'unrecognized_keys' ? `unknown option(s) ${i.keys.join(', ')}; csv: accepts encoding, delimiter, quote and on_bad_bytes` : i.message,
      ),
    );
    throw new FerryError('usage', 'connector.bad_option', `${url.display} has invalid options: ${issues.map((i) => i.message).join('; ')}`, issues);
  }
  if (parsed.data.delimiter === parsed.data.quote) {
    throw new FerryError('usage', 'connector.bad_option', `${url.display}: delimiter and quote must differ`);
  }
  return { ...parsed.data, dir: url.path };
}
