/**
 * PostgreSQL test plumbing: one database per test file, one schema per test, and helpers to
 * open the connector on it and read rows back with dates and timestamps as text.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openSource, openTarget } from '../../../src/connectors/postgres/index.js';
import { parseConnectorUrl } from '../../../src/connectors/url.js';
import type { Source, Target, Value } from '../../../src/connectors/connector.js';
import { createPgDatabase } from '../../helpers/databases.js';

/** The database of one test file. */
export interface PgTestDb {
  url: string;
  admin: pg.Client;
  /** A fresh schema name, not yet created. */
  schemaName(): string;
  target(schema: string): Promise<Target>;
  source(schema: string): Promise<Source>;
  /** Rows of schema.table ordered by `orderBy`, dates and timestamps as text. */
  rows(schema: string, table: string, orderBy: string[]): Promise<Value[][]>;
  drop(): Promise<void>;
}

const asText = (v: string) => v;
const TEXT_TYPES = new Set([1082, 1114, 1184]);

/** Creates the file's database and an admin connection to it. */
export async function pgTestDb(): Promise<PgTestDb> {
  const db = await createPgDatabase();
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  const withSchema = (schema: string) => parseConnectorUrl(`${db.url}?schema=${schema}`, {});
  return {
    url: db.url,
    admin,
    schemaName: () => `s_${randomBytes(4).toString('hex')}`,
    target: (schema) => openTarget(withSchema(schema)),
    source: (schema) => openSource(withSchema(schema)),
    async rows(schema, table, orderBy) {
      const res = await admin.query({
        text: `SELECT * FROM "${schema}"."${table}"${orderBy.length ? ` ORDER BY ${orderBy.map((c) => `"${c}"`).join(', ')}` : ''}`,
        rowMode: 'array',
        types: { getTypeParser: ((oid: number, format?: string) => (TEXT_TYPES.has(oid) ? asText : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser },
      });
      return res.rows as Value[][];
    },
    async drop() {
      await admin.end();
      await db.drop();
    },
  };
}
