/**
 * Turns the draft contract the server suggested into the contract the analyst reviewed: each
 * field accepted, changed (another source column) or rejected with its rationale, crosswalks
 * declared from the codes mapped in place, and quality thresholds per tier. The draft is edited
 * through the yaml document model, so everything the review does not touch stays as drafted.
 */
import { parseDocument } from 'yaml';
import type { Tier } from './types.js';

export type Decision = 'accept' | 'change' | 'reject';

export interface FieldReview {
  decision: Decision;
  /** The chosen source column when changed. */
  column?: string;
  rationale: string;
}

export interface CrosswalkDraft {
  /** target "table.field" the crosswalk serves. */
  target: string;
  /** legacy code → target code ('' = not mapped yet: those rows stay quarantined). */
  codes: Record<string, string>;
}

export interface ReviewedContract {
  yaml: string;
  crosswalks: Record<string, string>;
}

export const KPIS = ['completeness', 'validity', 'referential_integrity', 'code_coverage', 'uniqueness'] as const;
export type Thresholds = Record<Tier, Partial<Record<(typeof KPIS)[number], string>>>;

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The mapping's source table for each target table of a draft contract. */
export function mappingSources(draftYaml: string): Record<string, string> {
  const doc = parseDocument(draftYaml).toJS() as { mappings?: Record<string, { source?: string }> };
  const out: Record<string, string> = {};
  for (const [table, m] of Object.entries(doc.mappings ?? {})) if (m?.source) out[table] = m.source;
  return out;
}

/** Applies the review to the draft; returns the contract YAML and the crosswalk files it names. */
export function applyReview(
  draftYaml: string,
  o: { name: string; version: string; fields: Record<string, FieldReview>; crosswalks: Record<string, CrosswalkDraft>; thresholds: Thresholds },
): ReviewedContract {
  const doc = parseDocument(draftYaml);
  doc.setIn(['metadata', 'name'], o.name);
  doc.setIn(['metadata', 'version'], o.version);
  for (const [target, review] of Object.entries(o.fields)) {
    const [table, field] = target.split('.');
    const path = ['mappings', table, 'fields', field];
    if (!doc.hasIn(path)) continue;
    if (review.rationale.trim()) doc.setIn([...path, 'rationale'], review.rationale.trim());
    if (review.decision === 'reject') {
      doc.setIn([...path, 'status'], 'rejected');
      continue;
    }
    if (review.decision === 'change' && review.column) {
      doc.setIn([...path, 'from'], review.column);
      doc.deleteIn([...path, 'value']);
      // The drafted steps fitted the drafted column's values; a different column starts clean.
      doc.setIn([...path, 'steps'], doc.createNode([]));
    }
    doc.setIn([...path, 'status'], 'accepted');
  }
  const files: Record<string, string> = {};
  for (const [name, cw] of Object.entries(o.crosswalks)) {
    const rows = Object.entries(cw.codes).filter(([, to]) => to.trim() !== '');
    // The crosswalk loader refuses an empty code list: until a code is mapped the draft's empty map stays.
    if (rows.length === 0) continue;
    const [table, field] = cw.target.split('.');
    const path = ['mappings', table, 'fields', field];
    if (!doc.hasIn(path) || o.fields[cw.target]?.decision === 'reject') continue;
    const file = `crosswalks/${name}.csv`;
    files[file] =
      ['source_code,target_code,target_display,equivalence,note', ...rows.map(([from, to]) => [from, to.trim(), to.trim(), 'equivalent', 'mapped in the Ferry wizard'].map(csvCell).join(','))].join(
        '\n',
      ) + '\n';
    doc.setIn(['crosswalks', name], doc.createNode({ file, description: `Local codes of ${cw.target}, mapped in the wizard` }));
    const steps = (doc.getIn([...path, 'steps']) as { toJSON(): unknown[] } | undefined)?.toJSON() ?? [];
    const kept = steps.filter((s) => !(s && typeof s === 'object' && 'map' in s));
    doc.setIn([...path, 'steps'], doc.createNode(kept));
    doc.setIn([...path, 'crosswalk'], name);
  }
  const thresholds: Array<Record<string, unknown>> = [];
  for (const [tier, kpis] of Object.entries(o.thresholds)) {
    for (const [kpi, pct] of Object.entries(kpis)) {
      if (pct === undefined || pct.trim() === '') continue;
      // Rounded so 99.9 % is written 0.999, not 0.9990000000000001.
      thresholds.push({ kpi, fail_below: Number((Number(pct) / 100).toPrecision(10)), tiers: [tier] });
    }
  }
  if (thresholds.length) doc.setIn(['quality', 'thresholds'], doc.createNode(thresholds));
  return { yaml: doc.toString({ lineWidth: 0 }), crosswalks: files };
}

/** The threshold a percentage input holds, or an error message for the field. */
export function thresholdError(pct: string | undefined): string | null {
  if (pct === undefined || pct.trim() === '') return null;
  const n = Number(pct);
  if (!Number.isFinite(n) || n < 0 || n > 100) return 'enter a percentage between 0 and 100, or leave it empty for no gate';
  return null;
}
