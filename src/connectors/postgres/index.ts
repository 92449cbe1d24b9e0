/** PostgreSQL connector: a read-only snapshot source and a COPY-based target. */
import type { Source, Target } from '../connector.js';
import type { ParsedUrl } from '../url.js';
import { pgConfig } from './config.js';
import { PgSource } from './source.js';
import { PgTarget } from './target.js';

/** Opens a read-only PostgreSQL source for a parsed `postgres://` URL. */
export async function openSource(url: ParsedUrl): Promise<Source> {
  return PgSource.open(pgConfig(url));
}

/** Opens a PostgreSQL target for a parsed `postgres://` URL. */
export async function openTarget(url: ParsedUrl): Promise<Target> {
  return PgTarget.open(pgConfig(url));
}
