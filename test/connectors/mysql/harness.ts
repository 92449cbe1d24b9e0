/**
 * MySQL/MariaDB test plumbing: a fresh database per test (the database is MySQL's schema),
 * helpers to open the connector on it and to read rows back.
 */
import mysql from 'mysql2/promise';
import { openSource, openTarget } from '../../../src/connectors/mysql/index.js';
import { parseConnectorUrl } from '../../../src/connectors/url.js';
import type { Source, Target, Value } from '../../../src/connectors/connector.js';
import { createMysqlDatabase } from '../../helpers/databases.js';

/** One test database with an admin connection to it. */
export interface MysqlTestDb {
  url: string;
  admin: mysql.Connection;
  target(): Promise<Target>;
  source(): Promise<Source>;
  /** Rows of a table ordered by `orderBy`, dates and decimals as text. */
  rows(table: string, orderBy: string[]): Promise<Value[][]>;
  drop(): Promise<void>;
}

/** Creates a database and connects to it. */
export async function mysqlTestDb(): Promise<MysqlTestDb> {
  const db = await createMysqlDatabase();
  const admin = await mysql.createConnection({ uri: db.url, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
  return {
    url: db.url,
    admin,
    target: () => openTarget(parseConnectorUrl(db.url, {})),
    source: () => openSource(parseConnectorUrl(db.url, {})),
    async rows(table, orderBy) {
      const order = orderBy.length ? ` ORDER BY ${orderBy.map((c) => `\`${c}\``).join(', ')}` : '';
      const [rows] = await admin.query({ sql: `SELECT * FROM \`${table}\`${order}`, rowsAsArray: true });
      return rows as Value[][];
    },
    async drop() {
      await admin.end();
      await db.drop();
    },
  };
}
