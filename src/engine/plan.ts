/**
 * Load planning: target tables load parents before children (by the target schema's foreign
 * keys), and tables with no dependency between them may load in parallel.
 */
import type { Contract } from '../contract/model.js';
import { FerryError } from '../errors.js';
import { conflictParents } from './conflict-guard.js';

export interface PlannedTable {
  table: string;
  /** Mapped tables that must finish before this one starts. */
  after: string[];
}

/**
 * Orders the mapped target tables so that every table comes after the tables it references, and
 * a medication table after the allergy table a quarantining allergy-conflict check compares it with.
 */
export function planLoad(contract: Contract): PlannedTable[] {
  const mapped = Object.keys(contract.mappings);
  const mappedSet = new Set(mapped);
  const deps = new Map<string, string[]>();
  for (const table of mapped) {
    const fks = contract.target.tables[table]?.foreign_keys ?? [];
    const parents = [...new Set([...fks.map((fk) => fk.references.table), ...conflictParents(contract, table)])].filter((p) => p !== table && mappedSet.has(p));
    deps.set(table, parents);
  }
  const ordered: PlannedTable[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (table: string, trail: string[]): void => {
    const s = state.get(table);
    if (s === 'done') return;
    if (s === 'visiting') {
      throw new FerryError(
        'contract',
        'plan.fk_cycle',
        `target foreign keys (with the allergy tables quarantining allergy checks wait for) form a cycle (${[...trail, table].join(' → ')}); break it by dropping one foreign key from the target schema or the check's quarantine`,
      );
    }
    state.set(table, 'visiting');
    for (const p of deps.get(table) ?? []) visit(p, [...trail, table]);
    state.set(table, 'done');
    ordered.push({ table, after: deps.get(table) ?? [] });
  };
  for (const t of mapped) visit(t, []);
  return ordered;
}

/** One job of a run: a table's partition, waiting for every unit of the tables in `after`. */
export interface PlannedUnit {
  table: string;
  after: readonly string[];
}

/**
 * Runs `work` for each unit, at most `concurrency` at once, never before every unit of the
 * tables it comes after has finished; units start in the order given (parents first, partitions
 * in key order).
 */
export async function runPlanned<U extends PlannedUnit>(units: readonly U[], concurrency: number, work: (unit: U) => Promise<void>, signal?: AbortSignal): Promise<void> {
  const left = new Map<string, number>();
  for (const u of units) left.set(u.table, (left.get(u.table) ?? 0) + 1);
  const tableDone = (t: string): boolean => (left.get(t) ?? 0) === 0;
  const waiting = [...units];
  const running = new Set<Promise<void>>();
  let failure: unknown;
  while (waiting.length > 0 || running.size > 0) {
    if (failure === undefined && !signal?.aborted) {
      for (let i = 0; i < waiting.length && running.size < concurrency;) {
        const u = waiting[i];
        if (!u.after.every(tableDone)) {
          i++;
          continue;
        }
        waiting.splice(i, 1);
        const p: Promise<void> = work(u).then(
          () => {
            left.set(u.table, left.get(u.table)! - 1);
            running.delete(p);
          },
          (err: unknown) => {
            failure ??= err;
            running.delete(p);
          },
        );
        running.add(p);
      }
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }
  if (failure !== undefined) throw failure;
}
