/**
 * Field-level differences between two contract versions, for the integration lead's review and
 * the control plane's version history. The diff is plain JSON so it can be stored and served
 * as is; formatDiff renders it for people.
 */
import { canonicalJson, contractDigest, normaliseRule, normaliseStep, sortEntries, type Json } from './canonical.js';
import type { Contract, CrosswalkEntry, FieldMapping, LoadedContract, Mapping, Threshold } from './model.js';

export type DiffOp = 'added' | 'removed' | 'changed';

export type DiffSubject =
  'metadata' | 'source_table' | 'source_column' | 'target_table' | 'target_column' | 'crosswalk' | 'crosswalk_entry' | 'mapping' | 'field' | 'row_rule' | 'threshold' | 'quality';

/** One difference. `path` locates the thing; `property` names what changed on it. */
export interface DiffChange {
  op: DiffOp;
  subject: DiffSubject;
  /** e.g. `patient.sex_code` (field), `source.PATIENT.DOB` (column), `crosswalks.sex[M]` (entry). */
  path: string;
  /** For `changed` only: the property that differs, e.g. `crosswalk`, `steps`, `target_code`. */
  property?: string;
  /** The old value (changed, removed); absent when the property was not set. */
  before?: Json;
  /** The new value (changed, added); absent when the property is no longer set. */
  after?: Json;
}

export interface ContractIdentity {
  name: string;
  version: string;
  digest: string;
}

/** A structured, JSON-serialisable diff between two loaded contracts. */
export interface ContractDiff {
  old: ContractIdentity;
  new: ContractIdentity;
  /** True when the digests are equal, i.e. nothing that matters changed. */
  identical: boolean;
  changes: DiffChange[];
}

/** Compares two contracts section by section, down to individual field properties and crosswalk codes. */
export function diffContracts(oldC: LoadedContract, newC: LoadedContract): ContractDiff {
  const a = oldC.contract;
  const b = newC.contract;
  const changes: DiffChange[] = [];
  const push = (c: DiffChange) => changes.push(c);

  props(a.metadata, b.metadata).forEach((p) => push({ op: 'changed', subject: 'metadata', path: 'metadata', ...p }));
  diffTables('source', a, b, push);
  diffTables('target', a, b, push);
  diffCrosswalks(oldC, newC, push);
  for (const name of union(a.mappings, b.mappings)) diffMapping(name, a.mappings[name], b.mappings[name], push);
  diffQuality(a, b, push);

  const identity = (l: LoadedContract): ContractIdentity => ({
    name: l.contract.metadata.name,
    version: l.contract.metadata.version,
    digest: contractDigest(l),
  });
  const left = identity(oldC);
  const right = identity(newC);
  return { old: left, new: right, identical: left.digest === right.digest, changes };
}

type Push = (c: DiffChange) => void;

function diffTables(side: 'source' | 'target', a: Contract, b: Contract, push: Push): void {
  const ta = a[side].tables;
  const tb = b[side].tables;
  const tableSubject = `${side}_table` as const;
  const columnSubject = `${side}_column` as const;
  for (const name of union(ta, tb)) {
    const path = `${side}.${name}`;
    const x = ta[name];
    const y = tb[name];
    if (!x || !y) {
      push({ op: x ? 'removed' : 'added', subject: tableSubject, path, ...(x ? { before: json(x) } : { after: json(y) }) });
      continue;
    }
    props(x, y, ['description', 'primary_key', 'foreign_keys']).forEach((p) => push({ op: 'changed', subject: tableSubject, path, ...p }));
    for (const col of union(x.columns, y.columns)) {
      const cx = x.columns[col];
      const cy = y.columns[col];
      const colPath = `${path}.${col}`;
      if (!cx || !cy) push({ op: cx ? 'removed' : 'added', subject: columnSubject, path: colPath, ...(cx ? { before: json(cx) } : { after: json(cy) }) });
      else props(cx, cy).forEach((p) => push({ op: 'changed', subject: columnSubject, path: colPath, ...p }));
    }
  }
}

function diffCrosswalks(oldC: LoadedContract, newC: LoadedContract, push: Push): void {
  const da = oldC.contract.crosswalks;
  const db = newC.contract.crosswalks;
  for (const name of union(da, db)) {
    const path = `crosswalks.${name}`;
    if (!da[name] || !db[name]) {
      const ref = da[name] ?? db[name];
      push({ op: da[name] ? 'removed' : 'added', subject: 'crosswalk', path, ...(da[name] ? { before: json(ref) } : { after: json(ref) }) });
      continue;
    }
    props(da[name], db[name]).forEach((p) => push({ op: 'changed', subject: 'crosswalk', path, ...p }));
    const ea = byCode(oldC.crosswalks[name] ?? []);
    const eb = byCode(newC.crosswalks[name] ?? []);
    for (const code of union(Object.fromEntries(ea), Object.fromEntries(eb))) {
      const x = ea.get(code);
      const y = eb.get(code);
      const entryPath = `${path}[${code}]`;
      if (!x || !y) push({ op: x ? 'removed' : 'added', subject: 'crosswalk_entry', path: entryPath, ...(x ? { before: json(x) } : { after: json(y) }) });
      else props(x, y).forEach((p) => push({ op: 'changed', subject: 'crosswalk_entry', path: entryPath, ...p }));
    }
  }
}

function diffMapping(name: string, x: Mapping | undefined, y: Mapping | undefined, push: Push): void {
  if (!x || !y) {
    push({ op: x ? 'removed' : 'added', subject: 'mapping', path: name, ...(x ? { before: mappingJson(x) } : { after: mappingJson(y!) }) });
    return;
  }
  props(x, y, ['description', 'source', 'joins', 'filter', 'key', 'load', 'sync']).forEach((p) => push({ op: 'changed', subject: 'mapping', path: name, ...p }));
  for (const f of union(x.fields, y.fields)) {
    const fx = x.fields[f];
    const fy = y.fields[f];
    const path = `${name}.${f}`;
    if (!fx || !fy) push({ op: fx ? 'removed' : 'added', subject: 'field', path, ...(fx ? { before: fieldJson(fx) } : { after: fieldJson(fy) }) });
    else props(fieldJson(fx) as Record<string, unknown>, fieldJson(fy) as Record<string, unknown>, FIELD_PROPS).forEach((p) => push({ op: 'changed', subject: 'field', path, ...p }));
  }
  const rx = Object.fromEntries(x.row_rules.map((r) => [r.name, r]));
  const ry = Object.fromEntries(y.row_rules.map((r) => [r.name, r]));
  for (const r of union(rx, ry)) {
    const path = `${name}.row_rules.${r}`;
    if (!rx[r] || !ry[r]) push({ op: rx[r] ? 'removed' : 'added', subject: 'row_rule', path, ...(rx[r] ? { before: json(rx[r]) } : { after: json(ry[r]) }) });
    else props(rx[r], ry[r]).forEach((p) => push({ op: 'changed', subject: 'row_rule', path, ...p }));
  }
}

function diffQuality(a: Contract, b: Contract, push: Push): void {
  props(a.quality, b.quality, ['example_keys']).forEach((p) => push({ op: 'changed', subject: 'quality', path: 'quality', ...p }));
  const id = (t: Threshold) => `${t.kpi}/${t.table ?? '*'}/${t.tiers?.join('+') ?? '*'}`;
  const ta = Object.fromEntries(a.quality.thresholds.map((t) => [id(t), t]));
  const tb = Object.fromEntries(b.quality.thresholds.map((t) => [id(t), t]));
  for (const key of union(ta, tb)) {
    const path = `quality.thresholds[${key}]`;
    if (!ta[key] || !tb[key]) push({ op: ta[key] ? 'removed' : 'added', subject: 'threshold', path, ...(ta[key] ? { before: json(ta[key]) } : { after: json(tb[key]) }) });
    else props(ta[key], tb[key], ['fail_below', 'warn_below']).forEach((p) => push({ op: 'changed', subject: 'threshold', path, ...p }));
  }
}

const FIELD_PROPS = ['from', 'value', 'steps', 'crosswalk', 'rules', 'default', 'rationale', 'status'];

// Steps and rules are compared in their normal spelling, so `trim` → `{ trim: {} }` is no change.
function fieldJson(f: FieldMapping): Json {
  return json({ ...f, steps: f.steps.map(normaliseStep), rules: f.rules.map(normaliseRule) });
}

function mappingJson(m: Mapping): Json {
  const fields: Record<string, Json> = {};
  for (const [k, f] of Object.entries(m.fields)) fields[k] = fieldJson(f);
  return json({ ...m, fields });
}

function byCode(entries: CrosswalkEntry[]): Map<string, CrosswalkEntry> {
  return new Map(sortEntries(entries).map((e) => [e.source_code, e]));
}

/** Properties whose canonical JSON differs; `keys` limits and orders them. */
function props(x: object, y: object, keys?: string[]): Array<Pick<DiffChange, 'property' | 'before' | 'after'>> {
  const rx = x as Record<string, unknown>;
  const ry = y as Record<string, unknown>;
  const out: Array<Pick<DiffChange, 'property' | 'before' | 'after'>> = [];
  for (const key of keys ?? union(rx, ry)) {
    if (canonicalJson(rx[key] ?? null) === canonicalJson(ry[key] ?? null)) continue;
    out.push({
      property: key,
      ...(rx[key] === undefined ? {} : { before: json(rx[key]) }),
      ...(ry[key] === undefined ? {} : { after: json(ry[key]) }),
    });
  }
  return out;
}

function union(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])];
}

function json(v: unknown): Json {
  return JSON.parse(canonicalJson(v)) as Json;
}

/** Renders a diff one change per line: `+ mapping patient.field nhs_number`, `~ patient.sex_code.crosswalk: sex_v1 → sex_v2`. */
export function formatDiff(diff: ContractDiff): string {
  const head = `--- ${diff.old.name} ${diff.old.version} (${diff.old.digest.slice(0, 12)})\n+++ ${diff.new.name} ${diff.new.version} (${diff.new.digest.slice(0, 12)})`;
  if (diff.identical && diff.changes.length === 0) return `${head}\nno differences`;
  const lines = diff.changes.map(formatChange);
  if (diff.identical) lines.push('(layout only: the digests are equal)');
  return `${head}\n${lines.join('\n')}`;
}

function formatChange(c: DiffChange): string {
  if (c.op === 'changed') return `~ ${c.path}.${c.property}: ${show(c.before)} → ${show(c.after)}`;
  const sign = c.op === 'added' ? '+' : '-';
  return `${sign} ${describeSubject(c)}`;
}

function describeSubject(c: DiffChange): string {
  const dot = c.path.indexOf('.');
  const head = c.path.slice(0, dot);
  const rest = c.path.slice(dot + 1);
  switch (c.subject) {
    case 'source_table':
    case 'target_table':
      return `${head} table ${rest}`;
    case 'source_column':
    case 'target_column': {
      const [table, column] = [rest.slice(0, rest.indexOf('.')), rest.slice(rest.indexOf('.') + 1)];
      return `${head} table ${table}.column ${column}`;
    }
    case 'crosswalk':
      return `crosswalk ${rest}`;
    case 'crosswalk_entry': {
      const entry = (c.after ?? c.before) as unknown as CrosswalkEntry;
      const name = rest.slice(0, rest.indexOf('['));
      return `crosswalk ${name}.code ${entry.source_code} → ${entry.target_code} (${entry.target_display})`;
    }
    case 'mapping':
      return `mapping ${c.path}`;
    case 'field':
      return `mapping ${head}.field ${rest}`;
    case 'row_rule':
      return `mapping ${head}.row_rule ${rest.slice('row_rules.'.length)}`;
    case 'threshold':
      return `threshold ${c.path.slice('quality.thresholds'.length)}`;
    default:
      return c.path;
  }
}

function show(v: Json | undefined): string {
  if (v === undefined) return '(unset)';
  if (typeof v === 'string') return v === '' ? "''" : v;
  return JSON.stringify(v);
}
