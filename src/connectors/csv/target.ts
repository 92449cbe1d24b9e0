/**
 * CSV as a Target: each table is DIR/TABLE.csv with a header row, written in the URL's
 * encoding and dialect (value rules in encode.ts). Runs, checkpoints and quarantine live
 * under DIR/_ferry/ (see ../file/target.ts); `upsert` is refused because a file has no key
 * index to upsert against.
 */
import { FileTarget, type FileFormat } from '../file/target.js';
import type { TargetTableDef, Value } from '../connector.js';
import type { CsvConfig } from './config.js';
import { csvLines, toBytes } from './encode.js';
import { introspectCsv } from './introspect.js';
import { csvHeader, csvRowCount } from './reader.js';

/** The CSV layout of a table, in the configured encoding and dialect. */
export function csvFormat(config: CsvConfig): FileFormat {
  return {
    kind: 'csv',
    extension: '.csv',
    header(def: TargetTableDef) {
      const names = [def.columns.map((c) => c.name)];
      return toBytes(csvLines(names, config), def, names, config);
    },
    encode(def: TargetTableDef, rows: Value[][]) {
      return toBytes(csvLines(rows, config), def, rows, config);
    },
    existingColumns: (file) => csvHeader(file, config),
    countRows: (file) => csvRowCount(file, config),
    introspect: (dir) => introspectCsv(dir, config),
  };
}

/** Opens (creating if needed) a CSV target directory. */
export function openCsvTarget(dir: string, displayUrl: string, config: CsvConfig): Promise<FileTarget> {
  return FileTarget.open(dir, displayUrl, csvFormat(config));
}
