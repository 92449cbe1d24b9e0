/**
 * Mapping filters, compiled once into a predicate over the wide source row. Rows a filter
 * rejects are excluded on purpose and counted, so the accounting still balances.
 */
import type { Value } from '../connectors/connector.js';
import type { Filter } from '../contract/model.js';

function text(v: Value | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return v.toString('hex');
  return String(v);
}

/** True when a delete marker's value says the row is deleted: not null, or equal to `deleted` when one is given. */
export function isDeleted(value: Value, deleted: string | number | boolean | undefined): boolean {
  if (value === null) return false;
  if (deleted === undefined) return true;
  // A boolean marker may arrive as 0/1 (MySQL TINYINT(1), SQLite INTEGER).
  if (typeof deleted === 'boolean' && (typeof value === 'number' || typeof value === 'bigint')) return (Number(value) !== 0) === deleted;
  if (typeof value === 'boolean') return String(value) === String(deleted) || String(Number(value)) === String(deleted);
  return String(value) === String(deleted);
}

/**
 * A mapping's delete marker (`sync.delete_marker`) as a predicate over the wide source row: a
 * row marked deleted at the source is excluded from every run, reconciliation and sync alike, so
 * a sync that removes it from the target ends where a fresh run would. Undefined without one.
 */
export function compileDeleteMarker(marker: { column: string; deleted?: string | number | boolean } | undefined, indexOf: (ref: string) => number): ((row: readonly Value[]) => boolean) | undefined {
  if (!marker) return undefined;
  const i = indexOf(marker.column);
  return (row) => isDeleted(row[i] ?? null, marker.deleted);
}

/** Compiles all filters of a mapping into one predicate (all must hold). */
export function compileFilter(filters: Filter[], indexOf: (ref: string) => number): (row: readonly Value[]) => boolean {
  if (filters.length === 0) return () => true;
  const preds = filters.map((f) => {
    const i = indexOf(f.column);
    const values = (Array.isArray(f.value) ? f.value : f.value === undefined ? [] : [f.value]).map((v) => (v === null ? null : String(v)));
    const set = new Set(values);
    switch (f.op) {
      case 'eq':
        return (row: readonly Value[]) => text(row[i]) === values[0];
      case 'ne':
        return (row: readonly Value[]) => text(row[i]) !== values[0];
      case 'in':
        return (row: readonly Value[]) => set.has(text(row[i]));
      case 'not_in':
        return (row: readonly Value[]) => !set.has(text(row[i]));
      case 'is_null':
        return (row: readonly Value[]) => {
          const t = text(row[i]);
          return t === null || t.trim() === '';
        };
      case 'not_null':
        return (row: readonly Value[]) => {
          const t = text(row[i]);
          return t !== null && t.trim() !== '';
        };
    }
  });
  return (row) => {
    for (const p of preds) if (!p(row)) return false;
    return true;
  };
}
