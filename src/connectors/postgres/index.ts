/** PostgreSQL connector: a read-only snapshot source, a COPY-based target and logical-replication change capture. */
import type { ChangeCapture } from '../capture.js';
import type { Source, Target } from '../connector.js';
import type { ParsedUrl } from '../url.js';
import { PgCapture } from './capture/capture.js';
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

/** Opens change capture (logical replication) for a parsed `postgres://` URL. */
export async function openCapture(url: ParsedUrl): Promise<ChangeCapture> {
  return PgCapture.open(pgConfig(url));
}
