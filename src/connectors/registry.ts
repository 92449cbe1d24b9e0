/**
 * Opens a connector by URL. Each connector folder exposes the same two factories from its
 * `index.ts`, so adding a connector is copying a folder's shape.
 */
import type { Source, Target } from './connector.js';
import { parseConnectorUrl, type ConnectorKind, type ParsedUrl } from './url.js';

interface ConnectorModule {
  openSource(url: ParsedUrl): Promise<Source>;
  openTarget(url: ParsedUrl): Promise<Target>;
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
