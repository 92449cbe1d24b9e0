/**
 * The quality collector: a RunObserver (every committed batch) and a CrosswalkObserver (every
 * code a crosswalk sees) that measures the KPIs as the run goes, then decides the gates. It
 * keeps counts, bounded example keys and, for uniqueness and referential integrity, one Set of
 * rendered keys per key set (docs/quality.md gives the memory cost); never whole rows.
 */
import type { TargetTableDef, Value } from '../connectors/connector.js';
import { ruleParts, type KpiName, type LoadedContract, type Mapping, type Tier } from '../contract/model.js';
import type { GateTableCounts, RunGate } from '../engine/gate.js';
import type { BatchOutcome } from '../engine/observer.js';
import { targetTableDef } from '../engine/target-defs.js';
import type { CrosswalkObserver } from '../transform/context.js';
import { CodeCoverage } from './coverage.js';
import { ClassConflict } from './class-conflict.js';
import { AllergyConflict } from './cross-checks.js';
import { Examples } from './examples.js';
import { evaluateGates, worst } from './gates.js';
import { kpisFrom, overallKpis, ratio } from './kpis.js';
import { failingGateMessage } from './summary.js';
import type { ExampleKey, Kpis, QualityReport, TableQuality } from '../engine/quality-report.js';
import { ForeignKeyCheck, type ParentKeys } from './referential.js';
import { KeySet } from './key-set.js';
import { TableUniqueness } from './table-rules.js';
import { isMissing, valueKey, type KeyValue } from './value-key.js';

export interface QualityOptions {
  tier: Tier;
  /** Example failing keys per gate; defaults to the contract's `quality.example_keys`. */
  exampleKeys?: number;
}

/** The run's quality gate (per-table code coverage through `forTable`) and the observer of codes no table claims. */
export interface QualityCollector extends RunGate, CrosswalkObserver {}

const MISSING_CODES = new Set(['rule.required', 'target.not_null']);
/** Quarantine records for an unmapped NOT NULL column name no field (`target schema`). */
const UNMAPPED_FIELD = '(unmapped column)';

class TableState {
  evaluated = 0;
  complete = 0;
  valid = 0;
  warned = 0;
  readonly missing = new Map<string, number>();
  readonly required: Array<{ name: string; at: number }>;
  readonly uniqueness: TableUniqueness;
  readonly fks: ForeignKeyCheck[] = [];
  /** Parent key sets on referenced columns other than the target key. */
  readonly extraKeys: Array<{ render: (row: readonly Value[]) => KeyValue | undefined; seen: KeySet }> = [];
  readonly checks: Array<AllergyConflict | ClassConflict> = [];
  readonly ex: Record<'completeness' | 'validity' | 'code_coverage', Examples>;

  constructor(
    readonly table: string,
    readonly sourceTable: string,
    readonly def: TargetTableDef,
    mapping: Mapping,
    readonly exampleLimit: number,
  ) {
    const fieldRequired = new Set(
      Object.entries(mapping.fields)
        .filter(([, f]) => f.status !== 'rejected' && f.rules.some((r) => ruleParts(r).name === 'required'))
        .map(([name]) => name),
    );
    this.required = def.columns
      .map((c, at) => ({ name: c.name, at, req: !c.nullable || fieldRequired.has(c.name) }))
      .filter((c) => c.req)
      .map(({ name, at }) => ({ name, at }));
    this.uniqueness = new TableUniqueness(def, mapping, sourceTable, exampleLimit);
    const ex = (): Examples => new Examples(exampleLimit, table, sourceTable);
    this.ex = { completeness: ex(), validity: ex(), code_coverage: ex() };
  }

  addMissing(field: string): void {
    this.missing.set(field, (this.missing.get(field) ?? 0) + 1);
  }

  loadedRow(row: readonly Value[], key: string, warned: boolean): void {
    this.evaluated++;
    let complete = true;
    for (const r of this.required) {
      if (isMissing(row[r.at])) {
        complete = false;
        this.addMissing(r.name);
      }
    }
    if (complete) this.complete++;
    else this.ex.completeness.add(key);
    if (warned) {
      this.warned++;
      this.ex.validity.add(key);
    } else this.valid++;
    this.uniqueness.row(row, key);
    for (const fk of this.fks) fk.row(row, key);
    for (const k of this.extraKeys) {
      const v = k.render(row);
      if (v !== undefined) k.seen.add(v);
    }
    for (const c of this.checks) c.row(this.table, row, key);
  }

  quarantined(records: BatchOutcome['quarantine'], rows: number): void {
    this.evaluated += rows;
    let incomplete = 0;
    // A row's records are contiguous and share its source key.
    for (let i = 0; i < records.length;) {
      const key = records[i].sourceKey;
      let missing = false;
      let unmappedCode = false;
      for (; i < records.length && records[i].sourceKey === key; i++) {
        const r = records[i];
        if (MISSING_CODES.has(r.reasonCode)) {
          missing = true;
          const colon = r.rule.indexOf(':');
          this.addMissing(colon > 0 ? r.rule.slice(0, colon) : UNMAPPED_FIELD);
        } else if (r.reasonCode === 'crosswalk.unmapped') unmappedCode = true;
      }
      this.ex.validity.add(key);
      if (missing) {
        incomplete++;
        this.ex.completeness.add(key);
      }
      if (unmappedCode) this.ex.code_coverage.add(key);
    }
    this.complete += Math.max(0, rows - incomplete);
  }

  kpis(counts: GateTableCounts | undefined, codes: { seen: number; mapped: number }): Kpis {
    let fkRows = 0;
    let fkResolved = 0;
    for (const fk of this.fks) {
      fkRows += fk.rows;
      fkResolved += fk.resolved;
    }
    const accounted = counts ? counts.loaded + counts.quarantined + counts.excluded : 0;
    return kpisFrom({
      completeness: [this.complete, this.required.length > 0 ? this.evaluated : 0],
      validity: [this.valid, this.evaluated],
      referential_integrity: [fkResolved, fkRows],
      code_coverage: [codes.mapped, codes.seen],
      uniqueness: [this.uniqueness.loadedRows - this.uniqueness.failedRows, this.uniqueness.loadedRows],
      reconciliation: [accounted, counts?.read ?? 0],
    });
  }

  examples(kpi: KpiName): readonly ExampleKey[] {
    switch (kpi) {
      case 'completeness':
      case 'validity':
      case 'code_coverage':
        return this.ex[kpi].keys;
      case 'uniqueness':
        return this.uniqueness.examples.keys;
      case 'referential_integrity':
        return this.fks.flatMap((f) => f.examples.keys).slice(0, this.exampleLimit);
      case 'reconciliation':
        // An unaccounted row has, by definition, no recorded outcome to name it by.
        return [];
    }
  }
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

/** Creates the collector for one run of `loaded` in `options.tier`. */
export function createQualityCollector(loaded: LoadedContract, options: QualityOptions): QualityCollector {
  const contract = loaded.contract;
  const exampleLimit = options.exampleKeys ?? contract.quality.example_keys;
  const states = new Map<string, TableState>();
  const defs = new Map<string, TargetTableDef>();
  for (const [table, mapping] of Object.entries(contract.mappings)) {
    const def = targetTableDef(contract, table);
    defs.set(table, def);
    states.set(table, new TableState(table, mapping.source, def, mapping, exampleLimit));
  }

  // Parent key sets, shared by every foreign key referencing the same table and columns.
  const parents = new Map<string, ParentKeys>();
  const parentsOf = new Map<string, ParentKeys[]>();
  const parentKeys = (table: string, columns: readonly string[]): ParentKeys | undefined => {
    const state = states.get(table);
    if (!state) return undefined;
    const id = `${table}\u0000${columns.join('\u0000')}`;
    let p = parents.get(id);
    if (p) return p;
    if (sameColumns(columns, state.uniqueness.keyFields)) {
      p = { seen: state.uniqueness.keySet.seen, done: false };
    } else {
      const at = new Map(state.def.columns.map((c, i) => [c.name, i]));
      const seen = new KeySet();
      state.extraKeys.push({ render: valueKey(columns.map((c) => at.get(c) ?? -1)), seen });
      p = { seen, done: false };
    }
    parents.set(id, p);
    parentsOf.set(table, [...(parentsOf.get(table) ?? []), p]);
    return p;
  };
  for (const state of states.values()) {
    for (const fk of state.def.foreignKeys) {
      const parent = parentKeys(fk.references.table, fk.references.columns);
      state.fks.push(new ForeignKeyCheck(state.table, fk, state.def, parent, new Examples(exampleLimit, state.table, state.sourceTable)));
    }
  }

  const sourceOf = (table: string): string => states.get(table)?.sourceTable ?? table;
  const checks = contract.quality.checks.map((c) =>
    c.allergy_conflict.classes === undefined && c.allergy_conflict.action === undefined
      ? new AllergyConflict(c, defs, sourceOf, exampleLimit)
      : new ClassConflict(c, loaded, defs, sourceOf, exampleLimit),
  );
  for (const c of checks) {
    for (const t of new Set([c.medicationTable, c.allergyTable])) states.get(t)?.checks.push(c);
  }

  const coverage = new CodeCoverage();
  const unattributed = coverage.observer(null);

  return {
    seen: (crosswalk, code, mapped) => unattributed.seen(crosswalk, code, mapped),
    forTable: (table) => coverage.observer(table),

    loadedRows(table: string, def: TargetTableDef, mapping: Mapping) {
      let state = states.get(table);
      if (!state) states.set(table, (state = new TableState(table, mapping.source, def, mapping, exampleLimit)));
      const s = state;
      return (row: readonly Value[], key: string, warned: boolean) => s.loadedRow(row, key, warned);
    },

    batch(o: BatchOutcome): void {
      if (o.quarantinedRows === 0) return;
      states.get(o.table)?.quarantined(o.quarantine, o.quarantinedRows);
      for (const c of checks) if (c instanceof ClassConflict) c.batch(o);
    },

    tableDone(table: string): void {
      for (const p of parentsOf.get(table) ?? []) p.done = true;
      for (const c of checks) c.tableDone(table);
    },

    failure: failingGateMessage,

    result(counts: readonly GateTableCounts[]): QualityReport {
      for (const s of states.values()) for (const fk of s.fks) fk.settle();
      const countsBy = new Map(counts.map((c) => [c.table, c]));
      const ran = counts.map((c) => states.get(c.table)).filter((s): s is TableState => s !== undefined);
      const tables: TableQuality[] = ran.map((s) => ({
        table: s.table,
        source: s.sourceTable,
        kpis: s.kpis(countsBy.get(s.table), coverage.totals(s.table)),
        missingByField: [...s.missing].map(([field, rows]) => ({ field, rows })).sort((a, b) => b.rows - a.rows || a.field.localeCompare(b.field)),
        warnedRows: s.warned,
      }));
      const overall = overallKpis(tables.map((t) => t.kpis));
      const loose = coverage.totals(null);
      if (loose.seen > 0) {
        overall.code_coverage = ratio(overall.code_coverage.numerator + loose.mapped, overall.code_coverage.denominator + loose.seen);
      }
      const gates = evaluateGates({
        tier: options.tier,
        thresholds: contract.quality.thresholds,
        overall,
        tables,
        examples: (table, kpi) => states.get(table)?.examples(kpi) ?? [],
        exampleLimit,
      });
      const findings = checks.map((c) => c.finding());
      return {
        tier: options.tier,
        decision: worst([...gates.map((g) => g.decision), ...findings.map((f) => f.decision)]),
        exampleKeyLimit: exampleLimit,
        overall,
        tables,
        gates,
        crosswalks: coverage.report(),
        references: ran.flatMap((s) => s.fks.map((f) => f.report())),
        tableRules: ran.flatMap((s) => s.uniqueness.findings()),
        checks: findings,
      };
    },
  };
}
