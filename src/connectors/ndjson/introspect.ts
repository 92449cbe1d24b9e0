/**
 * An NDJSON directory's schema: one table per `TABLE.ndjson`. Lines need not share keys (FHIR
 * resources leave optional elements out), so a table's columns are every key seen in any line,
 * in order of first appearance; that takes a full pass over the file, which is the price of
 * never dropping a rare column. Columns are nullable text with no keys.
 */
import { listTables, tableFile } from '../file/tables.js';
import type { SchemaInfo, TableInfo } from '../connector.js';
import { ndjsonObjects } from './reader.js';

/** Extension of NDJSON table files (matched case-insensitively). */
export const EXT = '.ndjson';

/** Every key of every object in the file, in order of first appearance. */
export async function ndjsonKeys(file: string): Promise<string[]> {
  const keys = new Set<string>();
  for await (const obj of ndjsonObjects(file)) for (const k of Object.keys(obj)) keys.add(k);
  return [...keys];
}

/** Describes one NDJSON table. */
export async function ndjsonTableInfo(dir: string, table: string): Promise<TableInfo> {
  const keys = await ndjsonKeys(await tableFile(dir, table, EXT));
  return { name: table, columns: keys.map((name) => ({ name, type: 'text', nativeType: 'json', nullable: true })), primaryKey: [], foreignKeys: [] };
}

/** Describes every NDJSON table of the directory. */
export async function introspectNdjson(dir: string): Promise<SchemaInfo> {
  const tables: TableInfo[] = [];
  for (const t of await listTables(dir, EXT)) tables.push(await ndjsonTableInfo(dir, t));
  return { tables };
}
