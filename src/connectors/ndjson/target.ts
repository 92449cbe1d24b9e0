/**
 * NDJSON as a Target: each table is DIR/TABLE.ndjson, one JSON object per row with every
 * column present (null included), so the file's keys always describe the table. Values:
 * integers as JSON numbers when they are safe integers, otherwise as strings (no precision is
 * lost); decimals, dates and timestamps as strings; booleans as booleans; binary as base64.
 * Bookkeeping and crash safety are shared with CSV (../file/target.ts); `upsert` is refused.
 */
import { FileTarget, type FileFormat } from '../file/target.js';
import type { TargetTableDef, Value } from '../connector.js';
import { EXT, introspectNdjson } from './introspect.js';
import { ndjsonObjects } from './reader.js';

function jsonValue(v: Value, integer: boolean): unknown {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return v.toString('base64');
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (integer && typeof v === 'string' && /^-?\d+$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  return v;
}

/** The NDJSON layout of a table. */
export const ndjsonFormat: FileFormat = {
  kind: 'ndjson',
  extension: EXT,
  header: () => Buffer.alloc(0),
  encode(def: TargetTableDef, rows: Value[][]) {
    const names = def.columns.map((c) => c.name);
    const integer = def.columns.map((c) => c.type === 'integer');
    let out = '';
    for (const row of rows) {
      const obj: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) obj[names[i]] = jsonValue(row[i], integer[i]);
      out += `${JSON.stringify(obj)}\n`;
    }
    return Buffer.from(out, 'utf8');
  },
  async existingColumns(file: string) {
    for await (const obj of ndjsonObjects(file)) return Object.keys(obj);
    return [];
  },
  async countRows(file: string) {
    let n = 0;
    for await (const _ of ndjsonObjects(file)) n++;
    return n;
  },
  introspect: (dir) => introspectNdjson(dir),
};

/** Opens (creating if needed) an NDJSON target directory. */
export function openNdjsonTarget(dir: string, displayUrl: string): Promise<FileTarget> {
  return FileTarget.open(dir, displayUrl, ndjsonFormat);
}
