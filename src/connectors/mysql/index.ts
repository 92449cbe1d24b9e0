/** MySQL/MariaDB connector: a read-only consistent-snapshot source, a transactional target and binlog change capture. */
import type { ChangeCapture } from '../capture.js';
import type { Source, Target } from '../connector.js';
import type { ParsedUrl } from '../url.js';
import { MysqlCapture } from './capture/capture.js';
import { mysqlConfig } from './config.js';
import { MysqlSource } from './source.js';
import { MysqlTarget } from './target.js';

/** Opens a read-only MySQL/MariaDB source for a parsed `mysql://` URL. */
export async function openSource(url: ParsedUrl): Promise<Source> {
  return MysqlSource.open(mysqlConfig(url));
}

/** Opens a MySQL/MariaDB target for a parsed `mysql://` URL. */
export async function openTarget(url: ParsedUrl): Promise<Target> {
  return MysqlTarget.open(mysqlConfig(url));
}

/** Opens row-based binlog change capture (MariaDB) for a parsed `mysql://` URL. */
export async function openCapture(url: ParsedUrl): Promise<ChangeCapture> {
  return new MysqlCapture(mysqlConfig(url));
}
