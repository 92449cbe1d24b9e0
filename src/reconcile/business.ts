/**
 * Business reconciliation checks from the contract: the same figure (count, count of distinct
 * values, or sum; optionally filtered and grouped) computed on the source and on the target
 * and reported side by side. Both sides are streamed through read-only Sources and aggregated
 * here, so the semantics are the same whatever either side is stored in.
 *
 * Values: the source side sees values exactly as the mapping filters do (as the source
 * returns them); the target side sees each value in its canonical form (canonical.ts), except
 * booleans, which are true/false so a filter `value: true` means the same on both sides.
 * Filters use the engine's compileFilter; groups are compared as text.
 */
import type { LogicalType, Source, Value } from '../connectors/connector.js';
import type { AggregateSpec, Contract, ReconciliationCheck } from '../contract/model.js';
import { compileFilter } from '../engine/filter.js';
import { FerryError } from '../errors.js';
import { detachedString } from '../transform/text-value.js';
import { canonical } from './canonical.js';
import { DecimalSum, decimalDistance } from './decimal-sum.js';
import type { BusinessCheckResult, BusinessGroup } from './report.js';

interface SideResult {
  values: Map<string | null, string>;
  nonNumeric: number;
}

function text(v: Value | undefined): string | null {
  if (v === null || v === undefined) return null;
  return Buffer.isBuffer(v) ? v.toString('hex') : String(v);
}

function describe(spec: AggregateSpec): string {
  const what = spec.aggregate === 'count' ? 'count(*)' : `${spec.aggregate}(${spec.column})`;
  const where = spec.filter.length ? ` where ${spec.filter.map((f) => `${f.column} ${f.op}${f.value === undefined ? '' : ` ${JSON.stringify(f.value)}`}`).join(' and ')}` : '';
  return `${what} from ${spec.table}${where}${spec.group_by ? ` by ${spec.group_by}` : ''}`;
}

/** Streams one side's table and aggregates it per group. */
async function aggregateSide(
  source: Source,
  spec: AggregateSpec,
  side: 'source' | 'target',
  types: Record<string, LogicalType> | undefined,
  sliceRows: number,
  signal?: AbortSignal,
): Promise<SideResult> {
  if (spec.aggregate !== 'count' && !spec.column) {
    throw new FerryError('contract', 'reconcile.column_required', `a ${spec.aggregate} reconciliation check on ${side} table ${spec.table} needs a column`);
  }
  const columns = [...new Set([spec.column, spec.group_by, ...spec.filter.map((f) => f.column)].filter((c): c is string => Boolean(c)))];
  const indexOf = (ref: string): number => {
    const i = columns.indexOf(ref);
    if (i < 0) throw new FerryError('contract', 'reconcile.unknown_column', `reconciliation check refers to ${ref}, which is not a column of ${side} table ${spec.table}`);
    return i;
  };
  const filter = compileFilter(spec.filter, indexOf);
  const at = spec.column ? indexOf(spec.column) : -1;
  const groupAt = spec.group_by ? indexOf(spec.group_by) : -1;
  const present = columns.map((c) => {
    const type = types?.[c];
    if (!type) return (v: Value) => v;
    return (v: Value): Value => {
      const t = canonical(type, v);
      return type === 'boolean' && (t === 't' || t === 'f') ? t === 't' : t;
    };
  });
  const counts = new Map<string | null, number>();
  const distinct = new Map<string | null, Set<string>>();
  const sums = new Map<string | null, DecimalSum>();
  let nonNumeric = 0;
  for await (const slice of source.read(spec.table, { columns, sliceRows, signal })) {
    for (const raw of slice.rows) {
      const row = types ? raw.map((v, i) => present[i](v)) : raw;
      if (!filter(row)) continue;
      const g = groupAt >= 0 ? text(row[groupAt]) : null;
      switch (spec.aggregate) {
        case 'count':
          counts.set(g, (counts.get(g) ?? 0) + 1);
          break;
        case 'count_distinct': {
          const set = distinct.get(g) ?? new Set<string>();
          distinct.set(g, set);
          const v = text(row[at]);
          // Held to the end: a copy, so the set does not keep every source chunk alive.
          if (v !== null && !set.has(v)) set.add(detachedString(v));
          break;
        }
        case 'sum': {
          const sum = sums.get(g) ?? new DecimalSum();
          sums.set(g, sum);
          const v = row[at];
          if (v !== null && v !== '' && (typeof v === 'boolean' || Buffer.isBuffer(v) || !sum.add(v))) nonNumeric++;
          break;
        }
      }
    }
  }
  const values = new Map<string | null, string>();
  for (const [g, n] of counts) values.set(g, String(n));
  for (const [g, s] of distinct) values.set(g, String(s.size));
  for (const [g, s] of sums) values.set(g, s.toString());
  return { values, nonNumeric };
}

/** Runs one business check on both sides. */
export async function runBusinessCheck(check: ReconciliationCheck, contract: Contract, source: Source, target: Source, sliceRows: number, signal?: AbortSignal): Promise<BusinessCheckResult> {
  const targetTable = contract.target.tables[check.target.table];
  const targetTypes = targetTable ? Object.fromEntries(Object.entries(targetTable.columns).map(([n, c]) => [n, c.type])) : undefined;
  const s = await aggregateSide(source, check.source, 'source', undefined, sliceRows, signal);
  const t = await aggregateSide(target, check.target, 'target', targetTypes, sliceRows, signal);
  const grouped = Boolean(check.source.group_by || check.target.group_by);
  const keys = grouped ? [...new Set([...s.values.keys(), ...t.values.keys()])].sort((a, b) => (a === null ? -1 : b === null ? 1 : a < b ? -1 : a > b ? 1 : 0)) : [null];
  const groups: BusinessGroup[] = keys.map((g) => {
    const sv = s.values.get(g) ?? '0';
    const tv = t.values.get(g) ?? '0';
    const difference = decimalDistance(sv, tv);
    const row: BusinessGroup = { source: sv, target: tv, difference, pass: Number(difference) <= check.tolerance };
    return grouped ? { group: g, ...row } : row;
  });
  const nonNumeric = { source: s.nonNumeric, target: t.nonNumeric };
  return {
    name: check.name,
    ...(check.description ? { description: check.description } : {}),
    aggregate: { source: describe(check.source), target: describe(check.target) },
    tolerance: check.tolerance,
    pass: groups.every((g) => g.pass) && nonNumeric.source === 0 && nonNumeric.target === 0,
    groups,
    nonNumeric,
  };
}
