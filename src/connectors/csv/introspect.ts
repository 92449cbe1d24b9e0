/**
 * A CSV directory's schema: one table per `TABLE.csv` (extension in any case), columns from
 * the header. CSV carries no types or keys, so every column is nullable text and keys are
 * empty; the contract's pinned source schema supplies the rest.
 */
import { listTables, tableFile } from '../file/tables.js';
import type { SchemaInfo, TableInfo } from '../connector.js';
import type { CsvConfig } from './config.js';
import { csvHeader } from './reader.js';

const EXT = '.csv';

/** Describes one CSV table from its header. */
export async function csvTableInfo(dir: string, table: string, config: CsvConfig): Promise<TableInfo> {
  const header = await csvHeader(await tableFile(dir, table, EXT), config);
  return {
    name: table,
    columns: header.map((name) => ({ name, type: 'text', nativeType: 'csv', nullable: true })),
    primaryKey: [],
    foreignKeys: [],
  };
}

/** Describes every CSV table of the directory. */
export async function introspectCsv(dir: string, config: CsvConfig): Promise<SchemaInfo> {
  const tables: TableInfo[] = [];
  for (const t of await listTables(dir, EXT)) tables.push(await csvTableInfo(dir, t, config));
  return { tables };
}
