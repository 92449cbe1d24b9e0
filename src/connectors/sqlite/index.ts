/**
 * The `sqlite:FILE` connector: a SQLite database file.
 */
import type { Source, Target } from '../connector.js';
import type { ParsedUrl } from '../url.js';
import { sqliteConfig } from './config.js';
import { SqliteSource } from './source.js';
import { SqliteTarget } from './target.js';

/** Opens an existing SQLite file read-only. */
export async function openSource(url: ParsedUrl): Promise<Source> {
  return new SqliteSource(url.display, sqliteConfig(url));
}

/** Opens (creating if needed) a SQLite file for writing. */
export async function openTarget(url: ParsedUrl): Promise<Target> {
  return SqliteTarget.open(url.display, sqliteConfig(url));
}
