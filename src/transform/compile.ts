/**
 * Compiles a field mapping into one plain function over the wide input row. This runs once per
 * field per run; the function it returns runs on every row, so each step is a closure built
 * here, failures are preallocated values (never exceptions), and no regex or allocation is
 * spent per row beyond the result strings.
 *
 * ## Semantics of a field
 *
 * 1. Starting value: `value` when given (a constant); otherwise `from`: a column (`COL` or
 *    `ALIAS.COL`), or, for a list of columns, the first value that is neither null nor blank
 *    (empty or whitespace only), else null. Giving both `value` and `from` is a contract error.
 * 2. `steps`, in order. The first step that fails stops the field: the row is quarantined
 *    with the failure's reason code, naming the field and step (`date_of_birth.parse_date`).
 * 3. The field's `crosswalk`, if any (same behaviour as the `crosswalk` step).
 * 4. `default`, when the result is still null. A failure is never replaced by the default.
 *
 * ## Values
 *
 * - Every step passes null through unchanged, except `default` (replaces null), `coalesce`
 *   (null → first non-blank of its columns) and `concat` (skips nulls).
 * - Steps read a value's string form: text as is; numbers, bigints and booleans as `String(v)`
 *   (so `null_if: ['0']` and `null_if: [0]` both match the number 0 and the text "0").
 * - Binary values (Buffers) are moved, never transformed: `null_if` leaves them alone,
 *   `default` and `coalesce` keep them as non-null, and every other step fails with
 *   `transform.type`.
 * - Failure messages say what was expected, never the value.
 *
 * ## Steps
 *
 * - `trim {side: both|left|right}`, `upper`, `lower`: as String.prototype trim/toUpperCase/
 *   toLowerCase (Unicode whitespace, locale-independent case).
 * - `title`: lower case, then upper-case the first letter after any character that is not a
 *   letter, mark or digit: "o'brien-smith" → "O'Brien-Smith", "MCDONALD" → "Mcdonald".
 * - `null_if [values]`: null when the string form equals one of the values exactly: no
 *   trimming, no case folding (put `trim` first to catch padded sentinels).
 * - `default v`: replaces null with v.
 * - `parse_date {formats, pivot=30}`: legacy date text → ISO `YYYY-MM-DD`, or
 *   `YYYY-MM-DDTHH:MM:SS` for formats with time. The first matching format wins. Tokens
 *   `yyyy yy mm dd HH MI SS`, each of exactly that many digits; other characters must match
 *   literally; the whole text must match (no surrounding spaces, nothing trailing); the date
 *   must exist (no 31/02, 29/02 only in leap years). `yy` ≤ pivot → 20yy, else 19yy. No
 *   match → `transform.parse_date`. Blank text does not match: use `null_if: ['']` first.
 * - `format_date {format}`: ISO date or timestamp (`T` or space, fractions dropped, no time
 *   zone) → text in the pattern; anything else → `transform.format_date`.
 * - `to_integer`: numbers, bigints, or text of digits with an optional sign, optional
 *   surrounding whitespace and an optional point followed only by zeros (`'12.00'`) →
 *   canonical digit text without leading zeros or `+` (`' -042 '` → `'-42'`, `'-0'` → `'0'`).
 *   Exact beyond 2^53. Anything else (`'12.5'`, `'1,000'`, `'1e3'`, blank) → `transform.to_integer`.
 * - `to_decimal {scale}`: numbers, bigints, or decimal text (`'12.345'`, `'.5'`, `'-1.5E3'`,
 *   surrounding whitespace allowed) → fixed-point text with exactly `scale` decimals, rounded
 *   half away from zero on the decimal digits as written (`0.005` → `'0.01'`, `-2.5` scale 0 →
 *   `'-3'`), exact at any size. Numbers are read by their shortest round-trip text.
 *   Otherwise → `transform.to_decimal`.
 * - `substring {start, length?}`: counted in code points from 0; past the end → `''`.
 * - `pad {length, char=' ', side=left}`: pads to `length` code points; never truncates.
 * - `concat {columns, separator=' '}`: the current value then each column's value, skipping
 *   nulls and blanks (values are not trimmed), joined by `separator`; all skipped → null.
 * - `split {separator, index}`: the index-th (from 0) part when split on the literal separator;
 *   fewer parts → null.
 * - `regex_replace {pattern, replacement, flags='g'}`: String.prototype.replace with the
 *   pattern compiled once; `$1`, `$<name>` refer to groups. An invalid pattern is a contract
 *   error at compile time.
 * - `map {values, default?}`: the string form looked up in `values` (exact match); unmatched
 *   → `default` when given (null is a valid default), else `transform.unmapped_value`.
 * - `crosswalk NAME`: source code → target code of the named crosswalk. With
 *   `case_insensitive` (the default) codes are compared trimmed and upper-cased; otherwise
 *   exactly. Unmapped → `crosswalk.unmapped` (the message names the crosswalk, not the code).
 *   The observer sees every non-null code (folded when case-insensitive) and whether it mapped.
 * - `coalesce {columns}`: when the value is null, the first column value that is neither null
 *   nor blank; else null. A non-null value (even blank) is kept.
 * - `lookup {table, key, value, required=false}`: the `value` column of the `table` row whose
 *   `key` equals the current value's string form (tables are preloaded by the engine). A miss
 *   → null, or `transform.lookup_missing` when `required`.
 */
import type { Value } from '../connectors/connector.js';
import type { Contract, FieldMapping, Step, StepName } from '../contract/model.js';
import { STEP_ARGS, stepParts } from '../contract/model.js';
import { FerryError } from '../errors.js';
import { coalesceStep, compileCrosswalk, crosswalkStep, defaultStep, lookupStep, mapStep, nullIfStep } from './code-steps.js';
import type { CompileContext, StepCompiler, StepFn } from './context.js';
import { compileDateFormat } from '../contract/date-format.js';
import { formatDateStep, parseDateStep } from './date-steps.js';
import { StepFailure, type TransformFailure } from './failure.js';
import { toDecimalStep, toIntegerStep } from './number-steps.js';
import { isBlank } from './text-value.js';
import { concatStep, lowerStep, padStep, regexReplaceStep, splitStep, substringStep, titleStep, trimStep, upperStep } from './text-steps.js';

export type { CompileContext, CrosswalkObserver } from './context.js';
export { isFailure, type TransformFailure } from './failure.js';

/** A compiled field: the wide input row to the field's target value, or the failure that quarantines the row. */
export type FieldProgram = (row: readonly Value[]) => Value | TransformFailure;

const COMPILERS: { [K in StepName]: StepCompiler<K> } = {
  trim: trimStep,
  upper: upperStep,
  lower: lowerStep,
  title: titleStep,
  null_if: nullIfStep,
  default: defaultStep,
  parse_date: parseDateStep,
  format_date: formatDateStep,
  to_integer: toIntegerStep,
  to_decimal: toDecimalStep,
  substring: substringStep,
  pad: padStep,
  concat: concatStep,
  split: splitStep,
  regex_replace: regexReplaceStep,
  map: mapStep,
  crosswalk: crosswalkStep,
  coalesce: coalesceStep,
  lookup: lookupStep,
};

/** Compiles one field mapping (source, steps, crosswalk, default) into a function over the wide row. */
export function compileField(fieldName: string, field: FieldMapping, ctx: CompileContext): FieldProgram {
  const fns: StepFn[] = field.steps.map((step) => compileStep(fieldName, step, ctx));
  if (field.crosswalk !== undefined) fns.push(compileCrosswalk(field.crosswalk, `${fieldName}.crosswalk`, ctx));
  if (field.default !== undefined) fns.push(defaultStep(field.default, `${fieldName}.default`, ctx));
  return compose(compileStart(fieldName, field, ctx), fns);
}

/**
 * True when every value the field produces is null or an ISO calendar date: its last step is
 * parse_date with date-only formats, with no crosswalk or default after it. The engine then
 * skips re-checking the date when it conforms the value to a date column.
 */
export function producesIsoDate(field: FieldMapping): boolean {
  if (field.crosswalk !== undefined || field.default !== undefined || field.value !== undefined) return false;
  const last = field.steps.at(-1);
  if (last === undefined) return false;
  const { name, args } = stepParts(last);
  if (name !== 'parse_date') return false;
  const parsed = STEP_ARGS.parse_date.safeParse(args);
  if (!parsed.success) return false;
  try {
    return parsed.data.formats.every((f) => !compileDateFormat(f).hasTime);
  } catch {
    return false;
  }
}

/** Every lookup the contract's non-rejected fields use, deduplicated, so the engine can preload them. */
export function lookupSpecs(contract: Contract): Array<{ table: string; key: string; value: string }> {
  const specs = new Map<string, { table: string; key: string; value: string }>();
  for (const mapping of Object.values(contract.mappings)) {
    for (const field of Object.values(mapping.fields)) {
      // The engine never compiles rejected fields, so preloading their tables would be wasted.
      if (field.status === 'rejected') continue;
      for (const step of field.steps) {
        const { name, args } = stepParts(step);
        if (name !== 'lookup') continue;
        const { table, key, value } = STEP_ARGS.lookup.parse(args);
        specs.set(`${table}\u0000${key}\u0000${value}`, { table, key, value });
      }
    }
  }
  return [...specs.values()];
}

function compileStep(fieldName: string, step: Step, ctx: CompileContext): StepFn {
  const { name, args } = stepParts(step);
  const label = `${fieldName}.${name}`;
  const schema = STEP_ARGS[name];
  if (schema === undefined) {
    throw new FerryError('contract', 'contract.unknown_step', `${fieldName}: unknown transform step ${String(name)}; expected one of ${Object.keys(STEP_ARGS).join(', ')}`);
  }
  const parsed = schema.safeParse(args);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
    throw new FerryError('contract', 'contract.bad_step', `${label}: invalid arguments (${why})`);
  }
  return (COMPILERS[name] as StepCompiler<StepName>)(parsed.data as never, label, ctx);
}

type Start = (row: readonly Value[]) => Value;

function compileStart(fieldName: string, field: FieldMapping, ctx: CompileContext): Start {
  if (field.value !== undefined) {
    if (field.from !== undefined) {
      throw new FerryError('contract', 'contract.ambiguous_source', `${fieldName}: give either from (a source column) or value (a constant), not both`);
    }
    const constant = field.value;
    return () => constant;
  }
  if (field.from === undefined) return () => null;
  if (typeof field.from === 'string') {
    const at = ctx.indexOf(field.from);
    return (row) => row[at];
  }
  const at = field.from.map((ref) => ctx.indexOf(ref));
  return (row) => {
    for (let k = 0; k < at.length; k++) {
      const v = row[at[k]];
      if (!isBlank(v)) return v;
    }
    return null;
  };
}

// Specialised for short chains: most fields have 0–3 steps, and a straight-line body lets V8
// inline the step closures instead of dispatching through an array.
function compose(start: Start, fns: StepFn[]): FieldProgram {
  const n = fns.length;
  if (n === 0) return start;
  if (n === 1) {
    const f0 = fns[0];
    return (row) => f0(start(row), row);
  }
  if (n === 2) {
    const [f0, f1] = fns;
    return (row) => {
      const v = f0(start(row), row);
      return v instanceof StepFailure ? v : f1(v, row);
    };
  }
  if (n === 3) {
    const [f0, f1, f2] = fns;
    return (row) => {
      let v = f0(start(row), row);
      if (v instanceof StepFailure) return v;
      v = f1(v, row);
      return v instanceof StepFailure ? v : f2(v, row);
    };
  }
  return (row) => {
    let v = start(row);
    for (let k = 0; k < n; k++) {
      const r = fns[k](v, row);
      if (r instanceof StepFailure) return r;
      v = r;
    }
    return v;
  };
}
