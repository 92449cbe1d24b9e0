/**
 * Transform steps a suggested mapping needs, read off the source column's profile: trim padded
 * fixed-width fields, parse dates in the layout the values use, convert numbers held as text,
 * and translate local codes through a crosswalk. Steps are written exactly as a contract
 * writes them, so a suggestion can be pasted into a mapping.
 */
import type { z } from 'zod';
import type { stepSchema } from '../contract/model.js';
import type { DdlColumn } from './ddl.js';
import { expectedPattern } from './fit.js';
import { ISO_TIMESTAMP } from './patterns.js';
import type { ColumnProfile } from './types.js';

// Target concepts that name a coded attribute: a short local code there needs translating.
const CODED = new Set([
  'sex',
  'ethnicity',
  'marital',
  'method',
  'status',
  'outcome',
  'specialty',
  'priority',
  'category',
  'type',
  'relationship',
  'severity',
  'route',
  'frequency',
  'attendance',
  'religion',
  'source',
]);
const MAX_CROSSWALK_CODES = 60;

/** A transform step as a contract writes it (defaults left out). */
export type StepInput = z.input<typeof stepSchema>;

export interface ProposedTransforms {
  steps: StepInput[];
  /** A crosswalk the mapping needs (named after the target column), when the values are local codes. */
  crosswalk: string | null;
  /** Short notes for the reason text. */
  notes: string[];
}

/** Proposes the steps that take `p`'s values to target column `t` of table `table`. */
export function proposeTransforms(table: string, t: DdlColumn, concepts: readonly string[], p: ColumnProfile): ProposedTransforms {
  const steps: StepInput[] = [];
  const notes: string[] = [];
  let crosswalk: string | null = null;
  const fromText = p.declared_type === 'text';
  if (p.padded > 0 && fromText) {
    steps.push('trim');
    notes.push(`${p.padded} padded value(s)`);
  }
  if ((t.type === 'date' || t.type === 'timestamp') && fromText && p.date_format) {
    if (p.date_format.format !== ISO_TIMESTAMP) steps.push({ parse_date: { formats: [p.date_format.format] } });
    if (p.date_format.ambiguous_with.length > 0) notes.push(`day/month order ambiguous (${p.date_format.ambiguous_with.join(', ')} fits too): check`);
    // A date column takes the date part of a date-time: the time would fail the column's type.
    if (t.type === 'date' && (p.date_format.format === ISO_TIMESTAMP || p.date_format.format.includes('HH'))) {
      steps.push({ substring: { start: 0, length: 10 } });
      notes.push('date part of a date-time');
    }
  }
  if (t.type === 'integer' && fromText && p.inferred_type === 'integer') steps.push('to_integer');
  if (t.type === 'decimal' && fromText && (p.inferred_type === 'decimal' || p.inferred_type === 'integer')) steps.push({ to_decimal: { scale: t.scale ?? 2 } });
  const expected = expectedPattern(concepts);
  if (expected && ['icd10', 'opcs4', 'ods_code', 'postcode'].includes(expected) && fromText) steps.push('upper');
  if (t.type === 'text' && !expected && p.dominant_pattern === 'code' && p.distinct.count <= MAX_CROSSWALK_CODES && concepts.some((c) => CODED.has(c))) {
    crosswalk = `${table}_${t.name}`;
    notes.push(`${p.distinct.count} local code(s): crosswalk needed`);
  }
  return { steps, crosswalk, notes };
}
