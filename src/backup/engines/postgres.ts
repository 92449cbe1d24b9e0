/**
 * PostgreSQL backups: every table dumped with `COPY … TO STDOUT` (text format, the exact form
 * PostgreSQL reads back) inside one REPEATABLE READ READ ONLY transaction, so all tables are
 * of one instant; restored with TRUNCATE and `COPY … FROM STDIN` in one transaction.
 */
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pgConfig, type PgConfig } from '../../connectors/postgres/config.js';
import { copyOut } from '../../connectors/postgres/copy-out.js';
import { ident, identList, qualified } from '../../connectors/postgres/quote.js';
import { connectClient } from '../../connectors/postgres/session.js';
import type { ParsedUrl } from '../../connectors/url.js';
import type { BackupTable } from '../manifest.js';
import { countLines, type BackupSnapshot, type DumpCounter, type RestoreSession, type TableShape } from './engine.js';

const COLUMNS_SQL = `
  SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable
  FROM pg_attribute a
  WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
  ORDER BY a.attnum`;
const KEY_SQL = `
  SELECT a.attname AS name
  FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
  WHERE i.indrelid = $1::regclass AND i.indisprimary
  ORDER BY k.ord`;
const REFERENCES_SQL = `
  SELECT DISTINCT p.relname AS parent
  FROM pg_constraint c JOIN pg_class p ON p.oid = c.confrelid JOIN pg_namespace n ON n.oid = p.relnamespace
  WHERE c.conrelid = $1::regclass AND c.contype = 'f' AND n.nspname = $2`;
const EXISTING_SQL = `
  SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND c.relkind IN ('r', 'p')`;

async function shapeOf(client: pg.ClientBase, cfg: PgConfig, table: string, names: readonly string[]): Promise<TableShape> {
  const rel = qualified(cfg.schema, table);
  const exists = await client.query<{ oid: string | null }>('SELECT to_regclass($1) AS oid', [rel]);
  if (exists.rows[0].oid === null) return { name: table, absent: true, columns: [], primaryKey: [], references: [], create: null };
  const columns = await client.query<{ name: string; type: string; nullable: boolean }>(COLUMNS_SQL, [rel]);
  const key = await client.query<{ name: string }>(KEY_SQL, [rel]);
  const refs = await client.query<{ parent: string }>(REFERENCES_SQL, [rel, cfg.schema]);
  const references = names.filter((n) => n !== table && refs.rows.some((r) => r.parent === n));
  return { name: table, absent: false, columns: columns.rows, primaryKey: key.rows.map((r) => r.name), references, create: null };
}

/** Opens a snapshot of the target database. */
export async function pgSnapshot(url: ParsedUrl): Promise<BackupSnapshot> {
  const cfg = pgConfig(url);
  const client = await connectClient(cfg);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
  return {
    async describe(tables) {
      const out: TableShape[] = [];
      for (const t of tables) out.push(await shapeOf(client, cfg, t, tables));
      return out;
    },
    async *dump(table: TableShape, counter: DumpCounter) {
      if (table.absent) return;
      const stream = client.query(copyOut(`COPY ${qualified(cfg.schema, table.name)} (${identList(table.columns.map((c) => c.name))}) TO STDOUT`));
      for await (const chunk of stream) {
        counter.rows += countLines(chunk as Buffer);
        yield chunk as Buffer;
      }
    },
    async close() {
      try {
        await client.query('COMMIT');
      } finally {
        await client.end();
      }
    },
  };
}

function createSql(cfg: PgConfig, t: BackupTable): string {
  const cols = t.columns.map((c) => `${ident(c.name)} ${c.type}${c.nullable ? '' : ' NOT NULL'}`);
  if (t.primaryKey.length > 0) cols.push(`PRIMARY KEY (${identList(t.primaryKey)})`);
  return `CREATE TABLE ${qualified(cfg.schema, t.name)} (${cols.join(', ')})`;
}

/** Opens a restore session on the target database. */
export async function pgRestore(url: ParsedUrl): Promise<RestoreSession> {
  const cfg = pgConfig(url);
  const client = await connectClient(cfg);
  let open = false;
  return {
    async existing(tables) {
      const r = await client.query<{ name: string }>(EXISTING_SQL, [cfg.schema, tables]);
      return new Set(r.rows.map((row) => row.name));
    },
    async begin(tables, present) {
      await client.query('BEGIN');
      open = true;
      const clear = tables.filter((t) => present.has(t.name) && !t.absent).map((t) => qualified(cfg.schema, t.name));
      // One TRUNCATE for all: foreign keys between them do not stand in its way.
      if (clear.length > 0) await client.query(`TRUNCATE ${clear.join(', ')}`);
    },
    async load(table, present, data) {
      if (!present) await client.query(createSql(cfg, table));
      const copy = client.query(copyFrom(`COPY ${qualified(cfg.schema, table.name)} (${identList(table.columns.map((c) => c.name))}) FROM STDIN`));
      await pipeline(Readable.from(data), copy);
      return copy.rowCount ?? 0;
    },
    async drop(table) {
      await client.query(`DROP TABLE ${qualified(cfg.schema, table)}`);
    },
    async commit() {
      await client.query('COMMIT');
      open = false;
    },
    async abort() {
      if (open) await client.query('ROLLBACK').catch(() => {});
      open = false;
    },
    close: () => client.end(),
  };
}
