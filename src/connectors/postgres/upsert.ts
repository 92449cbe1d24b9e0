/**
 * Upsert support: keeping only the last occurrence of each key within a batch (PostgreSQL's
 * ON CONFLICT refuses to touch the same row twice in one statement) and the statements that
 * merge a staged batch into its table.
 */
import type { TargetTableDef, Value } from '../connector.js';
import { ident, identList, qualified } from './quote.js';

function keyPart(v: Value, integer: boolean): string {
  if (v === null || v === undefined) return '\u0001';
  if (typeof v === 'string') {
    // '007' and '7' are the same bigint key; normalise only when the cheap test says it may differ.
    return integer && (v.charCodeAt(0) === 43 || /^-?0\d/.test(v)) ? BigInt(v).toString() : v;
  }
  if (Buffer.isBuffer(v)) return v.toString('hex');
  return String(v);
}

/** Returns rows with earlier duplicates of a key removed (the last occurrence wins), or the same array when keys are unique. */
export function lastPerKey(table: TargetTableDef, rows: Value[][]): Value[][] {
  if (table.primaryKey.length === 0 || rows.length < 2) return rows;
  const idx = table.primaryKey.map((k) => table.columns.findIndex((c) => c.name === k));
  const integer = idx.map((i) => table.columns[i]?.type === 'integer');
  const keys: string[] = new Array(rows.length);
  const last = new Map<string, number>();
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    let key = keyPart(row[idx[0]], integer[0]);
    for (let k = 1; k < idx.length; k++) key += '\u0000' + keyPart(row[idx[k]], integer[k]);
    keys[r] = key;
    last.set(key, r);
  }
  if (last.size === rows.length) return rows;
  return rows.filter((_, r) => last.get(keys[r]) === r);
}

/** SQL statements for staging and merging one table's upserts. */
export interface UpsertSql {
  createStage: string;
  copyStage: string;
  /** COPY into the stage with each row's undo key in the extra `_ferry_key` column. */
  copyStageKeyed: string;
  merge: string;
}

/** The ON CONFLICT clause of an upsert: every non-key column takes the incoming value. */
function conflictClause(t: TargetTableDef): string {
  const keys = new Set(t.primaryKey);
  const updates = t.columns.filter((c) => !keys.has(c.name)).map((c) => `${ident(c.name)} = EXCLUDED.${ident(c.name)}`);
  return `ON CONFLICT (${identList(t.primaryKey)}) ${updates.length ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING'}`;
}

/**
 * An upsert of a few rows in one parameterised statement: parameter n is the array of column
 * n's values, cast to the column's type (`columnType`). Cheaper than staging for the handful
 * of rows a sync's change unit usually carries (no temporary table, one round trip).
 */
export function unnestUpsertSql(schema: string, t: TargetTableDef, columnType: (c: TargetTableDef['columns'][number]) => string): string {
  const arrays = t.columns.map((c, i) => `$${i + 1}::${columnType(c)}[]`);
  return `INSERT INTO ${qualified(schema, t.name)} (${identList(t.columns.map((c) => c.name))}) SELECT * FROM unnest(${arrays.join(', ')}) ${conflictClause(t)}`;
}

/** Builds the upsert statements for a table in `schema`. */
export function upsertSql(schema: string, t: TargetTableDef): UpsertSql {
  const target = qualified(schema, t.name);
  const cols = identList(t.columns.map((c) => c.name));
  return {
    // ON COMMIT DROP: the stage lives exactly as long as the batch's transaction.
    // The extra column carries the undo key, so the undo log and the batch agree on key text.
    createStage: `CREATE TEMP TABLE "_ferry_stage" (LIKE ${target} INCLUDING DEFAULTS, "_ferry_key" text) ON COMMIT DROP`,
    copyStage: `COPY pg_temp."_ferry_stage" (${cols}) FROM STDIN`,
    copyStageKeyed: `COPY pg_temp."_ferry_stage" (${cols}, "_ferry_key") FROM STDIN`,
    merge: `INSERT INTO ${target} (${cols}) SELECT ${cols} FROM pg_temp."_ferry_stage" ${conflictClause(t)}`,
  };
}
