/**
 * What a watermark sync needs to know about each captured table: its change column and delete
 * marker from the contract's `sync:` blocks, and its columns and primary key from the live
 * source. Everything that stops a table from being polled is a finding, collected before
 * anything is read.
 */
import type { CaptureFinding } from '../connectors/capture.js';
import type { ChangeKind } from '../connectors/changed-after.js';
import type { SchemaInfo, Source, TableInfo } from '../connectors/connector.js';
import type { Contract, MappingSync } from '../contract/model.js';
import { FerryError } from '../errors.js';

/** How one table is polled. */
export interface TablePlan {
  /** The table as the contract's source schema names it (and as RowChange.table carries it). */
  table: string;
  /** Every column of the live table, in table order. */
  columns: string[];
  key: string[];
  /** Indices of the key columns in `columns`. */
  keyAt: number[];
  change: string;
  changeAt: number;
  kind: ChangeKind;
  marker?: { at: number; deleted?: string | number | boolean };
}

const CHANGE_KINDS: readonly string[] = ['integer', 'timestamp', 'date', 'text'];

// Sources whose reads are pinned to the snapshot they opened with: polling one would never see a change.
const PINNED = new Set(['postgres', 'mysql']);

/** The mapping's sync block for a source table, or a finding when none or two disagreeing ones exist. */
function syncOf(contract: Contract, table: string): MappingSync | CaptureFinding {
  const blocks = Object.entries(contract.mappings).filter(([, m]) => m.source === table && m.sync !== undefined);
  if (blocks.length === 0) {
    return {
      code: 'sync.no_change_column',
      table,
      message: `no mapping of source table ${table} names a change column; add sync: { change_column: COL } to its mapping for a watermark sync (docs/sync.md)`,
    };
  }
  const first = JSON.stringify(blocks[0][1].sync);
  const other = blocks.find(([, m]) => JSON.stringify(m.sync) !== first);
  if (other) {
    return {
      code: 'sync.change_column_conflict',
      table,
      message: `mappings ${blocks[0][0]} and ${other[0]} both read source table ${table} but declare different sync blocks; one table is polled one way, so give them the same sync block`,
    };
  }
  return blocks[0][1].sync!;
}

function liveTable(schema: SchemaInfo, name: string): TableInfo | undefined {
  return schema.tables.find((t) => t.name === name) ?? schema.tables.find((t) => t.name.toLowerCase() === name.toLowerCase());
}

function columnAt(info: TableInfo, name: string): number {
  const exact = info.columns.findIndex((c) => c.name === name);
  return exact >= 0 ? exact : info.columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase());
}

/** Plans every table, or the findings that stop it; `reopens` says whether each poll gets a fresh source (see watermarkCapture). */
export async function planTables(source: Source, contract: Contract, tables: string[], reopens: boolean): Promise<{ plans: TablePlan[]; findings: CaptureFinding[] }> {
  const findings: CaptureFinding[] = [];
  if (!source.maxOf) {
    findings.push({
      code: 'sync.capture_unsupported',
      message: `${source.kind} sources cannot be polled for changes (no change-column reads); a watermark sync needs a SQL source (SQLite, PostgreSQL, MySQL)`,
    });
  } else if (PINNED.has(source.kind) && !reopens) {
    findings.push({
      code: 'sync.capture_unsupported',
      message: `a ${source.kind} source reads one snapshot for its lifetime, so a watermark sync must open a fresh source for every poll (internal: pass options.open)`,
    });
  }
  const schema = await source.introspect();
  const plans: TablePlan[] = [];
  for (const table of tables) {
    const sync = syncOf(contract, table);
    if ('code' in sync) {
      findings.push(sync);
      continue;
    }
    const info = liveTable(schema, table);
    if (!info) {
      findings.push({ code: 'sync.table_missing', table, message: `source table ${table} does not exist in ${source.displayUrl}; check the contract's source schema against the live source` });
      continue;
    }
    if (info.primaryKey.length === 0) {
      findings.push({ code: 'sync.no_primary_key', table, message: `source table ${table} has no primary key, so a changed row cannot be matched to its target row; add a primary key at the source` });
      continue;
    }
    const changeAt = columnAt(info, sync.change_column);
    const markerAt = sync.delete_marker ? columnAt(info, sync.delete_marker.column) : -1;
    const keyAt = info.primaryKey.map((k) => columnAt(info, k));
    if (changeAt < 0 || (sync.delete_marker && markerAt < 0)) {
      const missing = changeAt < 0 ? sync.change_column : sync.delete_marker!.column;
      findings.push({
        code: 'sync.column_missing',
        table,
        message: `column ${table}.${missing} named by the mapping's sync block does not exist in the live source; re-pin the source schema or fix the sync block`,
      });
      continue;
    }
    const col = info.columns[changeAt];
    if (!CHANGE_KINDS.includes(col.type)) {
      findings.push({
        code: 'sync.change_column_type',
        table,
        message: `change column ${table}.${col.name} is ${col.nativeType} at the source; a watermark needs an integer, timestamp, date or text column`,
      });
      continue;
    }
    plans.push({
      table,
      columns: info.columns.map((c) => c.name),
      key: keyAt.map((i) => info.columns[i].name),
      keyAt,
      change: col.name,
      changeAt,
      kind: col.type as ChangeKind,
      ...(sync.delete_marker ? { marker: { at: markerAt, deleted: sync.delete_marker.deleted } } : {}),
    });
  }
  return { plans, findings };
}

/** The plans, or the first finding as a FerryError (begin and stream refuse what preflight would report). */
export async function requirePlans(source: Source, contract: Contract, tables: string[], reopens: boolean): Promise<TablePlan[]> {
  const { plans, findings } = await planTables(source, contract, tables, reopens);
  if (findings.length > 0) {
    const more = findings.length > 1 ? ` (and ${findings.length - 1} more: run the sync's preflight)` : '';
    throw new FerryError('usage', findings[0].code, `${findings[0].message}${more}`);
  }
  return plans;
}
