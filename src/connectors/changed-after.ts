/**
 * What the SQL sources share for change-column reads (watermark sync, issue #18): which column
 * types a watermark can order, checking the bounds before any reaches SQL, and the WHERE
 * condition they become. Each source supplies its own quoting and literals, as for key ranges.
 */
import { FerryError } from '../errors.js';
import type { ChangedAfter, ColumnInfo } from './connector.js';
import { isCanonicalInteger } from './key-range.js';

/** How a change column compares: as a number, a point in time, a day, or text in the column's collation. */
export type ChangeKind = 'integer' | 'timestamp' | 'date' | 'text';

// The canonical text of a timestamp or date as the SQL sources yield it (ISO, space or T, optional fraction and zone).
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Refuses a change column of a type a watermark cannot order; names the table, column and type. */
export function changeTypeError(table: string, column: string, nativeType: string): FerryError {
  return new FerryError(
    'usage',
    'source.change_column_type',
    `${table}.${column} is ${nativeType}: a change column must be an integer, timestamp, date or character column; name a last-updated time or row version column in the mapping's sync.change_column`,
  );
}

/** The change kind of a column by its logical type (integer, timestamp, date, text), or change_column_type. */
export function changeKindOf(table: string, col: ColumnInfo): ChangeKind {
  if (col.type === 'integer' || col.type === 'timestamp' || col.type === 'date' || col.type === 'text') return col.type;
  throw changeTypeError(table, col.name, col.nativeType);
}

/** Checks the bounds of a change read for a column of `kind`: text, canonical integers, ISO timestamps or dates. */
export function checkChangedAfter(table: string, changed: ChangedAfter, kind: ChangeKind): void {
  for (const [end, bound] of [
    ['after', changed.after],
    ['through', changed.through],
  ] as const) {
    if (bound === undefined) continue;
    // Bounds are column values: the message names the end, never the value.
    const where = `the ${end} bound of the change read on ${table}.${changed.column}`;
    if (typeof bound !== 'string') throw new FerryError('usage', 'source.bad_changed_after', `${where} must be text`);
    if (kind === 'integer' && !isCanonicalInteger(bound))
      throw new FerryError('usage', 'source.bad_changed_after', `${where} is not a canonical integer (decimal digits, optional minus, no leading zeros)`);
    if (kind === 'timestamp' && !TIMESTAMP.test(bound)) throw new FerryError('usage', 'source.bad_changed_after', `${where} is not an ISO timestamp (YYYY-MM-DD HH:MM:SS[.fff][zone])`);
    if (kind === 'date' && !DATE.test(bound)) throw new FerryError('usage', 'source.bad_changed_after', `${where} is not an ISO date (YYYY-MM-DD)`);
  }
}

/**
 * The WHERE condition of a change read on the quoted column `col` (`IS NOT NULL` when both ends
 * are open). Unlike a key range, NULL change values never match: a row whose change column is NULL
 * has no place in the watermark's order (the snapshot reads it; docs/sync.md).
 */
export function changedAfterCondition(changed: ChangedAfter, col: string, literal: (bound: string) => string): string {
  const parts: string[] = [];
  if (changed.after !== undefined) parts.push(`${col} > ${literal(changed.after)}`);
  if (changed.through !== undefined) parts.push(`${col} <= ${literal(changed.through)}`);
  return parts.length === 0 ? `${col} IS NOT NULL` : parts.join(' AND ');
}

/** ` WHERE a AND b` of the non-empty conditions, each parenthesised; '' when there is none. */
export function whereOf(...conditions: string[]): string {
  const parts = conditions.filter((c) => c !== '');
  return parts.length === 0 ? '' : ` WHERE ${parts.map((c) => `(${c})`).join(' AND ')}`;
}

/**
 * The WHERE condition of a read of the rows whose column `col` holds one of `values` (canonical
 * text, as source keys render them). Values that cannot be of the column's kind (a non-integer
 * for an integer column) are left out: no row could match them. `FALSE` when none is left.
 */
export function valuesInCondition(values: readonly string[], col: string, kind: ChangeKind | 'other', literal: (value: string) => string): string {
  const usable = kind === 'integer' ? values.filter(isCanonicalInteger) : values;
  return usable.length === 0 ? '1 = 0' : `${col} IN (${usable.map(literal).join(', ')})`;
}
