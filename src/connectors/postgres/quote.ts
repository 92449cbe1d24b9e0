/** PostgreSQL identifier quoting: every identifier Ferry sends is quoted, never interpolated raw; literals for where parameters cannot go. */
import { FerryError } from '../../errors.js';
import { isCanonicalInteger } from '../key-range.js';

/** Quotes one identifier, doubling embedded double quotes. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes `schema.table`. */
export function qualified(schema: string, table: string): string {
  return `${ident(schema)}.${ident(table)}`;
}

/** Quotes a list of identifiers as a comma-separated list. */
export function identList(names: readonly string[]): string {
  return names.map(ident).join(', ');
}

/**
 * A string literal for SQL that cannot take bind parameters (`COPY (SELECT ...) TO STDOUT`).
 * An escape string (E'...') with backslashes and quotes doubled means the same whatever
 * standard_conforming_strings is set to; it stays untyped, so it compares as the column's type.
 * NUL cannot be in PostgreSQL text and would cut the statement short on the wire: refused.
 */
export function textLiteral(value: string): string {
  if (value.includes('\u0000')) throw new FerryError('usage', 'source.bad_literal', 'a value for a PostgreSQL statement holds a NUL character, which PostgreSQL text cannot hold');
  return `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** An integer literal from canonical decimal text; anything else is refused, so only digits and a minus reach the SQL. */
export function integerLiteral(value: string): string {
  if (!isCanonicalInteger(value)) throw new FerryError('usage', 'source.bad_literal', 'an integer for a PostgreSQL statement is not in canonical decimal form');
  return value;
}
