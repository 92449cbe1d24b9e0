/**
 * Children follow a quarantined parent: a row whose foreign key names a parent row that was not
 * loaded in this run is quarantined with `parent.quarantined` instead of loading as an orphan
 * (unless its key says `on_parent_quarantined: load`). The keys each parent table loaded are
 * kept here while the run goes on; parents load before their children (plan.ts), so a child's
 * check is final when it is made. Only values are compared, never written anywhere.
 */
import type { TargetTableDef, Value } from '../connectors/connector.js';
import type { Contract, CrosswalkEntry } from '../contract/model.js';
import { ConflictGuards } from './conflict-guard.js';
import type { RowIssue } from './row-program.js';
import { keyRenderer } from './source-key.js';

export const PARENT_QUARANTINED = 'parent.quarantined';

/** A foreign key whose rows follow their parent (the parent is migrated by this contract, and is another table). */
export interface CascadingKey {
  columns: string[];
  parent: string;
  parentColumns: string[];
}

/** The cascading foreign keys of one mapped target table. */
export function cascadingKeys(contract: Contract, table: string): CascadingKey[] {
  // A self-reference is left out: rows of one table load in source-key order, not parents first.
  return (contract.target.tables[table]?.foreign_keys ?? [])
    .filter((fk) => fk.on_parent_quarantined === 'quarantine' && fk.references.table !== table && fk.references.table in contract.mappings)
    .map((fk) => ({ columns: fk.columns, parent: fk.references.table, parentColumns: fk.references.columns }));
}

const setName = (table: string, columns: readonly string[]): string => `${table}(${columns.join(',')})`;

/**
 * The keys every parent table loaded in this run, on the columns its children reference, and the
 * allergies quarantining allergy-conflict checks compare medication rows with (conflict-guard.ts).
 * One instance serves a whole run (and a reconciliation's re-derivation of it).
 */
export class LoadedKeys {
  private readonly sets = new Map<string, Set<string>>();
  /** Referenced column lists per parent table. */
  private readonly referenced = new Map<string, string[][]>();
  /** Hears every key that was not loaded before (a sync releases the children that followed it). */
  onAdded?: (parent: string, columns: readonly string[], key: string) => void;

  private readonly guards: ConflictGuards;

  constructor(contract: Contract, crosswalks: Readonly<Record<string, readonly CrosswalkEntry[]>> = {}) {
    this.guards = new ConflictGuards(contract, crosswalks);
    for (const child of Object.keys(contract.mappings)) {
      for (const k of cascadingKeys(contract, child)) {
        const name = setName(k.parent, k.parentColumns);
        if (this.sets.has(name)) continue;
        this.sets.set(name, new Set());
        const list = this.referenced.get(k.parent) ?? [];
        list.push(k.parentColumns);
        this.referenced.set(k.parent, list);
      }
    }
  }

  /** A recorder of this table's loaded rows, or undefined when no child follows it. */
  recorder(def: TargetTableDef): ((row: readonly Value[]) => void) | undefined {
    const keys = this.keyRecorder(def);
    const allergies = this.guards.recorder(def);
    if (!keys || !allergies) return keys ?? allergies;
    return (row) => {
      keys(row);
      allergies(row);
    };
  }

  private keyRecorder(def: TargetTableDef): ((row: readonly Value[]) => void) | undefined {
    const lists = this.referenced.get(def.name);
    if (!lists) return undefined;
    const at = new Map(def.columns.map((c, i) => [c.name, i]));
    const parts = lists.map((cols) => ({ cols, set: this.sets.get(setName(def.name, cols))!, key: keyRenderer(cols.map((c) => at.get(c)!)), at: cols.map((c) => at.get(c)!) }));
    return (row) => {
      for (const p of parts) {
        if (!p.at.every((i) => row[i] !== null)) continue;
        const key = p.key(row);
        if (this.onAdded && !p.set.has(key)) this.onAdded(def.name, p.cols, key);
        p.set.add(key);
      }
    };
  }

  /**
   * Forgets a parent row that left the target (a sync applied its delete), given its primary
   * key aligned with `def.primaryKey`: children that reference it by those columns are then
   * quarantined like those of a parent that never loaded. Sets on other columns cannot be
   * reached from the key and keep it (docs/sync.md).
   */
  forget(def: TargetTableDef, key: readonly Value[]): void {
    for (const cols of this.referenced.get(def.name) ?? []) {
      const at = cols.map((c) => def.primaryKey.indexOf(c));
      if (at.some((i) => i < 0)) continue;
      this.sets.get(setName(def.name, cols))!.delete(keyRenderer(at)(key));
    }
  }

  /** Forgets every loaded row of parent table `table` (it was emptied). */
  forgetAll(table: string): void {
    this.guards.forgetAll(table);
    for (const cols of this.referenced.get(table) ?? []) this.sets.get(setName(table, cols))!.clear();
  }

  /** The parent tables children follow, each with the column lists they reference, and the allergy tables with the columns conflict checks read. */
  parents(): ReadonlyMap<string, readonly string[][]> {
    const allergies = this.guards.allergyColumns();
    if (allergies.size === 0) return this.referenced;
    const out = new Map<string, string[][]>(this.referenced);
    for (const [table, cols] of allergies) out.set(table, [...(out.get(table) ?? []), cols]);
    return out;
  }

  /**
   * A check of one child table's computed rows: returns the issue of the first foreign key whose
   * parent row was not loaded, else of a quarantining allergy conflict, or undefined. Undefined
   * overall when the table has neither a cascading key nor such a check.
   */
  check(contract: Contract, def: TargetTableDef): ((row: readonly Value[]) => RowIssue | undefined) | undefined {
    const parents = this.parentCheck(contract, def);
    const conflicts = this.guards.check(def);
    if (!parents || !conflicts) return parents ?? conflicts;
    return (row) => parents(row) ?? conflicts(row);
  }

  private parentCheck(contract: Contract, def: TargetTableDef): ((row: readonly Value[]) => RowIssue | undefined) | undefined {
    const keys = cascadingKeys(contract, def.name);
    if (keys.length === 0) return undefined;
    const at = new Map(def.columns.map((c, i) => [c.name, i]));
    const checks = keys.map((k) => {
      const idx = k.columns.map((c) => at.get(c)!);
      // The value is deliberately not in the message: a key may be an NHS number. The row's own source key identifies it.
      const issue: RowIssue = {
        rule: `${k.columns.join(', ')} → ${k.parent}(${k.parentColumns.join(', ')})`,
        reasonCode: PARENT_QUARANTINED,
        message: `the ${k.parent} row this row references through ${k.columns.join(', ')} was not loaded in this run (quarantined, filtered out or absent from the source), so this row follows it; it loads once a later run loads its parent`,
      };
      return { set: this.sets.get(setName(k.parent, k.parentColumns))!, key: keyRenderer(idx), idx, issue };
    });
    return (row) => {
      for (const c of checks) {
        // A null in the key means no parent is referenced (SQL's MATCH SIMPLE): nothing to follow.
        if (c.idx.some((i) => row[i] === null)) continue;
        if (!c.set.has(c.key(row))) return c.issue;
      }
      return undefined;
    };
  }
}
