/**
 * How far a contract has got: per target table, the target fields an accepted mapping field
 * fills, those only suggested so far, and those nothing fills yet; and the columns of the
 * assessed source tables that no mapping reads (left behind, or still to decide).
 */
import type { Contract } from '../../contract/model.js';
import type { ContractCoverage } from './model.js';

/** Coverage of the contract's targets, and the unread columns of the given source tables. */
export function contractCoverage(contract: Contract, sourceTables: ReadonlyArray<{ name: string; columns: readonly string[] }>): ContractCoverage {
  const targets = Object.entries(contract.target.tables).map(([table, def]) => {
    const mapping = contract.mappings[table];
    const suggested: string[] = [];
    const unmapped: string[] = [];
    let mapped = 0;
    for (const field of Object.keys(def.columns)) {
      const status = mapping?.fields[field]?.status;
      if (status === 'accepted') mapped++;
      else if (status === 'suggested') suggested.push(field);
      else unmapped.push(field);
    }
    const fields = Object.keys(def.columns).length;
    return { table, source: mapping?.source ?? null, fields, mapped, suggested: suggested.length, unmapped: unmapped.length, suggested_fields: suggested, unmapped_fields: unmapped };
  });
  const read = readColumns(contract);
  const unread = sourceTables.map((t) => ({ table: t.name, columns: t.columns.filter((c) => !read.get(t.name)?.has(c)) })).filter((t) => t.columns.length > 0);
  const sum = (k: 'fields' | 'mapped' | 'suggested' | 'unmapped') => targets.reduce((n, t) => n + t[k], 0);
  return { targets, totals: { fields: sum('fields'), mapped: sum('mapped'), suggested: sum('suggested'), unmapped: sum('unmapped') }, unread_source_columns: unread };
}

// Source columns a mapping reads: its fields (rejected ones read nothing), join conditions and filters, each resolved to the table it belongs to.
function readColumns(contract: Contract): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const mark = (table: string, column: string) => {
    let set = out.get(table);
    if (!set) out.set(table, (set = new Set()));
    set.add(column);
  };
  for (const m of Object.values(contract.mappings)) {
    const resolve = (ref: string) => {
      const dot = ref.indexOf('.');
      if (dot <= 0) return mark(m.source, ref);
      const prefix = ref.slice(0, dot);
      const join = m.joins.find((j) => (j.alias ?? j.table) === prefix);
      mark(join ? join.table : prefix === m.source ? m.source : prefix, ref.slice(dot + 1));
    };
    for (const f of Object.values(m.fields)) {
      if (f.status === 'rejected' || f.from === undefined) continue;
      for (const ref of Array.isArray(f.from) ? f.from : [f.from]) resolve(ref);
    }
    for (const j of m.joins)
      for (const [own, theirs] of Object.entries(j.on)) {
        mark(m.source, own);
        mark(j.table, theirs);
      }
    for (const f of m.filter) resolve(f.column);
  }
  return out;
}
