/**
 * Opens a connector by URL. Each connector folder exposes the same two factories from its
 * `index.ts`, so adding a connector is copying a folder's shape.
 */
import type { ChangeCapture } from './capture.js';
import type { Source, Target } from './connector.js';
import { FerryError } from '../errors.js';
import { parseConnectorUrl, type ConnectorKind, type ParsedUrl } from './url.js';

interface ConnectorModule {
  openSource(url: ParsedUrl): Promise<Source>;
  openTarget(url: ParsedUrl): Promise<Target>;
  /** Log-based change capture (capture.ts), on the connectors whose database has one. */
  openCapture?(url: ParsedUrl): Promise<ChangeCapture>;
}

const loaders: Record<ConnectorKind, () => Promise<ConnectorModule>> = {
  csv: () => import('./csv/index.js'),
  ndjson: () => import('./ndjson/index.js'),
  sqlite: () => import('./sqlite/index.js'),
  postgres: () => import('./postgres/index.js'),
  mysql: () => import('./mysql/index.js'),
};

/** Opens a read-only source for `csv:DIR`, `ndjson:DIR`, `sqlite:FILE`, `postgres://…`, `mysql://…`. */
export async function openSource(spec: string): Promise<Source> {
  const url = parseConnectorUrl(spec);
  return (await loaders[url.kind]()).openSource(url);
}

/** Opens a target for the same URL forms. */
export async function openTarget(spec: string): Promise<Target> {
  const url = parseConnectorUrl(spec);
  return (await loaders[url.kind]()).openTarget(url);
}

/** Opens log-based change capture for `postgres://…` (logical replication) or `mysql://…` (row-based binlog). */
export async function openCapture(spec: string): Promise<ChangeCapture> {
  const url = parseConnectorUrl(spec);
  const module = await loaders[url.kind]();
  if (!module.openCapture) {
    throw new FerryError(
      'usage',
      'sync.capture_unsupported',
      `${url.kind} sources have no change log Ferry can stream; name a change column per mapping (sync: change_column) for a watermark sync instead (docs/sync.md)`,
    );
  }
  return module.openCapture(url);
}
