/**
 * Allergy conflicts that quarantine (`quality.checks` allergy_conflict with `action: quarantine`):
 * a medication row whose patient has a loaded allergy covering it (same substance or drug class,
 * reference/drug-classes.ts) is kept out of the target with `check.allergy_conflict`. The
 * decision needs every allergy first, so the plan loads the allergy table before the medication
 * table as if the medication table referenced it (plan.ts); the allergies are kept here, per
 * patient, while the run goes on. Values are compared in memory only, never written anywhere.
 */
import type { TargetTableDef, Value } from '../connectors/connector.js';
import type { Contract, CrosswalkEntry } from '../contract/model.js';
import { conflictRule, type AllergyProfile, type ConflictRule } from '../reference/drug-classes.js';
import type { RowIssue } from './row-program.js';
import { keyRenderer } from './source-key.js';

export const ALLERGY_CONFLICT = 'check.allergy_conflict';

interface Guard {
  name: string;
  medication: { table: string; patient: string; substance: string };
  allergy: { table: string; patient: string; substance: string };
  rule: ConflictRule;
  /** Allergy profiles by rendered patient key. */
  byPatient: Map<string, AllergyProfile[]>;
}

/** The checks that quarantine, with at least two distinct tables. */
function quarantining(contract: Contract): Contract['quality']['checks'] {
  return contract.quality.checks.filter((c) => c.allergy_conflict.action === 'quarantine' && c.allergy_conflict.medication.table !== c.allergy_conflict.allergy.table);
}

/** The allergy tables a medication table must wait for, because a quarantining check compares them. */
export function conflictParents(contract: Contract, table: string): string[] {
  return [
    ...new Set(
      quarantining(contract)
        .filter((c) => c.allergy_conflict.medication.table === table && c.allergy_conflict.allergy.table in contract.mappings)
        .map((c) => c.allergy_conflict.allergy.table),
    ),
  ];
}

const text = (v: Value | undefined): string | undefined => (v === null || v === undefined ? undefined : Buffer.isBuffer(v) ? undefined : String(v));

/** Every quarantining allergy conflict check of a run, with the allergies loaded so far. */
export class ConflictGuards {
  private readonly guards: Guard[];

  constructor(contract: Contract, crosswalks: Readonly<Record<string, readonly CrosswalkEntry[]>>) {
    this.guards = quarantining(contract).map((c) => ({
      name: c.name,
      medication: c.allergy_conflict.medication,
      allergy: c.allergy_conflict.allergy,
      rule: conflictRule(c.allergy_conflict, crosswalks),
      byPatient: new Map(),
    }));
  }

  /** The allergy tables with the columns to record from each (a sync reads them back from the target). */
  allergyColumns(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const g of this.guards) out.set(g.allergy.table, [...new Set([...(out.get(g.allergy.table) ?? []), g.allergy.patient, g.allergy.substance])]);
    return out;
  }

  /** A recorder of this table's loaded rows as allergies, or undefined when no check reads it. */
  recorder(def: TargetTableDef): ((row: readonly Value[]) => void) | undefined {
    const at = new Map(def.columns.map((c, i) => [c.name, i]));
    const parts = this.guards
      .filter((g) => g.allergy.table === def.name)
      .map((g) => ({ g, patient: keyRenderer([at.get(g.allergy.patient)!]), pAt: at.get(g.allergy.patient)!, sAt: at.get(g.allergy.substance)! }));
    if (parts.length === 0) return undefined;
    return (row) => {
      for (const p of parts) {
        const s = text(row[p.sAt]);
        if (row[p.pAt] === null || s === undefined) continue;
        const profile = p.g.rule.allergy(s);
        if (!profile) continue;
        const key = p.patient(row);
        const list = p.g.byPatient.get(key);
        if (list) list.push(profile);
        else p.g.byPatient.set(key, [profile]);
      }
    };
  }

  /** Forgets every allergy of table `table` (it was emptied). */
  forgetAll(table: string): void {
    for (const g of this.guards) if (g.allergy.table === table) g.byPatient.clear();
  }

  /** A check of one medication table's computed rows, or undefined when no quarantining check names it. */
  check(def: TargetTableDef): ((row: readonly Value[]) => RowIssue | undefined) | undefined {
    const at = new Map(def.columns.map((c, i) => [c.name, i]));
    const parts = this.guards
      .filter((g) => g.medication.table === def.name)
      .map((g) => ({ g, patient: keyRenderer([at.get(g.medication.patient)!]), pAt: at.get(g.medication.patient)!, sAt: at.get(g.medication.substance)! }));
    if (parts.length === 0) return undefined;
    return (row) => {
      for (const p of parts) {
        if (row[p.pAt] === null) continue;
        const allergies = p.g.byPatient.get(p.patient(row));
        const s = allergies && text(row[p.sAt]);
        if (!allergies || s === undefined) continue;
        const med = p.g.rule.medication(s);
        if (!med) continue;
        for (const a of allergies) {
          const level = p.g.rule.conflict(a, med);
          // A cross-reactive pair is a lower risk: reported by the check, never quarantined.
          if (level === 'substance' || level === 'class') {
            // Neither the substance nor the class is named: the row's source key identifies it, and the pair is clinical information.
            return {
              rule: p.g.name,
              reasonCode: ALLERGY_CONFLICT,
              message: `the patient has a loaded allergy covering this medication by ${level === 'class' ? 'drug class' : 'substance'} (check ${p.g.name}); review the order before loading it`,
            };
          }
        }
      }
      return undefined;
    };
  }
}
