/**
 * The undo log identifies a target row by its primary key written as a JSON array of text
 * parts. Integer parts are normalised ('007' and '7' are one bigint key) so the text a batch
 * records and the text read back from the database for the same row are always equal: the
 * undo log's "first touch wins" de-duplication depends on it.
 */
import type { TargetTableDef, Value } from '../connector.js';
import { FerryError } from '../../errors.js';

/** Text JSON.stringify writes unchanged inside quotes: no quote, backslash, control character or lone surrogate. */
const JSON_PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

function part(v: Value, integer: boolean): string {
  if (v === null || v === undefined) return '';
  if (Buffer.isBuffer(v)) return v.toString('hex');
  if (integer && typeof v === 'string' && (v.charCodeAt(0) === 43 || /^-?0\d/.test(v))) return BigInt(v).toString();
  return String(v);
}

/** Positions of the primary-key columns in `def.columns`; throws when the table has no key. */
export function keyIndexes(def: TargetTableDef): number[] {
  if (def.primaryKey.length === 0) {
    throw new FerryError(
      'contract',
      'rollback.no_primary_key',
      `table ${def.name} has no primary key, so Ferry cannot identify the rows a run wrote to undo them; declare a primary key in the contract's target schema`,
    );
  }
  return def.primaryKey.map((k) => def.columns.findIndex((c) => c.name === k));
}

/** Builds a function rendering a row's undo key (rows aligned with `def.columns`). */
export function undoKeyRenderer(def: TargetTableDef): (row: readonly Value[]) => string {
  const idx = keyIndexes(def);
  const integer = idx.map((i) => def.columns[i].type === 'integer');
  if (idx.length === 1) {
    // One key per loaded row: skip building an array for JSON.stringify when nothing needs escaping.
    const [i] = idx;
    const [int] = integer;
    return (row) => {
      const p = part(row[i], int);
      return JSON_PLAIN.test(p) ? `["${p}"]` : JSON.stringify([p]);
    };
  }
  return (row) => JSON.stringify(idx.map((i, k) => part(row[i], integer[k])));
}

/** The key parts of an undo key, in primary-key order. */
export function parseUndoKey(key: string): string[] {
  return JSON.parse(key) as string[];
}
