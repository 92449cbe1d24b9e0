/**
 * Uniqueness of a table's loaded rows: the target key, each `table_rules.unique` field set and
 * `duplicate_patient`. The first row with a key is fine; every later row repeating it is a
 * failure, named by its source key. Memory: one KeySet of rendered keys per key set (ascending
 * integer ids as intervals, other keys about 50–100 bytes per loaded row), never the rows.
 */
import type { TargetTableDef, Value } from '../connectors/connector.js';
import type { Mapping } from '../contract/model.js';
import { FerryError } from '../errors.js';
import { Examples } from './examples.js';
import type { TableRuleFinding } from '../engine/quality-report.js';
import { KeySet } from './key-set.js';
import { compactText, normalText, valueKey, type KeyValue } from './value-key.js';

interface Check {
  finding: Omit<TableRuleFinding, 'exampleKeys'>;
  examples: Examples;
  /** Returns true when this row repeats an earlier one. */
  repeats(row: readonly Value[]): boolean;
}

/** Resolves target field names to column positions, naming the rule on a typo. */
function indexer(def: TargetTableDef, rule: string): (field: string) => number {
  const at = new Map(def.columns.map((c, i) => [c.name, i]));
  return (field) => {
    const i = at.get(field);
    if (i === undefined)
      throw new FerryError('contract', 'contract.unknown_target_column', `table rule ${rule} of ${def.name} names ${field}, which is not a column of ${def.name}; fix the rule's field list`);
    return i;
  };
}

/** Rendered keys of one key set; `seen` is exposed so referential integrity can reuse the target key's set. */
class RenderedKeys {
  readonly seen = new KeySet();
  constructor(readonly render: (row: readonly Value[]) => KeyValue | undefined) {}
  repeats(row: readonly Value[]): boolean {
    const k = this.render(row);
    return k !== undefined && !this.seen.add(k);
  }
}

function duplicatePatient(
  def: TargetTableDef,
  name: string,
  spec: { nhs_number: string; family_name: string; given_name?: string; date_of_birth: string; postcode?: string },
): (row: readonly Value[]) => boolean {
  const at = indexer(def, name);
  const nhs = at(spec.nhs_number);
  const parts: Array<[number, (v: Value) => string | undefined]> = [
    [at(spec.family_name), normalText],
    ...(spec.given_name ? [[at(spec.given_name), normalText] as [number, (v: Value) => string | undefined]] : []),
    [at(spec.date_of_birth), normalText],
    ...(spec.postcode ? [[at(spec.postcode), compactText] as [number, (v: Value) => string | undefined]] : []),
  ];
  const byNhs = new Set<string>();
  const byPerson = new Set<string>();
  return (row) => {
    const n = compactText(row[nhs]);
    let dup = false;
    if (n !== undefined) {
      if (byNhs.has(n)) dup = true;
      else byNhs.add(n);
    }
    // Same name, birth date and postcode is the same person whatever NHS number each row holds
    // (a row with the same NHS number was caught above). A missing part matches nothing:
    // two people without a recorded postcode are not thereby the same person.
    let person = '';
    for (const [i, norm] of parts) {
      const p = norm(row[i]);
      if (p === undefined) return dup;
      person += `${p}\u0000`;
    }
    if (byPerson.has(person)) return true;
    byPerson.add(person);
    return dup;
  };
}

/** Tracks the uniqueness rules of one target table over the run's loaded rows. */
export class TableUniqueness {
  private readonly checks: Check[] = [];
  /** The target key's set of loaded keys, shared with referential integrity. */
  readonly keySet: RenderedKeys;
  readonly keyFields: string[];
  loadedRows = 0;
  /** Loaded rows failing at least one error-severity uniqueness rule (the KPI's failures). */
  failedRows = 0;
  readonly examples: Examples;

  constructor(def: TargetTableDef, mapping: Mapping, sourceTable: string, exampleLimit: number) {
    this.examples = new Examples(exampleLimit, def.name, sourceTable);
    this.keyFields = mapping.key ?? def.primaryKey;
    const keyAt = indexer(def, 'key');
    this.keySet = new RenderedKeys(valueKey(this.keyFields.map(keyAt)));
    const keySet = this.keySet;
    this.checks.push({
      finding: { table: def.name, rule: 'key', kind: 'key', fields: this.keyFields, severity: 'error', failures: 0 },
      examples: new Examples(exampleLimit, def.name, sourceTable),
      repeats: (row) => keySet.repeats(row),
    });
    for (const r of mapping.table_rules) {
      if ('unique' in r) {
        const set = new RenderedKeys(valueKey(r.unique.map(indexer(def, r.name))));
        this.checks.push({
          finding: { table: def.name, rule: r.name, kind: 'unique', fields: r.unique, severity: r.severity, failures: 0 },
          examples: new Examples(exampleLimit, def.name, sourceTable),
          repeats: (row) => set.repeats(row),
        });
      } else {
        const spec = r.duplicate_patient;
        const fields = [spec.nhs_number, spec.family_name, spec.given_name, spec.date_of_birth, spec.postcode].filter((f): f is string => f !== undefined);
        this.checks.push({
          finding: { table: def.name, rule: r.name, kind: 'duplicate_patient', fields, severity: r.severity, failures: 0 },
          examples: new Examples(exampleLimit, def.name, sourceTable),
          repeats: duplicatePatient(def, r.name, spec),
        });
      }
    }
  }

  /** Measures one loaded row. */
  row(row: readonly Value[], sourceKey: string): void {
    this.loadedRows++;
    let failed = false;
    for (const c of this.checks) {
      if (!c.repeats(row)) continue;
      c.finding.failures++;
      c.examples.add(sourceKey);
      // Warning-severity rules are reported as findings but do not count against the KPI.
      if (c.finding.severity === 'error') failed = true;
    }
    if (failed) {
      this.failedRows++;
      this.examples.add(sourceKey);
    }
  }

  /** Every rule's finding with its example keys. */
  findings(): TableRuleFinding[] {
    return this.checks.map((c) => ({ ...c.finding, exampleKeys: [...c.examples.keys] }));
  }
}
