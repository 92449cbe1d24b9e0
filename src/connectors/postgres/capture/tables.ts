/** Resolving the tables a sync names to the catalog's tables of the source schema. */
import type { ClientBase } from 'pg';

/** A table of the source schema as the catalog has it. */
export interface CatalogTable {
  /** The name the sync used. */
  requested: string;
  /** The catalog's name (exact case). */
  name: string;
  oid: number;
  /** pg_class.relkind: 'r' table, 'p' partitioned table; anything else cannot be published. */
  kind: string;
  /** pg_class.relreplident: 'd' default (primary key), 'n' nothing, 'f' full, 'i' index. */
  replicaIdentity: string;
  hasPrimaryKey: boolean;
  /** Generated columns: PostgreSQL 15's logical replication does not send them. */
  generated: string[];
}

const TABLES_SQL = `
SELECT c.oid::int8 AS oid, c.relname AS name, c.relkind AS kind, c.relreplident AS replident,
       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS pk,
       array(SELECT a.attname::text FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated <> '' ORDER BY a.attnum) AS generated
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND NOT c.relispartition`;

/**
 * Finds each requested table (exact name, else a unique case-insensitive match, as PgSource
 * does); a missing one is `undefined` in its place.
 */
export async function catalogTables(client: ClientBase, schema: string, tables: readonly string[]): Promise<Array<CatalogTable | undefined>> {
  const res = await client.query<{ oid: string; name: string; kind: string; replident: string; pk: boolean; generated: string[] }>(TABLES_SQL, [schema]);
  return tables.map((requested) => {
    const r = res.rows.find((t) => t.name === requested) ?? uniqueFolded(res.rows, requested);
    return r ? { requested, name: r.name, oid: Number(r.oid), kind: r.kind, replicaIdentity: r.replident, hasPrimaryKey: r.pk, generated: r.generated } : undefined;
  });
}

function uniqueFolded<T extends { name: string }>(rows: T[], name: string): T | undefined {
  const folded = rows.filter((t) => t.name.toLowerCase() === name.toLowerCase());
  return folded.length === 1 ? folded[0] : undefined;
}
