/**
 * Source keys identify a legacy row in quarantine records and lineage: the primary key
 * values joined with `|`. Keys, never other values, are what Ferry records about a row.
 */
import type { Value } from '../connectors/connector.js';

/**
 * Renders one key part; binary keys are shown as hex so they stay printable. A NUL shows as
 * U+2400 (␀): PostgreSQL text cannot hold U+0000, and a quarantine record keyed by one would
 * fail its whole batch.
 */
function part(v: Value): string {
  if (typeof v === 'string') return v.indexOf('\u0000') < 0 ? v : v.replaceAll('\u0000', '\u2400');
  if (v === null) return '';
  if (Buffer.isBuffer(v)) return v.toString('hex');
  return String(v);
}

/** Builds a function that renders a row's key from the given column positions. */
export function keyRenderer(indexes: number[]): (row: readonly Value[]) => string {
  if (indexes.length === 1) {
    const i = indexes[0];
    return (row) => part(row[i]);
  }
  return (row) => indexes.map((i) => part(row[i])).join('|');
}
