/**
 * The `csv:DIR` connector: a directory of CSV files, one per table.
 */
import fs from 'node:fs/promises';
import { FerryError } from '../../errors.js';
import type { Source, Target } from '../connector.js';
import type { ParsedUrl } from '../url.js';
import { csvConfig } from './config.js';
import { CsvSource } from './source.js';
import { openCsvTarget } from './target.js';

/** Opens a CSV directory for reading; it must exist. */
export async function openSource(url: ParsedUrl): Promise<Source> {
  const config = csvConfig(url);
  const stat = await fs.stat(config.dir).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new FerryError('connection', 'connector.dir_missing', `${url.display}: ${config.dir} is not a directory; csv: sources name a directory holding TABLE.csv files`);
  }
  return new CsvSource(url.display, config.dir, config);
}

/** Opens (creating if needed) a CSV directory for writing. */
export async function openTarget(url: ParsedUrl): Promise<Target> {
  const config = csvConfig(url);
  return openCsvTarget(config.dir, url.display, config);
}
