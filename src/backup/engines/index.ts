/** The backup engine for a target URL's kind. */
import type { ParsedUrl } from '../../connectors/url.js';
import type { BackupSnapshot, RestoreSession } from './engine.js';

/** Opens a consistent snapshot of the target for a backup. */
export async function openSnapshot(url: ParsedUrl): Promise<BackupSnapshot> {
  switch (url.kind) {
    case 'postgres':
      return (await import('./postgres.js')).pgSnapshot(url);
    case 'mysql':
      return (await import('./mysql.js')).mysqlSnapshot(url);
    case 'sqlite':
      return (await import('./sqlite.js')).sqliteSnapshot(url);
    case 'csv':
    case 'ndjson':
      return (await import('./file.js')).fileSnapshot(url);
  }
}

/** Opens the target for a restore. */
export async function openRestore(url: ParsedUrl): Promise<RestoreSession> {
  switch (url.kind) {
    case 'postgres':
      return (await import('./postgres.js')).pgRestore(url);
    case 'mysql':
      return (await import('./mysql.js')).mysqlRestore(url);
    case 'sqlite':
      return (await import('./sqlite.js')).sqliteRestore(url);
    case 'csv':
    case 'ndjson':
      return (await import('./file.js')).fileRestore(url);
  }
}
