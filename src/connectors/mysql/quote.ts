/** MySQL identifier quoting: every identifier Ferry sends is quoted, never interpolated raw. */

/** Quotes one identifier with backticks, doubling embedded backticks. */
export function ident(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** Quotes a list of identifiers as a comma-separated list. */
export function identList(names: readonly string[]): string {
  return names.map(ident).join(', ');
}
