/**
 * Turns zod issues into analyst-readable contract issues: what was expected, what was found,
 * and where in the YAML. Steps and rules are unions of twenty-odd one-key maps, for which zod's
 * own union report says nothing useful, so they are re-checked against STEP_ARGS / RULE_ARGS.
 */
import type { z } from 'zod';
import { issue, type Issue } from '../errors.js';
import { RULE_ARGS, RULE_NAMES, STEP_ARGS, STEP_NAMES } from './model.js';
import { formatPath, type Anchor, type PathSegment, type Positions } from './positions.js';
import { didYouMean } from './suggest.js';

type ZodIssue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

interface Context {
  /** Schema the issue paths are relative to; undefined when it cannot be known (inside unions). */
  schema: AnySchema | undefined;
  /** Raw YAML value the issue paths are relative to. */
  value: unknown;
  /** Absolute path of `value` in the contract. */
  prefix: PathSegment[];
  /** Prepended to messages, e.g. `step 'parse_date': `. */
  label: string;
  positions: Positions;
  file: string;
}

/** Explains zod's issues for the raw contract `raw` validated against `schema`. */
export function explainSchemaIssues(zodIssues: readonly ZodIssue[], raw: unknown, schema: AnySchema, positions: Positions, file: string): Issue[] {
  const ctx: Context = { schema, value: raw, prefix: [], label: '', positions, file };
  // zod sometimes reports a step's argument errors directly (when only one union branch got
  // far), sometimes as a union failure; re-check each failing step or rule once, from the raw
  // YAML, so both cases read the same.
  const seen = new Set<string>();
  const out: Issue[] = [];
  for (const zi of zodIssues) {
    const path = zi.path.filter((p): p is PathSegment => typeof p !== 'symbol');
    const item = path.slice(0, 6);
    const list = isListItem(item, 'steps') ? 'steps' : isListItem(item, 'rules') ? 'rules' : undefined;
    if (!list) {
      out.push(...explain(zi, ctx));
      continue;
    }
    const key = formatPath(item);
    if (seen.has(key)) continue;
    seen.add(key);
    const found = valueAt(raw, item);
    out.push(...(list === 'steps' ? explainStep(found, item, ctx) : explainRule(found, item, ctx)));
  }
  return out;
}

function explain(zi: ZodIssue, ctx: Context): Issue[] {
  const rel = zi.path.filter((p): p is PathSegment => typeof p !== 'symbol');
  const abs = [...ctx.prefix, ...rel];
  const found = valueAt(ctx.value, rel);
  const emit = (code: string, message: string, at: PathSegment[] = abs, anchor: Anchor = 'value'): Issue =>
    issue(`contract.${code}`, formatPath(at), ctx.label + message, { file: ctx.file, ...ctx.positions.at(at, anchor) });

  switch (zi.code) {
    case 'invalid_union':
      return explainUnion(zi, rel, found, abs, ctx, emit);
    case 'invalid_type':
      if (found === undefined) {
        const key = abs[abs.length - 1];
        return [emit('missing_key', `missing required key '${key}': expected ${expectedType(zi.expected)}`)];
      }
      return [emit('invalid_type', `expected ${expectedType(zi.expected)}; found ${describe(found)}`)];
    case 'invalid_value': {
      if (found === undefined) return [emit('missing_key', `missing required key '${abs[abs.length - 1]}': expected ${zi.values.map(fmtValue).join(' or ')}`)];
      const values = zi.values.map((v) => String(v));
      const expected = values.length === 1 ? fmtValue(zi.values[0]) : `one of ${values.join(', ')}`;
      const hint = typeof found === 'string' ? didYouMean(found, values) : '';
      return [emit('invalid_value', `expected ${expected}; found ${describe(found)}${hint}`)];
    }
    case 'unrecognized_keys': {
      const allowed = objectKeys(schemaAt(ctx.schema, rel));
      return zi.keys.map((key) => {
        const expected = allowed ? `; expected one of ${allowed.join(', ')}${didYouMean(key, allowed)}` : '';
        return emit('unknown_key', `unknown key '${key}'${expected}`, [...abs, key], 'key');
      });
    }
    case 'invalid_key': {
      const key = abs[abs.length - 1];
      const why = zi.issues.map((inner) => expectation(inner)).join('; ');
      return [emit('invalid_key', `invalid name '${key}': expected ${why}`, abs, 'key')];
    }
    case 'invalid_format':
    case 'too_small':
    case 'too_big':
      return [emit(zi.code, `expected ${expectation(zi)}; found ${describe(found)}`)];
    case 'custom':
      return [emit('invalid', `expected ${zi.message}`)];
    default:
      return [emit('invalid', zi.message)];
  }
}

/** Generic unions: report against the branch whose type matched, or list the accepted types. */
function explainUnion(zi: Extract<ZodIssue, { code: 'invalid_union' }>, rel: PathSegment[], found: unknown, abs: PathSegment[], ctx: Context, emit: (code: string, message: string) => Issue): Issue[] {
  const rootMismatch = (e: ZodIssue) => e.path.length === 0 && (e.code === 'invalid_type' || e.code === 'invalid_value');
  const candidates = zi.errors.map((errors, index) => ({ errors, index })).filter((b) => b.errors.length > 0 && !b.errors.some(rootMismatch));
  if (candidates.length === 0) {
    const expected = new Set<string>();
    for (const errors of zi.errors)
      for (const e of errors) {
        if (e.code === 'invalid_type') expected.add(expectedType(e.expected));
        else if (e.code === 'invalid_value') for (const v of e.values) expected.add(fmtValue(v));
      }
    if (found === undefined) return [emit('missing_key', `missing required key '${abs[abs.length - 1]}': expected ${joinOr([...expected])}`)];
    return [emit('invalid_type', `expected ${joinOr([...expected])}; found ${describe(found)}`)];
  }
  const best = candidates.reduce((a, b) => (b.errors.length < a.errors.length ? b : a));
  const branch = unionOptions(schemaAt(ctx.schema, rel))?.[best.index];
  const sub: Context = { ...ctx, schema: branch, value: found, prefix: abs };
  return best.errors.flatMap((e) => explain(e, sub));
}

function explainStep(found: unknown, abs: PathSegment[], ctx: Context): Issue[] {
  return explainNamed(found, abs, ctx, {
    kind: 'transform step',
    short: 'step',
    names: STEP_NAMES,
    args: STEP_ARGS as Record<string, AnySchema>,
    extraKeys: [],
  });
}

function explainRule(found: unknown, abs: PathSegment[], ctx: Context): Issue[] {
  return explainNamed(found, abs, ctx, {
    kind: 'rule',
    short: 'rule',
    names: RULE_NAMES,
    args: RULE_ARGS as Record<string, AnySchema>,
    extraKeys: ['severity'],
  });
}

interface Registry {
  kind: string;
  short: string;
  names: readonly string[];
  args: Record<string, AnySchema>;
  /** Keys allowed beside the name, e.g. a rule's `severity`. */
  extraKeys: string[];
}

function explainNamed(found: unknown, abs: PathSegment[], ctx: Context, reg: Registry): Issue[] {
  const at = (path: PathSegment[], anchor: Anchor = 'value') => ({ file: ctx.file, ...ctx.positions.at(path, anchor) });
  const unknown = (name: string, path: PathSegment[], anchor: Anchor) =>
    issue(`contract.unknown_${reg.short}`, formatPath(path), `unknown ${reg.kind} '${name}'; expected one of ${reg.names.join(', ')}${didYouMean(name, reg.names)}`, at(path, anchor));
  if (typeof found === 'string') {
    if (!reg.names.includes(found)) return [unknown(found, abs, 'value')];
    return [issue(`contract.invalid_${reg.short}`, formatPath(abs), `${reg.short} '${found}' needs arguments; expected a map such as { ${found}: { … } }; found the bare name`, at(abs))];
  }
  if (!isPlainObject(found)) {
    return [issue(`contract.invalid_${reg.short}`, formatPath(abs), `expected a ${reg.short} name or a one-key map { name: arguments }; found ${describe(found)}`, at(abs))];
  }
  const out: Issue[] = [];
  const names = Object.keys(found).filter((k) => !reg.extraKeys.includes(k));
  if (names.length !== 1) {
    const what = names.length === 0 ? 'none' : names.map((n) => `'${n}'`).join(', ');
    return [issue(`contract.invalid_${reg.short}`, formatPath(abs), `expected exactly one ${reg.short} name as the map's key; found ${what}`, at(abs))];
  }
  const name = names[0];
  if (!reg.names.includes(name)) return [unknown(name, [...abs, name], 'key')];
  if ('severity' in found && reg.extraKeys.includes('severity')) {
    const sev = found.severity;
    if (sev !== 'error' && sev !== 'warning')
      out.push(issue('contract.invalid_value', formatPath([...abs, 'severity']), `${reg.short} '${name}': expected one of error, warning; found ${describe(sev)}`, at([...abs, 'severity'])));
  }
  const schema = reg.args[name];
  const result = (schema as z.ZodType).safeParse(found[name]);
  if (!result.success) {
    const sub: Context = { ...ctx, schema, value: found[name], prefix: [...abs, name], label: `${reg.short} '${name}': ` };
    out.push(...result.error.issues.flatMap((e) => explain(e, sub)));
  }
  return out;
}

/** True for `mappings.M.fields.F.<list>.N`, the paths of a field's steps or rules. */
function isListItem(abs: PathSegment[], list: 'steps' | 'rules'): boolean {
  return abs.length === 6 && abs[0] === 'mappings' && abs[2] === 'fields' && abs[4] === list && typeof abs[5] === 'number';
}

function expectation(zi: ZodIssue): string {
  const custom = !/^(Invalid|Too (small|big))/.test(zi.message);
  if (custom) return zi.message;
  if (zi.code === 'invalid_format') return zi.format === 'regex' && 'pattern' in zi ? `text matching ${zi.pattern}` : `a ${zi.format}`;
  if (zi.code === 'too_small' || zi.code === 'too_big') {
    const small = zi.code === 'too_small';
    const limit = Number(small ? zi.minimum : zi.maximum);
    const exact = 'exact' in zi && zi.exact;
    const bound = exact ? 'exactly' : small ? 'at least' : 'at most';
    if (zi.origin === 'string') return limit === 1 && small && !exact ? 'non-empty text' : `text of ${bound} ${plural(limit, 'character')}`;
    if (zi.origin === 'array') return `a list of ${bound} ${plural(limit, 'item')}`;
    const strict = zi.inclusive === false;
    return `a number ${small ? (strict ? '>' : '≥') : strict ? '<' : '≤'} ${limit}`;
  }
  return zi.message;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a map',
  array: 'a list',
  null: 'an empty value',
};

function expectedType(expected: string): string {
  return TYPE_WORDS[expected] ?? expected;
}

/** Describes a raw YAML value without dumping it whole. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return fmtValue(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${plural(value.length, 'item')}`;
  if (isPlainObject(value)) return Object.keys(value).length === 0 ? 'an empty map' : 'a map';
  return typeof value;
}

function fmtValue(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}

function joinOr(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function valueAt(root: unknown, path: PathSegment[]): unknown {
  let v = root;
  for (const seg of path) {
    if (Array.isArray(v) && typeof seg === 'number') v = v[seg];
    else if (isPlainObject(v) && Object.hasOwn(v, seg)) v = v[seg as string];
    else return undefined;
  }
  return v;
}

// zod keeps each schema's definition on `_zod.def`; walking it lets an unknown-key message list
// the keys that are allowed at that point.
interface Def {
  type: string;
  innerType?: AnySchema;
  shape?: Record<string, AnySchema>;
  valueType?: AnySchema;
  element?: AnySchema;
  options?: AnySchema[];
  in?: AnySchema;
}

function defOf(schema: AnySchema): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function unwrap(schema: AnySchema | undefined): AnySchema | undefined {
  let s = schema;
  for (let guard = 0; s && guard < 10; guard++) {
    const def = defOf(s);
    if ((def.type === 'default' || def.type === 'optional' || def.type === 'nullable' || def.type === 'prefault') && def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else break;
  }
  return s;
}

function schemaAt(schema: AnySchema | undefined, path: PathSegment[]): AnySchema | undefined {
  let s = unwrap(schema);
  for (const seg of path) {
    if (!s) return undefined;
    const def = defOf(s);
    if (def.type === 'object' && def.shape) s = unwrap(def.shape[String(seg)]);
    else if (def.type === 'record') s = unwrap(def.valueType);
    else if (def.type === 'array') s = unwrap(def.element);
    else return undefined;
  }
  return s;
}

function objectKeys(schema: AnySchema | undefined): string[] | undefined {
  if (!schema) return undefined;
  const def = defOf(schema);
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
}

function unionOptions(schema: AnySchema | undefined): AnySchema[] | undefined {
  if (!schema) return undefined;
  const def = defOf(schema);
  return def.type === 'union' ? def.options : undefined;
}
