/**
 * Pilot selection: the rehearsal a team runs first. It takes the first N rows of the root
 * table (normally the patient master) in key order, then every row of every table that links
 * to those rows through the pinned source foreign keys, transitively. The result is a
 * consistent subset: no pilot row points at a parent that the pilot left out.
 */
import type { Source, Value } from '../connectors/connector.js';
import type { Contract } from '../contract/model.js';
import { FerryError } from '../errors.js';
import { keyRenderer } from './source-key.js';

export interface PilotSelection {
  root: string;
  patients: number;
  /** Source table → primary keys of its rows in the pilot. Tables absent here are not linked to the root and load whole. */
  included: Map<string, Set<string>>;
}

type Fk = Contract['source']['tables'][string]['foreign_keys'][number];

/** Picks the root table: the one with no foreign keys of its own that most tables depend on. */
export function pilotRoot(contract: Contract, explicit?: string): string {
  const tables = contract.source.tables;
  if (explicit) {
    if (!tables[explicit]) throw new FerryError('usage', 'pilot.unknown_table', `--pilot-table ${explicit} is not a source table of the contract`);
    return explicit;
  }
  let best: string | undefined;
  let bestScore = 0;
  for (const name of Object.keys(tables)) {
    if (tables[name].foreign_keys.length > 0) continue;
    const score = dependents(contract, name).size;
    if (score > bestScore) {
      best = name;
      bestScore = score;
    }
  }
  if (!best) {
    throw new FerryError('usage', 'pilot.no_root', 'cannot choose the pilot root: no source table is referenced by foreign keys in the pinned schema; name it with --pilot-table');
  }
  return best;
}

/** Tables that reach `root` through foreign keys, parents before children, with the keys that link each to the tables before it. */
export function dependents(contract: Contract, root: string): Map<string, Fk[]> {
  const tables = contract.source.tables;
  const reached = new Map<string, Fk[]>();
  let grew = true;
  const linked = new Set([root]);
  while (grew) {
    grew = false;
    for (const [name, t] of Object.entries(tables)) {
      if (linked.has(name)) continue;
      const fks = t.foreign_keys.filter((fk) => linked.has(fk.references.table));
      if (fks.length > 0) {
        linked.add(name);
        reached.set(name, fks);
        grew = true;
      }
    }
  }
  return reached;
}

/** Per parent table, the distinct column sets its children's foreign keys reference: the only values a walk needs to keep. */
function referencedColumns(children: ReadonlyMap<string, Fk[]>): Map<string, string[][]> {
  const referenced = new Map<string, string[][]>();
  for (const fks of children.values()) {
    for (const fk of fks) {
      const list = referenced.get(fk.references.table) ?? [];
      if (!list.some((c) => c.join(',') === fk.references.columns.join(','))) list.push(fk.references.columns);
      referenced.set(fk.references.table, list);
    }
  }
  return referenced;
}

/** Selects the pilot subset by streaming only key and foreign-key columns. */
export async function selectPilot(contract: Contract, source: Source, options: { patients: number; table?: string; sliceRows: number; signal?: AbortSignal }): Promise<PilotSelection> {
  const root = pilotRoot(contract, options.table);
  const tables = contract.source.tables;
  const children = dependents(contract, root);
  const referenced = referencedColumns(children);
  const included = new Map<string, Set<string>>();
  const refValues = new Map<string, Set<string>>(); // `${table}(${cols})` → values

  const scan = async (table: string, limit: number | undefined, makeAccept: (idx: Map<string, number>) => (row: Value[]) => boolean) => {
    const t = tables[table];
    const refs = referenced.get(table) ?? [];
    const fkCols = (children.get(table) ?? []).flatMap((fk) => fk.columns);
    const columns = [...new Set([...t.primary_key, ...fkCols, ...refs.flat()])];
    const idx = new Map(columns.map((c, i) => [c, i]));
    const pk = keyRenderer(t.primary_key.map((c) => idx.get(c)!));
    const refRenderers = refs.map((cols) => ({ id: `${table}(${cols.join(',')})`, render: keyRenderer(cols.map((c) => idx.get(c)!)) }));
    const accept = makeAccept(idx);
    const keys = new Set<string>();
    included.set(table, keys);
    for (const r of refRenderers) refValues.set(r.id, new Set());
    for await (const slice of source.read(table, { columns, orderBy: t.primary_key, sliceRows: options.sliceRows, signal: options.signal })) {
      for (const row of slice.rows) {
        if (limit !== undefined && keys.size >= limit) return;
        if (!accept(row)) continue;
        keys.add(pk(row));
        for (const r of refRenderers) refValues.get(r.id)!.add(r.render(row));
      }
    }
  };

  await scan(root, options.patients, () => () => true);
  for (const [table, fks] of children) {
    await scan(table, undefined, (idx) => {
      const checks = fks.map((fk) => ({
        values: refValues.get(`${fk.references.table}(${fk.references.columns.join(',')})`) ?? new Set<string>(),
        render: keyRenderer(fk.columns.map((col) => idx.get(col)!)),
      }));
      return (row) => checks.some((c) => c.values.has(c.render(row)));
    });
  }
  return { root, patients: included.get(root)!.size, included };
}

/** One source row linked to a patient: its table, primary key, the patient (root key) it belongs to, and the columns read. */
export interface PatientRow {
  table: string;
  key: string;
  patient: string;
  row: readonly Value[];
  /** Column name → position in `row`. */
  at: ReadonlyMap<string, number>;
}

/**
 * Streams every row linked to a patient (a row of `root`) through the pinned foreign keys,
 * transitively, parents before children, with the patient it belongs to (a row linked to two
 * patients counts for the first foreign key that reaches one). `patients` restricts the walk to
 * those root keys; `columns` adds columns per table ('all': every pinned column).
 */
export async function walkPatientRows(
  contract: Contract,
  source: Source,
  o: { root: string; patients?: ReadonlySet<string>; columns?: (table: string) => readonly string[] | 'all'; sliceRows: number; signal?: AbortSignal; onRow: (r: PatientRow) => void },
): Promise<void> {
  const tables = contract.source.tables;
  const children = dependents(contract, o.root);
  const referenced = referencedColumns(children);
  // `${table}(${cols})` → referenced value → patient key.
  const owners = new Map<string, Map<string, string>>();
  for (const table of [o.root, ...children.keys()]) {
    const t = tables[table];
    const refs = referenced.get(table) ?? [];
    const fks = children.get(table) ?? [];
    const extra = o.columns?.(table) ?? [];
    const columns = extra === 'all' ? Object.keys(t.columns) : [...new Set([...t.primary_key, ...fks.flatMap((fk) => fk.columns), ...refs.flat(), ...extra])];
    for (const c of [...t.primary_key, ...fks.flatMap((fk) => fk.columns), ...refs.flat()]) if (!columns.includes(c)) columns.push(c);
    const at = new Map(columns.map((c, i) => [c, i]));
    const pk = keyRenderer(t.primary_key.map((c) => at.get(c)!));
    const refRenderers = refs.map((cols) => {
      const id = `${table}(${cols.join(',')})`;
      const map = new Map<string, string>();
      owners.set(id, map);
      return { map, render: keyRenderer(cols.map((c) => at.get(c)!)) };
    });
    const parents = fks.map((fk) => ({
      map: owners.get(`${fk.references.table}(${fk.references.columns.join(',')})`) ?? new Map<string, string>(),
      render: keyRenderer(fk.columns.map((c) => at.get(c)!)),
    }));
    for await (const slice of source.read(table, { columns, orderBy: t.primary_key, sliceRows: o.sliceRows, signal: o.signal })) {
      for (const row of slice.rows) {
        const key = pk(row);
        let patient: string | undefined;
        if (table === o.root) patient = o.patients && !o.patients.has(key) ? undefined : key;
        else for (let i = 0; i < parents.length && patient === undefined; i++) patient = parents[i].map.get(parents[i].render(row));
        if (patient === undefined) continue;
        for (const r of refRenderers) r.map.set(r.render(row), patient);
        o.onRow({ table, key, patient, row, at });
      }
    }
  }
}
