/**
 * Which change capture a sync uses: the source database's own log (PostgreSQL logical
 * replication, MySQL/MariaDB binlog) when it has one, or watermark polling over the change
 * columns the contract names (any SQL source).
 */
import type { ChangeCapture } from '../connectors/capture.js';
import { openCapture } from '../connectors/registry.js';
import { parseConnectorUrl } from '../connectors/url.js';
import type { LoadedContract } from '../contract/model.js';

export const SYNC_METHODS = ['log', 'watermark'] as const;
export type SyncMethod = (typeof SYNC_METHODS)[number];

/** Opens the capture `method` asks for (default: the source's log when it has one, else watermarks). */
export async function openSyncCapture(method: SyncMethod | undefined, sourceUrl: string, loaded: LoadedContract, options: { pollSeconds?: number }): Promise<ChangeCapture> {
  const kind = parseConnectorUrl(sourceUrl).kind;
  const chosen = method ?? (kind === 'postgres' || kind === 'mysql' ? 'log' : 'watermark');
  if (chosen === 'log') return openCapture(sourceUrl);
  void loaded;
  void options;
  throw new Error('watermark capture arrives with its module');
}
