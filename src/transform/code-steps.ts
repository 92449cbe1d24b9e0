/**
 * Code and null-handling steps: null_if, default, map, crosswalk, coalesce, lookup. Codes are
 * compared by their string form, so the number 1 and the text "1" are the same code.
 */
import type { Value } from '../connectors/connector.js';
import { FerryError } from '../errors.js';
import type { CompileContext, StepCompiler, StepFn } from './context.js';
import { crosswalkTable } from './crosswalk-table.js';
import { binaryFailure, StepFailure } from './failure.js';
import { isBlank, textOf } from './text-value.js';

/** `null_if [values]`: null when the value's string form equals one listed (exactly: no trimming, no case folding). */
export const nullIfStep: StepCompiler<'null_if'> = (values) => {
  const set = new Set(values.filter((x) => x !== null).map(String));
  if (set.size === 1) {
    // One sentinel (the usual case): comparing strings is cheaper than hashing each fresh value.
    const [only] = set;
    return (v) => {
      if (typeof v === 'string') return v === only ? null : v;
      if (v === null) return null;
      return textOf(v) === only ? null : v;
    };
  }
  return (v) => {
    if (typeof v === 'string') return set.has(v) ? null : v;
    if (v === null) return null;
    const s = textOf(v);
    return s !== undefined && set.has(s) ? null : v;
  };
};

/** `default v`: replaces null. */
export const defaultStep: StepCompiler<'default'> = (value) => (v) => (v === null ? value : v);

/** `map {values, default}`: translates codes; an unmatched code takes `default`, or fails when there is none. */
export const mapStep: StepCompiler<'map'> = (args, label) => {
  const table = new Map<string, Value>(Object.entries(args.values));
  const hasDefault = args.default !== undefined;
  const fallback: Value = args.default ?? null;
  const unmapped = new StepFailure(label, 'transform.unmapped_value', `code not listed in the map's values (${table.size} codes) and the map has no default`);
  const typeFail = binaryFailure(label);
  return (v) => {
    if (v === null) return null;
    const s = typeof v === 'string' ? v : textOf(v);
    if (s === undefined) return typeFail;
    const mapped = table.get(s);
    if (mapped !== undefined) return mapped;
    return hasDefault ? fallback : unmapped;
  };
};

/** `crosswalk NAME` (and a field's `crosswalk`): source code to target code, reporting each code to the observer. */
export const crosswalkStep: StepCompiler<'crosswalk'> = (name, label, ctx) => compileCrosswalk(name, label, ctx);

/** Compiles a crosswalk translation; shared by the step and the field-level `crosswalk`. */
export function compileCrosswalk(name: string, label: string, ctx: CompileContext): StepFn {
  const entries = ctx.crosswalks[name];
  if (entries === undefined) {
    throw new FerryError('contract', 'contract.unknown_crosswalk', `${label}: no crosswalk named ${name} is loaded; declare it under crosswalks with its file`);
  }
  const caseInsensitive = ctx.crosswalkRefs[name]?.case_insensitive ?? true;
  const table = crosswalkTable(name, entries, caseInsensitive);
  const unmapped = new StepFailure(label, 'crosswalk.unmapped', `code not found in crosswalk ${name}`);
  const typeFail = binaryFailure(label);
  const observer = ctx.observer;
  return (v) => {
    if (v === null) return null;
    let code = typeof v === 'string' ? v : textOf(v);
    if (code === undefined) return typeFail;
    let target = table.get(code);
    // Keys are stored folded, so a direct hit means the code was already folded; fold only on a miss.
    if (target === undefined && caseInsensitive) {
      code = code.trim().toUpperCase();
      target = table.get(code);
    }
    if (observer !== undefined) observer.seen(name, code, target !== undefined);
    return target === undefined ? unmapped : target;
  };
}

/** `coalesce {columns}`: when the value is null, the first of the columns that is not null or blank. */
export const coalesceStep: StepCompiler<'coalesce'> = ({ columns }, _label, ctx) => {
  const at = columns.map((c) => ctx.indexOf(c));
  return (v, row) => {
    if (v !== null) return v;
    for (let k = 0; k < at.length; k++) {
      const c = row[at[k]];
      if (!isBlank(c)) return c;
    }
    return null;
  };
};

/** `lookup {table, key, value, required}`: the value column of the preloaded row whose key matches; a miss is null or, when required, a failure. */
export const lookupStep: StepCompiler<'lookup'> = ({ table, key, value, required }, label, ctx) => {
  const rows = ctx.lookup(table, key, value);
  const missing = new StepFailure(label, 'transform.lookup_missing', `no row of ${table} has this ${key}`);
  const typeFail = binaryFailure(label);
  return (v) => {
    if (v === null) return null;
    const s = typeof v === 'string' ? v : textOf(v);
    if (s === undefined) return typeFail;
    const found = rows.get(s);
    if (found !== undefined) return found;
    return required ? missing : null;
  };
};
