/**
 * Multi-row INSERT statements for MySQL, split so that no statement exceeds the server's
 * max_allowed_packet (a statement over it is refused outright).
 */
import mysql from 'mysql2';
import type { TargetTableDef, Value } from '../connector.js';
import { utcTimestamp } from '../postgres/timestamp.js';
import { ident, identList } from './quote.js';

type Escaper = (v: Value) => string;

const escapeValue: Escaper = (v) => (typeof v === 'bigint' ? v.toString() : mysql.escape(v));
// DATETIME takes no zone, so zoned values are shifted to UTC first.
const escapeTimestamp: Escaper = (v) => (typeof v === 'string' ? mysql.escape(utcTimestamp(v, ' ')) : escapeValue(v));

/** How rows of one table are written: the statement head and tail and per-column escapers. */
export interface InsertShape {
  head: string;
  tail: string;
  escapers: Escaper[];
}

/** Builds the insert shape; upserts update every non-key column from the incoming row, so within a batch the last occurrence of a key wins. */
export function insertShape(t: TargetTableDef, upsert: boolean): InsertShape {
  const keys = new Set(t.primaryKey);
  const updates = t.columns.filter((c) => !keys.has(c.name)).map((c) => `${ident(c.name)} = VALUES(${ident(c.name)})`);
  // A key-only table has nothing to update; re-assigning the first key makes the duplicate a no-op.
  if (upsert && updates.length === 0 && t.primaryKey.length) updates.push(`${ident(t.primaryKey[0])} = ${ident(t.primaryKey[0])}`);
  return {
    head: `INSERT INTO ${ident(t.name)} (${identList(t.columns.map((c) => c.name))}) VALUES `,
    tail: upsert && t.primaryKey.length ? ` ON DUPLICATE KEY UPDATE ${updates.join(', ')}` : '',
    escapers: t.columns.map((c) => (c.type === 'timestamp' ? escapeTimestamp : escapeValue)),
  };
}

/** Splits rows into INSERT statements of at most `maxBytes` each (a single larger row still gets its own statement). */
export function insertStatements(shape: InsertShape, rows: readonly Value[][], maxBytes: number): string[] {
  const out: string[] = [];
  const fixed = Buffer.byteLength(shape.head) + Buffer.byteLength(shape.tail);
  const width = shape.escapers.length;
  let values = '';
  let bytes = fixed;
  for (const row of rows) {
    let tuple = '(' + shape.escapers[0](row[0]);
    for (let i = 1; i < width; i++) tuple += ',' + shape.escapers[i](row[i]);
    tuple += ')';
    const size = Buffer.byteLength(tuple) + 1;
    if (values && bytes + size > maxBytes) {
      out.push(shape.head + values + shape.tail);
      values = '';
      bytes = fixed;
    }
    values += values ? ',' + tuple : tuple;
    bytes += size;
  }
  if (values) out.push(shape.head + values + shape.tail);
  return out;
}
