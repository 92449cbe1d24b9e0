/**
 * Where the tables of a file target live: DIR/TABLE.ext, matched case-insensitively on the
 * extension. Shared by the csv and ndjson sources and the file target so all three see the same tables.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { FerryError } from '../../errors.js';
import { isLedgerName } from '../ledger-names.js';

/** Finds the data file of `table`, matching the extension case-insensitively. */
export async function findDataFile(dir: string, table: string, extension: string): Promise<string | undefined> {
  const entries = await fs.readdir(dir).catch(() => [] as string[]);
  return entries.find((e) => e.length === table.length + extension.length && e.startsWith(table) && e.slice(table.length).toLowerCase() === extension);
}

/** Table names of the directory, sorted; Ferry's `_ferry*` files are never listed. */
export async function listTables(dir: string, extension: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch {
    throw new FerryError('connection', 'connector.dir_missing', `directory ${dir} does not exist or cannot be read; check the path in the URL`);
  }
  return entries
    .filter((e) => e.length > extension.length && e.slice(-extension.length).toLowerCase() === extension)
    .map((e) => e.slice(0, -extension.length))
    .filter((t) => !isLedgerName(t))
    .sort();
}

/** The absolute path of a table's file, or a not_found FerryError listing what exists. */
export async function tableFile(dir: string, table: string, extension: string): Promise<string> {
  const found = isLedgerName(table) ? undefined : await findDataFile(dir, table, extension);
  if (!found) {
    const known = await listTables(dir, extension);
    throw new FerryError('not_found', 'connector.table_missing', `no table ${table} (file ${table}${extension}) in ${dir}; tables there: ${known.join(', ') || 'none'}`);
  }
  return path.join(dir, found);
}
