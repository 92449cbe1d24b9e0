/**
 * Turning zongji's decoded binlog rows into Ferry values exactly as MysqlSource.read yields the
 * same column: the stream and the snapshot must agree value for value, or a sync would rewrite
 * every row it touches. zongji is given the source's driver options (dates as text, big
 * integers and decimals as exact strings, UTC), so most values already match; what differs is
 * fixed here.
 */
import type { ColumnInfo, LogicalType, TableInfo, Value } from '../../connector.js';
import { logicalType } from '../introspect.js';
import { valueReader, type ValueReader } from '../values.js';

/** Binlog type code of FLOAT (zongji's MysqlTypes.FLOAT). */
const FLOAT = 4;

/** A table map's column as zongji describes it (after updateColumnInfo). */
export interface MapColumn {
  name: string;
  type: number;
}

/** A table map's column schema: INFORMATION_SCHEMA-shaped, from the event's own metadata or fetched. */
export interface MapColumnSchema {
  COLUMN_TYPE: string;
}

/** One column of a change: its name, logical type and how to read zongji's value of it. */
export interface BinlogColumn {
  name: string;
  type: LogicalType;
  read: ValueReader;
}

/**
 * A FLOAT arrives as the float32 widened to a double (3.1415927410125732); the server prints
 * it with six significant digits (3.14159), which is what a query returns.
 */
const asFloat: ValueReader = (v) => (typeof v === 'number' ? String(parseFloat(Math.fround(v).toPrecision(6))) : v == null ? null : String(v));

/** Whether this Node's JSON.parse gives revivers the source text (Node 22+), as mysql2 checks. */
const reviverSeesSource = ((): boolean => {
  let seen = false;
  JSON.parse('0', (_key, value, context?: { source?: unknown }) => ((seen = typeof context?.source === 'string'), value));
  return seen;
})();

/**
 * MariaDB's JSON columns reach MysqlSource.read parsed by mysql2 (its extended metadata says
 * json) and re-serialised by values.ts, while the binlog carries the stored text: this does
 * what the driver and values.ts do, including the driver's big-integer reviver, so both paths
 * yield the same text. (That round trip reformats the text and, on Node 20, rounds integers
 * beyond 2^53: see the report; jsonStrings on the connection would keep the text exact.)
 */
const asDriverJson: ValueReader = (v) => {
  if (v === null || v === undefined) return null;
  const text = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  const parsed: unknown =
    reviverSeesSource && /\d{16}/.test(text)
      ? JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
          typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined && /^-?\d+$/.test(context.source) ? context.source : value,
        )
      : JSON.parse(text);
  return JSON.stringify(parsed);
};

/**
 * The columns of a table map. The binlog's own metadata says every type but TINYINT(1)'s
 * display width (MySQL's boolean); that comes from the table as introspected (`known`) when
 * its column of the same name is still a TINYINT. `json` names the columns MariaDB declares
 * JSON (a LONGTEXT in the binlog and in information_schema alike).
 */
export function binlogColumns(columns: readonly MapColumn[], schemas: readonly MapColumnSchema[], known?: TableInfo, json: ReadonlySet<string> = new Set()): BinlogColumn[] {
  return columns.map((col, i) => {
    let nativeType = schemas[i]?.COLUMN_TYPE ?? '';
    const base = baseType(nativeType);
    const same = known?.columns.find((c) => c.name === col.name) ?? known?.columns.find((c) => c.name.toLowerCase() === col.name.toLowerCase());
    if (same && baseType(same.nativeType) === base) nativeType = same.nativeType;
    const info: ColumnInfo = { name: col.name, type: logicalType(base, nativeType), nativeType, nullable: true };
    const read = col.type === FLOAT ? asFloat : info.type === 'text' && json.has(col.name) ? asDriverJson : valueReader(info);
    return { name: col.name, type: info.type, read };
  });
}

/** The type name without width, sign or options (`bigint(20) unsigned` → `bigint`). */
function baseType(columnType: string): string {
  return (/^[a-z]+/i.exec(columnType.trim())?.[0] ?? '').toLowerCase();
}

/** A zongji row object as Ferry values in column order. */
export function rowValues(columns: readonly BinlogColumn[], row: Record<string, unknown>): Value[] {
  const out: Value[] = new Array(columns.length);
  for (let i = 0; i < columns.length; i++) out[i] = columns[i].read(row[columns[i].name]);
  return out;
}

/** True when two column lists name the same columns with the same logical types in the same order. */
export function sameShape(a: ReadonlyArray<{ name: string; type: LogicalType }>, b: ReadonlyArray<{ name: string; type: LogicalType }>): boolean {
  return a.length === b.length && a.every((c, i) => c.name === b[i].name && c.type === b[i].type);
}
