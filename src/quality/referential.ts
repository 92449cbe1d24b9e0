/**
 * Referential integrity over the run's loaded rows: every target foreign key value of a loaded
 * child row must match a key loaded for the parent table in this run. Parents normally finish
 * before their children start (plan.ts), so a child value is resolved at once against the
 * parent's finished key set; while the parent is still loading (a self-reference, or batches
 * arriving out of order) child values wait, deduplicated, and are resolved at the end of the run.
 */
import type { ForeignKeyInfo, TargetTableDef, Value } from '../connectors/connector.js';
import { compareKeys, type Examples } from './examples.js';
import type { ReferenceCheck } from '../engine/quality-report.js';
import { valueKey, type KeyValue } from './value-key.js';

/** Keys loaded for a parent table on the referenced columns, and whether the table has finished. */
export interface ParentKeys {
  readonly seen: { has(k: KeyValue): boolean };
  done: boolean;
}

interface Pending {
  rows: number;
  /**
   * Lowest source key of the child rows holding the value: the example if it never resolves. The
   * lowest, not the first to arrive, so partitions loading in parallel name the same row.
   */
  lowestKey: string;
}

/** One foreign key of one child table. */
export class ForeignKeyCheck {
  rows = 0;
  resolved = 0;
  private readonly pending = new Map<KeyValue, Pending>();
  private readonly render: (row: readonly Value[]) => KeyValue | undefined;

  constructor(
    readonly table: string,
    readonly fk: ForeignKeyInfo,
    def: TargetTableDef,
    /** Undefined when the parent is not migrated by this contract (nothing to resolve against). */
    private readonly parent: ParentKeys | undefined,
    readonly examples: Examples,
  ) {
    const at = new Map(def.columns.map((c, i) => [c.name, i]));
    this.render = valueKey(fk.columns.map((c) => at.get(c) ?? -1));
  }

  get checked(): boolean {
    return this.parent !== undefined;
  }

  /** Measures one loaded child row. */
  row(row: readonly Value[], sourceKey: string): void {
    if (!this.checked) return;
    const k = this.render(row);
    if (k === undefined) return;
    this.rows++;
    const parent = this.parent!;
    if (parent.done) {
      if (parent.seen.has(k)) this.resolved++;
      else this.examples.add(sourceKey);
      return;
    }
    const p = this.pending.get(k);
    if (!p) this.pending.set(k, { rows: 1, lowestKey: sourceKey });
    else {
      p.rows++;
      if (compareKeys(sourceKey, p.lowestKey) < 0) p.lowestKey = sourceKey;
    }
  }

  /** Resolves the values that arrived before the parent finished; idempotent. */
  settle(): void {
    const parent = this.parent;
    if (!parent) return;
    for (const [k, p] of this.pending) {
      if (parent.seen.has(k)) this.resolved += p.rows;
      else this.examples.add(p.lowestKey);
    }
    this.pending.clear();
  }

  /** The report entry. */
  report(): ReferenceCheck {
    return {
      table: this.table,
      columns: this.fk.columns,
      references: this.fk.references,
      status: this.checked ? 'checked' : 'not_checked',
      reason: this.checked ? null : `${this.fk.references.table} is not migrated by this contract`,
      rows: this.rows,
      resolved: this.resolved,
    };
  }
}
