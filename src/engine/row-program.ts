/**
 * A mapping compiled once into a row program: source row in, target row or issues out. The
 * engine runs it on every row; reconciliation re-runs it to derive the expected target from
 * the source. Compiled closures only: no contract text is ever evaluated as code.
 */
import type { Source, TargetTableDef, Value } from '../connectors/connector.js';
import type { LoadedContract } from '../contract/model.js';
import { FerryError } from '../errors.js';
import { compileFieldRules, compileRowRule, type FieldCheck, type RowCheck } from '../rules/compile.js';
import { compileField, isFailure, producesIsoDate, type CrosswalkObserver, type FieldProgram } from '../transform/compile.js';
import { keepsCleanText } from '../transform/clean-text.js';
import type { LoadedKeys } from './cascade.js';
import { compileConformer, type Conformer } from './conform.js';
import { compileDeleteMarker, compileFilter } from './filter.js';
import { loadJoin, type LoadedJoin, type LookupCache } from './joins.js';
import { keyRenderer } from './source-key.js';

export interface RowIssue {
  rule: string;
  reasonCode: string;
  message: string;
}

export interface RowWarning {
  rule: string;
  reasonCode: string;
}

/** Outcome codes of `evaluate`: kept as numbers so the hot path allocates no outcome objects. */
export const EXCLUDED = 0;
export const LOADED = 1;
export const QUARANTINED = 2;
export type RowStatus = typeof EXCLUDED | typeof LOADED | typeof QUARANTINED;

export interface RowProgram {
  /** Source table the mapping reads. */
  source: string;
  /** Columns to read from it, in this order. */
  readColumns: string[];
  /** Primary key columns of the source table (the read order). */
  orderBy: string[];
  /**
   * True when every target value is free of backslashes, tabs, newlines and carriage returns
   * whenever the source row's values are (transform/clean-text.ts): the engine then tells the
   * target a clean batch's rows need no escape scan.
   */
  keepsClean: boolean;
  /** Renders a source row's key (`|`-joined primary key values). */
  sourceKey(row: readonly Value[]): string;
  /**
   * Evaluates one source row. After it returns, `out` holds the target row (LOADED),
   * `issues` the failures (QUARANTINED), and `warnings` any warnings (both outcomes).
   */
  evaluate(row: Value[]): RowStatus;
  out: Value[];
  issues: RowIssue[];
  warnings: RowWarning[];
}

export interface RowProgramOptions {
  loaded: LoadedContract;
  /** Target table (the mapping's name). */
  table: string;
  def: TargetTableDef;
  source: Source;
  lookups: LookupCache;
  /** Rows per slice when reading joined tables. */
  sliceRows: number;
  /** Primary keys of the source rows in a pilot subset; rows outside are excluded. */
  pilotKeys?: Set<string>;
  observer?: CrosswalkObserver;
  today: () => string;
  signal?: AbortSignal;
  /** Reuse one `out` array for every row: for callers that are done with a row before evaluating the next. */
  reuseOut?: boolean;
  /**
   * The run's loaded parent keys: rows whose parent was not loaded are quarantined
   * (`parent.quarantined`), and this table's loaded keys are recorded for its children.
   */
  parentKeys?: LoadedKeys;
}

/** Compiles a mapping (loading its joined tables) into a row program. */
export async function compileRowProgram(o: RowProgramOptions): Promise<RowProgram> {
  const contract = o.loaded.contract;
  const mapping = contract.mappings[o.table];
  const srcDef = contract.source.tables[mapping.source];
  if (!srcDef) throw new FerryError('contract', 'contract.unknown_source_table', `mapping ${o.table} reads source table ${mapping.source}, which is not pinned in the contract`);
  const readColumns = Object.keys(srcDef.columns);
  const index = new Map<string, number>();
  readColumns.forEach((c, i) => {
    index.set(c, i);
    index.set(`${mapping.source}.${c}`, i);
  });
  let width = readColumns.length;
  const joins: LoadedJoin[] = [];
  for (const j of mapping.joins) {
    const joined = await loadJoin(o.source, contract, j, index, o.sliceRows, o.signal);
    joined.columns.forEach((c, i) => index.set(`${joined.alias}.${c}`, width + i));
    width += joined.columns.length;
    joins.push(joined);
  }
  const indexOf = (ref: string): number => {
    const i = index.get(ref);
    if (i === undefined) throw new FerryError('contract', 'contract.unknown_column', `mapping ${o.table} refers to ${ref}, which is neither a column of ${mapping.source} nor of a joined table`);
    return i;
  };
  const targetIndex = new Map(o.def.columns.map((c, i) => [c.name, i]));
  const ctx = {
    indexOf,
    crosswalks: o.loaded.crosswalks,
    crosswalkRefs: contract.crosswalks,
    lookup: (table: string, key: string, value: string) => o.lookups.get(table, key, value),
    observer: o.observer,
  };
  const mappedNames = new Set(Object.keys(mapping.fields));
  const fields: Array<{ name: string; at: number; program: FieldProgram; conform: Conformer; checks: FieldCheck[] }> = Object.entries(mapping.fields)
    .filter(([, f]) => f.status !== 'rejected')
    .map(([name, f]) => {
      const at = targetIndex.get(name);
      if (at === undefined) throw new FerryError('contract', 'contract.unknown_target_column', `mapping ${o.table} maps field ${name}, which is not a column of target table ${o.table}`);
      return { name, at, program: compileField(name, f, ctx), conform: compileConformer(o.def.columns[at], producesIsoDate(f)), checks: compileFieldRules(name, f.rules, { today: o.today }) };
    });
  const unmapped = o.def.columns
    .map((c, at) => ({ c, at }))
    .filter(({ c }) => !mappedNames.has(c.name))
    .map(({ c }) => compileConformer(c));
  const rowChecks: RowCheck[] = mapping.row_rules.map((r) =>
    compileRowRule(
      r,
      (field) => {
        const i = targetIndex.get(field);
        if (i === undefined) throw new FerryError('contract', 'contract.unknown_target_column', `row rule ${r.name} refers to ${field}, which is not a column of ${o.table}`);
        return i;
      },
      { today: o.today },
    ),
  );
  const filter = compileFilter(mapping.filter, indexOf);
  const markedDeleted = compileDeleteMarker(mapping.sync?.delete_marker, indexOf);
  const sourceKey = keyRenderer(srcDef.primary_key.map(indexOf));
  const pilot = o.pilotKeys;
  const followParents = o.parentKeys?.check(contract, o.def);
  const recordKey = o.parentKeys?.recorder(o.def);
  const ncols = o.def.columns.length;
  const shared: Value[] | undefined = o.reuseOut ? new Array(ncols).fill(null) : undefined;

  const cleanCtx = { crosswalks: o.loaded.crosswalks, ownColumn: (ref: string) => (index.get(ref) ?? Infinity) < readColumns.length };
  const keepsClean = Object.values(mapping.fields).every((f) => f.status === 'rejected' || keepsCleanText(f, cleanCtx));

  const program: RowProgram = {
    source: mapping.source,
    keepsClean,
    readColumns,
    orderBy: srcDef.primary_key,
    sourceKey,
    out: [],
    issues: [],
    warnings: [],
    evaluate(src) {
      let wide: readonly Value[] = src;
      if (joins.length > 0) {
        const w = src.slice();
        for (const j of joins) w.push(...j.match(src));
        w.length = width;
        wide = w;
      }
      if (program.warnings.length > 0) program.warnings = [];
      if (!filter(wide) || markedDeleted?.(wide) || (pilot !== undefined && !pilot.has(sourceKey(wide)))) return EXCLUDED;
      // The shared row needs no reset: a loaded row has every mapped column written, unmapped ones stay null.
      const out: Value[] = shared ?? new Array(ncols).fill(null);
      let issues: RowIssue[] | undefined;
      for (const f of fields) {
        const v = f.program(wide);
        if (isFailure(v)) {
          (issues ??= []).push({ rule: v.step, reasonCode: v.reasonCode, message: v.message });
          continue;
        }
        const c = f.conform(v);
        if (c !== null && typeof c === 'object' && 'failed' in c) {
          (issues ??= []).push({ rule: `${f.name}: target column`, reasonCode: c.reasonCode, message: c.message });
          continue;
        }
        out[f.at] = c as Value;
        for (const check of f.checks) {
          const r = check(c as Value);
          if (!r) continue;
          if (r.severity === 'error') (issues ??= []).push(r);
          else program.warnings.push({ rule: r.rule, reasonCode: r.reasonCode });
        }
      }
      for (const conform of unmapped) {
        const c = conform(null);
        if (c !== null && typeof c === 'object' && 'failed' in c) (issues ??= []).push({ rule: 'target schema', reasonCode: c.reasonCode, message: c.message });
      }
      if (issues === undefined) {
        for (const check of rowChecks) {
          const r = check(out);
          if (!r) continue;
          if (r.severity === 'error') (issues ??= []).push(r);
          else program.warnings.push({ rule: r.rule, reasonCode: r.reasonCode });
        }
      }
      if (issues === undefined && followParents) {
        const orphan = followParents(out);
        if (orphan) issues = [orphan];
      }
      if (issues === undefined) {
        recordKey?.(out);
        program.out = out;
        return LOADED;
      }
      program.issues = issues;
      return QUARANTINED;
    },
  };
  return program;
}
