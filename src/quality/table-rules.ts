/**
 * Uniqueness of a table's loaded rows: the target key, each `table_rules.unique` field set and
 * `duplicate_patient`. The first row with a key is fine; every later row repeating it is a
 * failure, named by its source key. Memory: one KeySet of rendered keys per key set (ascending
 * integer ids as intervals, other keys about 50–100 bytes per loaded row), never the rows.
 *
 * `duplicate_patient` judges "later" by source key, not by arrival: a table whose partitions load
 * in parallel then names and counts the same rows as one read whole in key order.
 */
import type { TargetTableDef, Value } from '../connectors/connector.js';
import type { Mapping } from '../contract/model.js';
import { FerryError } from '../errors.js';
import { compareKeys, Examples } from './examples.js';
import type { TableRuleFinding } from '../engine/quality-report.js';
import { KeySet } from './key-set.js';
import { compactText, normalText, valueKey, type KeyValue } from './value-key.js';

interface Check {
  finding: Omit<TableRuleFinding, 'exampleKeys'>;
  examples: Examples;
  /** The source keys that this row makes repeats: its own, or (duplicate_patient) an earlier row's with a higher key. */
  repeats(row: readonly Value[], sourceKey: string): readonly string[];
}

const NONE: readonly string[] = [];

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

/**
 * A duplicate_patient rule: a row repeats when a row with a lower source key (compareKeys) holds
 * its NHS number, or its name, birth date and postcode. Each value keeps the lowest key seen with
 * it, so a row arriving after a higher-keyed holder of its value makes that holder the repeat:
 * whatever order rows arrive in, the repeats are the rows a read in key order would flag. Memory:
 * one source key per distinct value, and the keys found repeating.
 */
function duplicatePatient(
  def: TargetTableDef,
  name: string,
  spec: { nhs_number: string; family_name: string; given_name?: string; date_of_birth: string; postcode?: string },
): (row: readonly Value[], sourceKey: string) => readonly string[] {
  const at = indexer(def, name);
  const nhs = at(spec.nhs_number);
  const parts: Array<[number, (v: Value) => string | undefined]> = [
    [at(spec.family_name), normalText],
    ...(spec.given_name ? [[at(spec.given_name), normalText] as [number, (v: Value) => string | undefined]] : []),
    [at(spec.date_of_birth), normalText],
    ...(spec.postcode ? [[at(spec.postcode), compactText] as [number, (v: Value) => string | undefined]] : []),
  ];
  const byNhs = new Map<string, string>();
  const byPerson = new Map<string, string>();
  const repeating = new Set<string>();
  return (row, sourceKey) => {
    let found: string[] | undefined;
    const repeat = (key: string): void => {
      if (repeating.has(key)) return;
      repeating.add(key);
      (found ??= []).push(key);
    };
    const hold = (held: Map<string, string>, value: string): void => {
      const holder = held.get(value);
      if (holder === undefined) held.set(value, sourceKey);
      else if (compareKeys(holder, sourceKey) < 0) repeat(sourceKey);
      else if (holder !== sourceKey) {
        held.set(value, sourceKey);
        repeat(holder);
      }
    };
    const n = compactText(row[nhs]);
    if (n !== undefined) hold(byNhs, n);
    // Same name, birth date and postcode is the same person whatever NHS number each row holds
    // (a row with the same NHS number was caught above). A missing part matches nothing:
    // two people without a recorded postcode are not thereby the same person.
    let person = '';
    for (const [i, norm] of parts) {
      const p = norm(row[i]);
      if (p === undefined) return found ?? NONE;
      person += `${p}\u0000`;
    }
    hold(byPerson, person);
    return found ?? NONE;
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
  /**
   * Source keys counted in failedRows, kept only when an error-severity duplicate_patient rule
   * can name an earlier row, which another rule may already have failed.
   */
  private readonly failedKeys?: Set<string>;

  constructor(def: TargetTableDef, mapping: Mapping, sourceTable: string, exampleLimit: number) {
    this.examples = new Examples(exampleLimit, def.name, sourceTable);
    this.keyFields = mapping.key ?? def.primaryKey;
    const keyAt = indexer(def, 'key');
    this.keySet = new RenderedKeys(valueKey(this.keyFields.map(keyAt)));
    const keySet = this.keySet;
    this.checks.push({
      finding: { table: def.name, rule: 'key', kind: 'key', fields: this.keyFields, severity: 'error', failures: 0 },
      examples: new Examples(exampleLimit, def.name, sourceTable),
      repeats: (row, sourceKey) => (keySet.repeats(row) ? [sourceKey] : NONE),
    });
    for (const r of mapping.table_rules) {
      if ('unique' in r) {
        const set = new RenderedKeys(valueKey(r.unique.map(indexer(def, r.name))));
        this.checks.push({
          finding: { table: def.name, rule: r.name, kind: 'unique', fields: r.unique, severity: r.severity, failures: 0 },
          examples: new Examples(exampleLimit, def.name, sourceTable),
          repeats: (row, sourceKey) => (set.repeats(row) ? [sourceKey] : NONE),
        });
      } else {
        const spec = r.duplicate_patient;
        const fields = [spec.nhs_number, spec.family_name, spec.given_name, spec.date_of_birth, spec.postcode].filter((f): f is string => f !== undefined);
        this.checks.push({
          finding: { table: def.name, rule: r.name, kind: 'duplicate_patient', fields, severity: r.severity, failures: 0 },
          examples: new Examples(exampleLimit, def.name, sourceTable),
          repeats: duplicatePatient(def, r.name, spec),
        });
        if (r.severity === 'error') this.failedKeys ??= new Set();
      }
    }
  }

  /** Measures one loaded row. */
  row(row: readonly Value[], sourceKey: string): void {
    this.loadedRows++;
    let failed = false;
    for (const c of this.checks) {
      for (const key of c.repeats(row, sourceKey)) {
        c.finding.failures++;
        c.examples.add(key);
        // Warning-severity rules are reported as findings but do not count against the KPI.
        if (c.finding.severity !== 'error') continue;
        if (this.failedKeys) this.fail(key);
        else failed = true;
      }
    }
    if (failed) this.fail(sourceKey);
  }

  private fail(key: string): void {
    if (this.failedKeys) {
      if (this.failedKeys.has(key)) return;
      this.failedKeys.add(key);
    }
    this.failedRows++;
    this.examples.add(key);
  }

  /** Every rule's finding with its example keys. */
  findings(): TableRuleFinding[] {
    return this.checks.map((c) => ({ ...c.finding, exampleKeys: [...c.examples.keys] }));
  }
}
