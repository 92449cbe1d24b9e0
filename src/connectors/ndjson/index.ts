/**
 * The `ndjson:DIR` connector: a directory of newline-delimited JSON files, one per table.
 */
import fs from 'node:fs/promises';
import { FerryError } from '../../errors.js';
import type { Source, Target } from '../connector.js';
import type { ParsedUrl } from '../url.js';
import { ndjsonConfig } from './config.js';
import { NdjsonSource } from './source.js';
import { openNdjsonTarget } from './target.js';

/** Opens an NDJSON directory for reading; it must exist. */
export async function openSource(url: ParsedUrl): Promise<Source> {
  const { dir, onBadBytes } = ndjsonConfig(url);
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new FerryError('connection', 'connector.dir_missing', `${url.display}: ${dir} is not a directory; ndjson: sources name a directory holding TABLE.ndjson files`);
  }
  return new NdjsonSource(url.display, dir, onBadBytes);
}

/** Opens (creating if needed) an NDJSON directory for writing. */
export async function openTarget(url: ParsedUrl): Promise<Target> {
  const { dir } = ndjsonConfig(url);
  return openNdjsonTarget(dir, url.display);
}
