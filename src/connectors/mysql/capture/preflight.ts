/**
 * Everything that stops binlog capture of a set of tables, found before anything starts: the
 * server's binlog settings, the account's replication privileges, and each table's existence
 * and primary key. Findings carry stable codes and say what to change; none holds a row value.
 */
import type { CaptureFinding } from '../../capture.js';
import { findTable, introspectDatabase, type RowQuery } from '../introspect.js';

/** Binlogs kept less than this are reported: a snapshot load plus a paused sync can outlast them. */
const MIN_EXPIRY_SECONDS = 24 * 3600;

const VARIABLES_SQL =
  "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin', 'binlog_format', 'binlog_row_image', 'binlog_row_metadata', 'binlog_expire_logs_seconds', 'expire_logs_days', 'version')";

const str = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v ?? ''));

/** True for MariaDB, whose version string says so (MySQL's does not). */
export function isMariadb(version: string): boolean {
  return /mariadb/i.test(version);
}

/** The findings for capturing `tables` of `database` through this connection's account. */
export async function preflightFindings(query: RowQuery, database: string, tables: readonly string[]): Promise<CaptureFinding[]> {
  const vars = new Map((await query(VARIABLES_SQL, [])).map((r) => [str(r[0]).toLowerCase(), str(r[1])]));
  const findings: CaptureFinding[] = [];
  const add = (code: string, message: string, table?: string): void => void findings.push(table ? { code, table, message } : { code, message });
  const version = vars.get('version') ?? '';
  if (!isMariadb(version)) {
    add('sync.server_unsupported', `binlog capture supports MariaDB; this server is MySQL ${version}. Use a watermark sync (sync: change_column) for MySQL sources`);
  }
  if ((vars.get('log_bin') ?? 'OFF').toUpperCase() !== 'ON') {
    add('sync.binlog_off', 'the server writes no binlog (log_bin is OFF); start it with log_bin (e.g. --log-bin=mariadb-bin), binlog_format=ROW and binlog_row_image=FULL');
  } else {
    if ((vars.get('binlog_format') ?? '').toUpperCase() !== 'ROW') {
      add(
        'sync.binlog_format',
        `binlog_format is ${vars.get('binlog_format') ?? 'unknown'}; row changes are only in the binlog with binlog_format=ROW (SET GLOBAL binlog_format=ROW and in the server config)`,
      );
    }
    if ((vars.get('binlog_row_image') ?? 'FULL').toUpperCase() !== 'FULL') {
      add('sync.binlog_row_image', `binlog_row_image is ${vars.get('binlog_row_image')}; updates and deletes must carry whole rows: set binlog_row_image=FULL`);
    }
    // Since MariaDB 10.5 / MySQL 8 the table map can carry column names; with them the stream
    // decodes every event as of when it was written instead of from today's table definition.
    const metadata = vars.get('binlog_row_metadata');
    if (metadata !== undefined && metadata.toUpperCase() !== 'FULL') {
      add('sync.binlog_row_metadata', `binlog_row_metadata is ${metadata}; set binlog_row_metadata=FULL so column names travel with every change`);
    }
    const seconds = Number(vars.get('binlog_expire_logs_seconds') ?? 0) || Number(vars.get('expire_logs_days') ?? 0) * 86400;
    if (seconds > 0 && seconds < MIN_EXPIRY_SECONDS) {
      add(
        'sync.binlog_expiry',
        `binlogs are purged after ${seconds} s; a snapshot load or a paused sync that outlasts that loses its position. Keep them at least a day (binlog_expire_logs_seconds >= 86400)`,
      );
    }
  }
  const grants = (await query('SHOW GRANTS FOR CURRENT_USER()', [])).map((r) => str(r[0]));
  const missing = missingReplicationPrivileges(grants);
  if (missing.length > 0) {
    add('sync.no_replication_privilege', `the account lacks ${missing.join(' and ')} ON *.*, which reading the binlog needs: GRANT ${missing.join(', ')} ON *.* TO the sync's user`);
  }
  const schema = await introspectDatabase(query, database);
  for (const name of tables) {
    const info = findTable(schema, name);
    if (!info) add('sync.table_missing', `table ${name} does not exist in database ${database}; check the table names and the database in the URL`, name);
    else if (info.primaryKey.length === 0) add('sync.no_primary_key', `table ${name} has no primary key, so a change cannot name the row it changed; add one (ALTER TABLE ... ADD PRIMARY KEY)`, name);
  }
  return findings;
}

/** The global privileges among REPLICATION SLAVE and REPLICATION CLIENT / BINLOG MONITOR that the grants lack. */
export function missingReplicationPrivileges(grants: readonly string[]): string[] {
  const global = grants.flatMap((g) => {
    const m = /^GRANT (.+?) ON \*\.\* TO /i.exec(g);
    return m ? m[1].split(',').map((p) => p.trim().toUpperCase()) : [];
  });
  if (global.includes('ALL PRIVILEGES')) return [];
  const missing: string[] = [];
  if (!global.some((p) => p === 'REPLICATION SLAVE' || p === 'REPLICATION REPLICA')) missing.push('REPLICATION SLAVE');
  if (!global.some((p) => p === 'REPLICATION CLIENT' || p === 'BINLOG MONITOR')) missing.push('BINLOG MONITOR (MariaDB; REPLICATION CLIENT on MySQL)');
  return missing;
}
