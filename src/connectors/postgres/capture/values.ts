/**
 * Turns pgoutput tuples into Ferry values exactly as PgSource.read yields the same columns: the
 * replication connection uses the session settings of every other Ferry connection (UTC, ISO
 * dates, hex bytea, round-trip floats), so a value's text from the output function is the text
 * COPY prints before its escaping; bytea becomes a Buffer and everything else stays text.
 */
import type { LogicalType, Value } from '../../connector.js';
import { decodeByteaField } from '../copy-text.js';
import { logicalType } from '../introspect.js';
import { UNCHANGED, type RawTuple, type RelationColumn } from './pgoutput.js';

/** A captured table as the stream last described it. */
export interface RelationShape {
  /** The table as the sync names it. */
  table: string;
  columns: string[];
  types: LogicalType[];
  /** Whether column i is part of the replica identity. */
  key: boolean[];
}

/** The shape of a relation, given each column type's base type name (domains resolved, as introspect does). */
export function relationShape(table: string, columns: readonly RelationColumn[], baseType: (oid: number) => string): RelationShape {
  return {
    table,
    columns: columns.map((c) => c.name),
    types: columns.map((c) => logicalType(baseType(c.typeOid))),
    key: columns.map((c) => c.key),
  };
}

/** Whether two shapes have the same column names and logical types. */
export function sameShape(a: RelationShape, b: RelationShape): boolean {
  return a.table === b.table && a.columns.length === b.columns.length && a.columns.every((c, i) => c === b.columns[i] && a.types[i] === b.types[i]);
}

function valueOf(text: string, type: LogicalType): Value {
  // The output function prints `\x…`; decodeByteaField also accepts COPY's escaped `\\x…`.
  return type === 'binary' ? decodeByteaField(text) : text;
}

/** A new row: values, and the indices of unchanged TOAST values (null in the row). */
export function decodeRow(shape: RelationShape, tuple: RawTuple): { row: Value[]; unchanged: number[] } {
  const row: Value[] = new Array(shape.columns.length);
  const unchanged: number[] = [];
  for (let i = 0; i < row.length; i++) {
    const v = tuple[i];
    if (v === UNCHANGED) {
      row[i] = null;
      unchanged.push(i);
    } else row[i] = v === null || v === undefined ? null : valueOf(v, shape.types[i]);
  }
  return { row, unchanged };
}

/**
 * An old row. A key image ('K') carries only the replica identity's columns, every other one
 * sent as null: those become `undefined` (not sent), as does anything sent as unchanged.
 */
export function decodeOld(shape: RelationShape, tuple: RawTuple, keyOnly: boolean): Array<Value | undefined> {
  const old: Array<Value | undefined> = new Array(shape.columns.length);
  for (let i = 0; i < old.length; i++) {
    const v = tuple[i];
    if ((keyOnly && !shape.key[i]) || v === UNCHANGED || v === undefined) old[i] = undefined;
    else old[i] = v === null ? null : valueOf(v, shape.types[i]);
  }
  return old;
}
