/**
 * The contract's identity. A run is pinned to this digest, so it must change exactly when the
 * meaning changes: YAML layout, comments, key order and how a crosswalk CSV is laid out never
 * change it; a changed value, step or code always does.
 */
import { createHash } from 'node:crypto';
import { ruleParts, stepParts, type Contract, type CrosswalkEntry, type LoadedContract, type Rule, type Step } from './model.js';

/** JSON-compatible value, the only kind the canonical form holds. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Version of the canonical form itself; bump it if the rules below ever change. */
export const CANONICAL_VERSION = 1;

/** The canonical form: parsed contract (defaults applied, steps and rules in one spelling) plus crosswalk contents. */
export function canonicalForm(loaded: Pick<LoadedContract, 'contract' | 'crosswalks'>): Json {
  const crosswalks: Record<string, Json> = {};
  for (const [name, entries] of Object.entries(loaded.crosswalks)) crosswalks[name] = sortEntries(entries) as unknown as Json;
  return {
    canonical_version: CANONICAL_VERSION,
    contract: normaliseContract(loaded.contract),
    crosswalks,
  };
}

/** SHA-256 hex of the canonical form serialised with sorted keys. */
export function contractDigest(loaded: Pick<LoadedContract, 'contract' | 'crosswalks'>): string {
  return createHash('sha256')
    .update(canonicalJson(canonicalForm(loaded)))
    .digest('hex');
}

/** JSON with object keys sorted recursively and undefined members dropped; array order is kept. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** Writes a step as `{ name: args }` with defaults applied, so `trim` and `{ trim: {} }` are one thing. */
export function normaliseStep(step: Step): Json {
  const { name, args } = stepParts(step);
  return { [name]: sortKeys(args) as Json };
}

/** Writes a rule as `{ name: args, severity }` with defaults applied. */
export function normaliseRule(rule: Rule): Json {
  const { name, args, severity } = ruleParts(rule);
  return { [name]: sortKeys(args) as Json, severity };
}

/** The contract with every step and rule in its normal spelling. */
export function normaliseContract(contract: Contract): Json {
  const mappings: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(contract.mappings)) {
    const fields: Record<string, unknown> = {};
    for (const [f, field] of Object.entries(m.fields)) fields[f] = { ...field, steps: field.steps.map(normaliseStep), rules: field.rules.map(normaliseRule) };
    mappings[name] = { ...m, fields };
  }
  return sortKeys({ ...contract, mappings }) as Json;
}

/** Entries ordered by source code (then the other columns, so the order is total). */
export function sortEntries(entries: readonly CrosswalkEntry[]): CrosswalkEntry[] {
  const key = (e: CrosswalkEntry) => [e.source_code, e.target_code, e.target_display, e.equivalence, e.note];
  return [...entries]
    .map((e) => ({ source_code: e.source_code, target_code: e.target_code, target_display: e.target_display, equivalence: e.equivalence, note: e.note }))
    .sort((a, b) => compareTuples(key(a), key(b)));
}

// Plain code-unit comparison: localeCompare would make the digest depend on the machine's locale.
function compareTuples(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort(compareKeys)) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
