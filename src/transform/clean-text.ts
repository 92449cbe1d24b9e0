/**
 * Which fields keep text clean: free of backslashes, tabs, newlines and carriage returns, the
 * characters a text format must escape. A PostgreSQL source delivers rows whose COPY text held
 * no backslash as clean (COPY escapes exactly those characters), and the PostgreSQL target can
 * then skip its per-value escape scan for fields that cannot add such a character. Every step
 * either keeps, removes or recases characters of clean input, or adds characters taken from the
 * contract (a constant, a separator, a crosswalk code), which are checked here. An unknown or
 * data-dependent step (lookup) makes the field unclean: the answer must never be wrongly yes.
 */
import type { FieldMapping, StepName } from '../contract/model.js';
import { STEP_ARGS, stepParts } from '../contract/model.js';
import type { CrosswalkEntry } from '../contract/model.js';

const UNCLEAN = /[\\\t\n\r]/;

/** True when a constant's text form needs no escaping. */
export function isCleanText(value: unknown): boolean {
  return value === null || value === undefined || !UNCLEAN.test(String(value));
}

export interface CleanTextContext {
  crosswalks: Record<string, readonly CrosswalkEntry[]>;
  /** True for a column of the row being mapped (whose values are clean); false for joined columns. */
  ownColumn(ref: string): boolean;
}

// Steps whose output is made only of input characters (possibly recased or fewer), digits,
// signs, points, date separators, or nothing.
const KEEPS: ReadonlySet<StepName> = new Set<StepName>(['trim', 'upper', 'lower', 'title', 'null_if', 'parse_date', 'to_integer', 'to_decimal', 'substring', 'split']);

function crosswalkClean(name: string, ctx: CleanTextContext): boolean {
  const entries = ctx.crosswalks[name];
  return entries !== undefined && entries.every((e) => isCleanText(e.target_code));
}

function stepKeepsClean(name: StepName, raw: unknown, ctx: CleanTextContext): boolean {
  if (KEEPS.has(name)) return true;
  switch (name) {
    case 'default': {
      const a = STEP_ARGS.default.safeParse(raw);
      return a.success && isCleanText(a.data);
    }
    case 'format_date': {
      const a = STEP_ARGS.format_date.safeParse(raw);
      return a.success && isCleanText(a.data.format);
    }
    case 'pad': {
      const a = STEP_ARGS.pad.safeParse(raw);
      return a.success && isCleanText(a.data.char);
    }
    case 'concat': {
      const a = STEP_ARGS.concat.safeParse(raw);
      return a.success && isCleanText(a.data.separator) && a.data.columns.every((c) => ctx.ownColumn(c));
    }
    case 'regex_replace': {
      // `$1` and `$&` copy input characters; only the replacement's own text can add new ones.
      const a = STEP_ARGS.regex_replace.safeParse(raw);
      return a.success && isCleanText(a.data.replacement);
    }
    case 'map': {
      const a = STEP_ARGS.map.safeParse(raw);
      return a.success && Object.values(a.data.values).every(isCleanText) && isCleanText(a.data.default);
    }
    case 'crosswalk': {
      const a = STEP_ARGS.crosswalk.safeParse(raw);
      return a.success && crosswalkClean(a.data, ctx);
    }
    case 'coalesce': {
      const a = STEP_ARGS.coalesce.safeParse(raw);
      return a.success && a.data.columns.every((c) => ctx.ownColumn(c));
    }
    default:
      return false;
  }
}

/** True when the field's value needs no escaping whenever the values of the row it maps need none. */
export function keepsCleanText(field: FieldMapping, ctx: CleanTextContext): boolean {
  if (field.value !== undefined && !isCleanText(field.value)) return false;
  if (field.from !== undefined && !(typeof field.from === 'string' ? [field.from] : field.from).every((c) => ctx.ownColumn(c))) return false;
  if (field.crosswalk !== undefined && !crosswalkClean(field.crosswalk, ctx)) return false;
  if (field.default !== undefined && !isCleanText(field.default)) return false;
  return field.steps.every((step) => {
    const { name, args } = stepParts(step);
    return stepKeepsClean(name, args, ctx);
  });
}
