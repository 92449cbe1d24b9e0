/**
 * Which change capture a sync uses: the source database's own log (PostgreSQL logical
 * replication, MySQL/MariaDB binlog) when it has one, or watermark polling over the change
 * columns the contract names (any SQL source).
 */
import type { ChangeCapture } from '../connectors/capture.js';
import { openCapture, openSource } from '../connectors/registry.js';
import { parseConnectorUrl } from '../connectors/url.js';
import type { Contract, LoadedContract } from '../contract/model.js';
import { sourceTablesUsed } from '../engine/drift.js';
import { watermarkCapture } from './watermark-capture.js';

export const SYNC_METHODS = ['log', 'watermark'] as const;
export type SyncMethod = (typeof SYNC_METHODS)[number];

/** Opens the capture `method` asks for (default: the source's log when it has one, else watermarks). */
export async function openSyncCapture(method: SyncMethod | undefined, sourceUrl: string, loaded: LoadedContract, options: { pollSeconds?: number }): Promise<ChangeCapture> {
  const kind = parseConnectorUrl(sourceUrl).kind;
  const chosen = method ?? (kind === 'postgres' || kind === 'mysql' ? 'log' : 'watermark');
  if (chosen === 'log') return openCapture(sourceUrl);
  const source = await openSource(sourceUrl);
  // Database sources read one snapshot for their lifetime, so every poll opens its own.
  const capture = watermarkCapture(source, loaded.contract, { pollSeconds: options.pollSeconds, open: kind === 'sqlite' ? undefined : () => openSource(sourceUrl) });
  const close = capture.close.bind(capture);
  capture.close = async () => {
    try {
      await close();
    } finally {
      await source.close();
    }
  };
  return capture;
}

/**
 * The source tables a sync captures: every table the contract reads (mapping sources, joined
 * and lookup tables, so lookups follow the stream) from a log; the mappings' own source tables
 * (each names its change column) from watermarks.
 */
export function capturedTables(capture: ChangeCapture, contract: Contract): string[] {
  const tables = capture.kind === 'watermark' ? new Set(Object.values(contract.mappings).map((m) => m.source)) : sourceTablesUsed(contract);
  return [...tables].sort();
}
