/**
 * SQL renderings of the canonical forms (canonical.ts) and hashes (hash.ts) for each database
 * target, so range checksums are computed where the rows are and only keys and hashes cross
 * the wire. Each rendering must produce byte for byte the text canonical.ts produces; the
 * tests check that on every type against real servers.
 *
 * SQLite has neither MD5 nor the formatting functions, but reconciliation runs in-process
 * with it, so its "SQL" calls JavaScript functions registered on the connection (the same
 * canonical.ts code), which makes it exact by construction.
 */
import type { LogicalType } from '../connectors/connector.js';
import { ident as mysqlIdent } from '../connectors/mysql/quote.js';
import { ident as pgIdent } from '../connectors/postgres/quote.js';
import { q as sqliteIdent } from '../connectors/sqlite/sql.js';

export interface SqlDialect {
  readonly name: 'postgres' | 'mysql' | 'sqlite';
  ident(name: string): string;
  placeholder(i: number): string;
  /** Canonical text of a column value; NULL for NULL. */
  canon(type: LogicalType, col: string): string;
  /** 16 hex digits: the first 64 bits of MD5(text). */
  hex16(text: string): string;
  /** Aggregate: the (unreduced) sum of 16-hex-digit hashes, as decimal text. */
  hashSum(hex: string): string;
  /** Integer expression rendered as text. */
  intText(expr: string): string;
  /** Length of a text in UTF-8 bytes. */
  octetLength(expr: string): string;
  concat(parts: string[]): string;
  /** Key value selected for paging, to be passed back as a parameter. */
  rawKey(col: string): string;
  /** A canonical key value as a driver parameter. */
  param(v: bigint | string | null): unknown;
}

export const postgresDialect: SqlDialect = {
  name: 'postgres',
  ident: pgIdent,
  placeholder: (i) => `$${i}`,
  canon(type, c) {
    switch (type) {
      case 'text':
      case 'integer':
        return `${c}::text`;
      case 'decimal':
        return `trim_scale(${c}::numeric)::text`;
      case 'date':
        // YYYY-MM-DD under the DateStyle every Ferry connection sets (connectors/postgres/session.ts); cheaper than to_char.
        return `${c}::text`;
      case 'timestamp':
        return `(to_char(${c}, 'YYYY-MM-DD"T"HH24:MI:SS') || CASE WHEN to_char(${c}, 'US') = '000000' THEN '' ELSE '.' || to_char(${c}, 'US') END)`;
      case 'boolean':
        return `CASE ${c} WHEN true THEN 't' WHEN false THEN 'f' END`;
      case 'binary':
        return `encode(${c}, 'hex')`;
    }
  },
  hex16: (t) => `substr(md5(${t}), 1, 16)`,
  hashSum: (h) => `sum(('x' || ${h})::bit(64)::bigint)::text`,
  intText: (e) => `(${e})::text`,
  octetLength: (e) => `octet_length(${e})`,
  concat: (parts) => `(${parts.join(' || ')})`,
  rawKey: (c) => `${c}::text`,
  param: (v) => (typeof v === 'bigint' ? v.toString() : v),
};

// MariaDB compares strings of different collations only when told which wins; every piece is
// forced to utf8mb4_bin so CONCAT never fails with "illegal mix of collations".
const bin = (e: string): string => `CONVERT(${e} USING utf8mb4) COLLATE utf8mb4_bin`;

export const mysqlDialect: SqlDialect = {
  name: 'mysql',
  ident: mysqlIdent,
  placeholder: () => '?',
  canon(type, c) {
    switch (type) {
      case 'text':
        return bin(c);
      case 'integer':
        return bin(`CAST(${c} AS CHAR)`);
      case 'decimal': {
        const t = `CAST(${c} AS CHAR)`;
        return bin(`CASE WHEN ${c} = 0 THEN '0' WHEN LOCATE('.', ${t}) > 0 THEN TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM ${t})) ELSE ${t} END`);
      }
      case 'date':
        return bin(`DATE_FORMAT(${c}, '%Y-%m-%d')`);
      case 'timestamp':
        return bin(`CONCAT(DATE_FORMAT(${c}, '%Y-%m-%dT%H:%i:%s'), IF(MICROSECOND(${c}) = 0, '', CONCAT('.', LPAD(MICROSECOND(${c}), 6, '0'))))`);
      case 'boolean':
        return bin(`CASE WHEN ${c} IS NULL THEN NULL WHEN ${c} <> 0 THEN 't' ELSE 'f' END`);
      case 'binary':
        return bin(`LOWER(HEX(${c}))`);
    }
  },
  hex16: (t) => bin(`LEFT(MD5(${t}), 16)`),
  hashSum: (h) => `CAST(SUM(CAST(CONV(${h}, 16, 10) AS UNSIGNED)) AS CHAR)`,
  intText: (e) => bin(`CAST(${e} AS CHAR)`),
  // LENGTH counts bytes, and every piece is utf8mb4.
  octetLength: (e) => `LENGTH(${e})`,
  concat: (parts) => `CONCAT(${parts.join(', ')})`,
  rawKey: (c) => c,
  param: (v) => (typeof v === 'bigint' ? (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v),
};

/** Names of the JavaScript functions registered on a SQLite target connection (see sqlite-side.ts). */
export const SQLITE_FN = { canon: 'ferry_canon', hex16: 'ferry_hex16', hashSum: 'ferry_hsum' } as const;

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  ident: sqliteIdent,
  placeholder: () => '?',
  canon: (type, c) => `${SQLITE_FN.canon}('${type}', ${c})`,
  hex16: (t) => `${SQLITE_FN.hex16}(${t})`,
  hashSum: (h) => `${SQLITE_FN.hashSum}(${h})`,
  intText: (e) => `CAST(${e} AS TEXT)`,
  // The database is UTF-8, so a text cast to a BLOB is its UTF-8 bytes.
  octetLength: (e) => `length(CAST(${e} AS BLOB))`,
  concat: (parts) => `(${parts.join(' || ')})`,
  rawKey: (c) => c,
  param: (v) => v,
};

/**
 * SQL for the row text of hash.ts `rowText`: per column `N` or `<byte length>:<canonical>`.
 * The canonical forms are NULL for NULL, so the concatenation is NULL exactly when the value
 * is and COALESCE turns it into `N` (measured cheaper than a CASE in PostgreSQL).
 */
export function rowTextSql(d: SqlDialect, columns: ReadonlyArray<{ name: string; type: LogicalType }>): string {
  const parts = columns.map((c) => {
    const e = d.canon(c.type, d.ident(c.name));
    return `COALESCE(${d.concat([d.intText(d.octetLength(e)), "':'", e])}, 'N')`;
  });
  return d.concat(parts);
}

/** SQL for one column's value hash (NULL for NULL). */
export function valueHashSql(d: SqlDialect, column: { name: string; type: LogicalType }): string {
  return d.hex16(d.canon(column.type, d.ident(column.name)));
}
