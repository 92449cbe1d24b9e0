/**
 * Checks across target tables (`quality.checks`). allergy_conflict: a medication row for a
 * patient who has an allergy row with the same substance (case-insensitive, trimmed). The two
 * tables may load in parallel, so whichever finishes second is checked against the other; a
 * medication row seen before the allergy table finished waits, deduplicated by patient and
 * substance (with the lowest source keys of its rows, as many as a finding names), until the end
 * of the run: the rows a finding names then do not depend on which table finished first.
 */
import type { TargetTableDef, Value } from '../connectors/connector.js';
import type { CrossCheck } from '../contract/model.js';
import { FerryError } from '../errors.js';
import { compareKeys, Examples } from './examples.js';
import type { CheckFinding } from '../engine/quality-report.js';
import { normalText, valueKey } from './value-key.js';

/** The position of a check's column in its target table; an unmapped one is a contract error. */
export function column(def: TargetTableDef | undefined, table: string, field: string, check: string): number {
  const i = def?.columns.findIndex((c) => c.name === field) ?? -1;
  if (i < 0) throw new FerryError('contract', 'contract.unknown_target_column', `quality check ${check} names ${table}.${field}, which is not a mapped target column; fix the check`);
  return i;
}

/** One allergy_conflict check over the run's loaded rows. */
export class AllergyConflict {
  private readonly allergies = new Set<string>();
  private allergyDone = false;
  /** Medication rows waiting for the allergies, by patient and substance: their count and lowest source keys, ascending. */
  private readonly waiting = new Map<string, { rows: number; keys: string[] }>();
  private count = 0;
  private readonly medPair: (row: readonly Value[]) => string | undefined;
  private readonly allergyPair: (row: readonly Value[]) => string | undefined;
  readonly medicationTable: string;
  readonly allergyTable: string;
  private readonly examples: Examples;

  constructor(
    private readonly check: CrossCheck,
    defs: ReadonlyMap<string, TargetTableDef>,
    sourceOf: (table: string) => string,
    private readonly exampleLimit: number,
  ) {
    const { medication: m, allergy: a } = check.allergy_conflict;
    this.medicationTable = m.table;
    this.allergyTable = a.table;
    this.examples = new Examples(exampleLimit, m.table, sourceOf(m.table));
    this.medPair = pair(column(defs.get(m.table), m.table, m.patient, check.name), column(defs.get(m.table), m.table, m.substance, check.name));
    this.allergyPair = pair(column(defs.get(a.table), a.table, a.patient, check.name), column(defs.get(a.table), a.table, a.substance, check.name));
  }

  /** Measures one loaded row of `table` (either side; a table may be both). */
  row(table: string, row: readonly Value[], sourceKey: string): void {
    if (table === this.allergyTable) {
      const p = this.allergyPair(row);
      if (p !== undefined) this.allergies.add(p);
    }
    if (table === this.medicationTable) {
      const p = this.medPair(row);
      if (p === undefined) return;
      if (this.allergyDone) {
        if (this.allergies.has(p)) this.hit(1, [sourceKey]);
        return;
      }
      const w = this.waiting.get(p);
      if (!w) this.waiting.set(p, { rows: 1, keys: this.exampleLimit > 0 ? [sourceKey] : [] });
      else {
        w.rows++;
        keepLowest(w.keys, sourceKey, this.exampleLimit);
      }
    }
  }

  /** Called when a table has loaded all its rows. */
  tableDone(table: string): void {
    if (table === this.allergyTable && table !== this.medicationTable) {
      this.allergyDone = true;
      this.settle();
    }
  }

  private hit(rows: number, keys: readonly string[]): void {
    this.count += rows;
    for (const k of keys) this.examples.add(k);
  }

  /** Resolves medication rows that arrived before the allergy table finished. */
  settle(): void {
    for (const [p, w] of this.waiting) if (this.allergies.has(p)) this.hit(w.rows, w.keys);
    this.waiting.clear();
  }

  /** The finding; settles first. */
  finding(): CheckFinding {
    this.settle();
    const severity = this.check.severity;
    return {
      name: this.check.name,
      kind: 'allergy_conflict',
      severity,
      count: this.count,
      decision: this.count === 0 ? 'pass' : severity === 'error' ? 'fail' : 'warn',
      exampleKeys: [...this.examples.keys],
    };
  }
}

/** Inserts `key` into ascending `keys` if it is among the `limit` lowest. */
export function keepLowest(keys: string[], key: string, limit: number): void {
  let at = keys.length;
  while (at > 0 && compareKeys(key, keys[at - 1]) < 0) at--;
  if (at >= limit || keys[at - 1] === key) return;
  keys.splice(at, 0, key);
  if (keys.length > limit) keys.pop();
}

function pair(patientAt: number, substanceAt: number): (row: readonly Value[]) => string | undefined {
  const patient = valueKey([patientAt]);
  return (row) => {
    const p = patient(row);
    const s = normalText(row[substanceAt]);
    return p === undefined || s === undefined ? undefined : `${p}\u0000${s}`;
  };
}
