/** PostgreSQL identifier quoting: every identifier Ferry sends is quoted, never interpolated raw. */

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
