/**
 * allergy_conflict by drug class (`classes`) or with `action: quarantine`: a medication row whose
 * patient has an allergy covering it by substance or drug class (reference/drug-classes.ts), and,
 * reported apart, one covered only by a cross-reactive class pair (a penicillin allergy and a
 * cephalosporin). Loaded rows are matched here, as the substance-only check matches them
 * (cross-checks.ts: medication rows seen before the allergy table finished wait, deduplicated by
 * patient and product text); rows the engine quarantined (engine/conflict-guard.ts) are counted
 * from their quarantine records, so the finding covers both.
 */
import type { TargetTableDef, Value } from '../connectors/connector.js';
import type { CrossCheck, LoadedContract } from '../contract/model.js';
import type { BatchOutcome } from '../engine/observer.js';
import { ALLERGY_CONFLICT } from '../engine/conflict-guard.js';
import type { CheckFinding } from '../engine/quality-report.js';
import { conflictRule, type AllergyProfile, type ConflictLevel, type ConflictRule, type MedicationProfile } from '../reference/drug-classes.js';
import { column, keepLowest } from './cross-checks.js';
import { Examples } from './examples.js';
import { valueKey, type KeyValue } from './value-key.js';

const text = (v: Value | undefined): string | undefined => (v === null || v === undefined || Buffer.isBuffer(v) ? undefined : String(v));

interface Waiting {
  patient: KeyValue;
  med: MedicationProfile;
  rows: number;
  keys: string[];
}

/** One allergy_conflict check that matches by drug class or quarantines. */
export class ClassConflict {
  private readonly allergies = new Map<KeyValue, AllergyProfile[]>();
  private allergyDone = false;
  private readonly waiting = new Map<string, Waiting>();
  private count = 0;
  private crossReactive = 0;
  private quarantinedRows = 0;
  private readonly rule: ConflictRule;
  private readonly medAt: { patient: (row: readonly Value[]) => KeyValue | undefined; substance: number };
  private readonly allergyAt: { patient: (row: readonly Value[]) => KeyValue | undefined; substance: number };
  readonly medicationTable: string;
  readonly allergyTable: string;
  private readonly examples: Examples;

  constructor(
    private readonly check: CrossCheck,
    loaded: Pick<LoadedContract, 'crosswalks'>,
    defs: ReadonlyMap<string, TargetTableDef>,
    sourceOf: (table: string) => string,
    private readonly exampleLimit: number,
  ) {
    const { medication: m, allergy: a } = check.allergy_conflict;
    this.medicationTable = m.table;
    this.allergyTable = a.table;
    this.rule = conflictRule(check.allergy_conflict, loaded.crosswalks);
    this.examples = new Examples(exampleLimit, m.table, sourceOf(m.table));
    const side = (s: { table: string; patient: string; substance: string }) => ({
      patient: valueKey([column(defs.get(s.table), s.table, s.patient, check.name)]),
      substance: column(defs.get(s.table), s.table, s.substance, check.name),
    });
    this.medAt = side(m);
    this.allergyAt = side(a);
  }

  /** Measures one loaded row of `table` (either side; a table may be both). */
  row(table: string, row: readonly Value[], sourceKey: string): void {
    if (table === this.allergyTable) {
      const patient = this.allergyAt.patient(row);
      const s = text(row[this.allergyAt.substance]);
      const profile = patient === undefined || s === undefined ? undefined : this.rule.allergy(s);
      if (profile) {
        const list = this.allergies.get(patient!);
        if (list) list.push(profile);
        else this.allergies.set(patient!, [profile]);
      }
    }
    if (table !== this.medicationTable) return;
    const patient = this.medAt.patient(row);
    const s = text(row[this.medAt.substance]);
    const med = patient === undefined || s === undefined ? undefined : this.rule.medication(s);
    if (!med) return;
    if (this.allergyDone) {
      this.hit(this.level(patient!, med), 1, [sourceKey]);
      return;
    }
    const id = `${patient}\u0000${med.words.join(' ')}`;
    const w = this.waiting.get(id);
    if (!w) this.waiting.set(id, { patient: patient!, med, rows: 1, keys: this.exampleLimit > 0 ? [sourceKey] : [] });
    else {
      w.rows++;
      keepLowest(w.keys, sourceKey, this.exampleLimit);
    }
  }

  /** Counts the medication rows the engine quarantined for this check. */
  batch(o: BatchOutcome): void {
    if (o.table !== this.medicationTable) return;
    for (const r of o.quarantine) {
      if (r.reasonCode !== ALLERGY_CONFLICT || r.rule !== this.check.name) continue;
      this.quarantinedRows++;
      this.count++;
      this.examples.add(r.sourceKey);
    }
  }

  /** Called when a table has loaded all its rows. */
  tableDone(table: string): void {
    if (table === this.allergyTable && table !== this.medicationTable) {
      this.allergyDone = true;
      this.settle();
    }
  }

  /** The strongest conflict between a patient's allergies and one medication. */
  private level(patient: KeyValue, med: MedicationProfile): ConflictLevel | undefined {
    let best: ConflictLevel | undefined;
    for (const a of this.allergies.get(patient) ?? []) {
      const l = this.rule.conflict(a, med);
      if (l === 'substance' || l === 'class') return l;
      best ??= l;
    }
    return best;
  }

  private hit(level: ConflictLevel | undefined, rows: number, keys: readonly string[]): void {
    if (level === undefined) return;
    if (level === 'cross_reactive') {
      this.crossReactive += rows;
      return;
    }
    this.count += rows;
    for (const k of keys) this.examples.add(k);
  }

  /** Resolves medication rows that arrived before the allergy table finished. */
  settle(): void {
    for (const w of this.waiting.values()) this.hit(this.level(w.patient, w.med), w.rows, w.keys);
    this.waiting.clear();
  }

  /** The finding; settles first. A cross-reactive pair alone warns, whatever the check's severity. */
  finding(): CheckFinding {
    this.settle();
    const severity = this.check.severity;
    const c = this.check.allergy_conflict;
    return {
      name: this.check.name,
      kind: 'allergy_conflict',
      severity,
      count: this.count,
      decision: this.count > 0 ? (severity === 'error' ? 'fail' : 'warn') : this.crossReactive > 0 ? 'warn' : 'pass',
      exampleKeys: [...this.examples.keys],
      match: c.classes === undefined ? 'substance' : 'class',
      action: c.action ?? 'warn',
      quarantined: this.quarantinedRows,
      crossReactive: this.crossReactive,
    };
  }
}
