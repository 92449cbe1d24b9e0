/**
 * Load planning: target tables load parents before children (by the target schema's foreign
 * keys), and tables with no dependency between them may load in parallel.
 */
import type { Contract } from '../contract/model.js';
import { FerryError } from '../errors.js';

export interface PlannedTable {
  table: string;
  /** Mapped tables that must finish before this one starts. */
  after: string[];
}

/** Orders the mapped target tables so that every table comes after the tables it references. */
export function planLoad(contract: Contract): PlannedTable[] {
  const mapped = Object.keys(contract.mappings);
  const mappedSet = new Set(mapped);
  const deps = new Map<string, string[]>();
  for (const table of mapped) {
    const fks = contract.target.tables[table]?.foreign_keys ?? [];
    const parents = [...new Set(fks.map((fk) => fk.references.table))].filter((p) => p !== table && mappedSet.has(p));
    deps.set(table, parents);
  }
  const ordered: PlannedTable[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (table: string, trail: string[]): void => {
    const s = state.get(table);
    if (s === 'done') return;
    if (s === 'visiting') {
      throw new FerryError('contract', 'plan.fk_cycle', `target foreign keys form a cycle (${[...trail, table].join(' → ')}); break it by dropping one foreign key from the target schema`);
    }
    state.set(table, 'visiting');
    for (const p of deps.get(table) ?? []) visit(p, [...trail, table]);
    state.set(table, 'done');
    ordered.push({ table, after: deps.get(table) ?? [] });
  };
  for (const t of mapped) visit(t, []);
  return ordered;
}

/** Runs `work` for each planned table, at most `concurrency` at once, never before its parents finish. */
export async function runPlanned(plan: PlannedTable[], concurrency: number, work: (table: string) => Promise<void>, signal?: AbortSignal): Promise<void> {
  const done = new Set<string>();
  const started = new Set<string>();
  const running = new Map<string, Promise<void>>();
  let failure: unknown;
  while (done.size < plan.length) {
    if (failure !== undefined) break;
    if (signal?.aborted) break;
    const ready = plan.filter((p) => !started.has(p.table) && p.after.every((a) => done.has(a)));
    for (const p of ready) {
      if (running.size >= concurrency) break;
      started.add(p.table);
      running.set(
        p.table,
        work(p.table).then(
          () => {
            done.add(p.table);
            running.delete(p.table);
          },
          (err: unknown) => {
            failure ??= err;
            running.delete(p.table);
          },
        ),
      );
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  await Promise.allSettled(running.values());
  if (failure !== undefined) throw failure;
}
