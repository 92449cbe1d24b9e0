/**
 * The profiled schema in the contract's pinned `source.tables` shape. Typed sources (databases)
 * keep their declared types; file sources carry none, so the pinned type is what the values
 * are as delivered: integers and decimals as numbers, ISO dates as dates, and dates in any
 * other layout as text (a `parse_date` step turns them into dates, with the layout in the
 * column description).
 */
import type { z } from 'zod';
import type { LogicalType } from '../connectors/connector.js';
import type { sourceTableSchema } from '../contract/model.js';
import { ISO_TIMESTAMP } from './patterns.js';
import type { ColumnProfile, SourceProfile, TableProfile } from './types.js';

export type PinnedTable = z.input<typeof sourceTableSchema>;

const UNTYPED_NATIVE = new Set(['csv', 'json']);
const ISO_LAYOUTS = new Set(['yyyy-mm-dd', 'yyyy-mm-dd HH:MI:SS', 'yyyy-mm-dd HH:MI', ISO_TIMESTAMP]);

/** Pinned source tables for every profiled table, keyed by table name. */
export function pinnedSourceTables(profile: SourceProfile): Record<string, PinnedTable> {
  const names = new Set(profile.tables.map((t) => t.name));
  return Object.fromEntries(profile.tables.map((t) => [t.name, pinTable(t, names)]));
}

/** The key a pinned table declares: the source's primary key, else the best candidate key, else the whole row. */
export function pinnedKey(t: TableProfile): { columns: string[]; found: 'declared' | 'candidate' | 'none' } {
  if (t.declared_primary_key.length > 0) return { columns: t.declared_primary_key, found: 'declared' };
  if (t.candidate_keys[0]) return { columns: t.candidate_keys[0].columns, found: 'candidate' };
  return { columns: t.columns.map((c) => c.name), found: 'none' };
}

function pinTable(t: TableProfile, tables: Set<string>): PinnedTable {
  const key = pinnedKey(t);
  const typed = t.columns.some((c) => !UNTYPED_NATIVE.has(c.native_type));
  const description =
    key.found === 'candidate'
      ? `Profiled: ${t.rows} rows; key ${key.columns.join(', ')} found in the data${t.candidate_keys[0].estimated ? ' (estimated)' : ''}, not declared by the source`
      : key.found === 'none'
        ? `Profiled: ${t.rows} rows; no column is unique, so the whole row is the key: review`
        : undefined;
  return {
    ...(description ? { description } : {}),
    primary_key: [...key.columns],
    columns: Object.fromEntries(t.columns.map((c) => [c.name, pinColumn(c, typed, key.columns.includes(c.name))])),
    foreign_keys: t.foreign_keys
      .filter((f) => (f.strength === 'declared' || f.strength === 'strong') && tables.has(f.references.table))
      .map((f) => ({ columns: [...f.columns], references: { table: f.references.table, columns: [...f.references.columns] } })),
  };
}

function pinColumn(c: ColumnProfile, typed: boolean, inKey: boolean): { type: LogicalType; nullable: boolean; description?: string } {
  if (typed) return { type: c.declared_type, nullable: c.declared_nullable };
  const layout = c.date_format?.format;
  let type: LogicalType = 'text';
  if (c.inferred_type === 'integer' || c.inferred_type === 'decimal' || c.inferred_type === 'boolean') type = c.inferred_type;
  else if ((c.inferred_type === 'date' || c.inferred_type === 'timestamp') && layout && ISO_LAYOUTS.has(layout)) type = c.inferred_type;
  const description =
    (c.inferred_type === 'date' || c.inferred_type === 'timestamp') && type === 'text' && layout ? `${c.inferred_type === 'date' ? 'dates' : 'date-times'} as text (${layout})` : undefined;
  return { type, nullable: !inKey, ...(description ? { description } : {}) };
}
