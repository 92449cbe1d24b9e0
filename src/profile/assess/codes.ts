/**
 * Code fields: low-cardinality columns of local codes, the distinct codes each holds, and how
 * many of them something already translates (the contract's crosswalk for that column, else the
 * shipped NHS Data Dictionary list that knows most of them). What is left is the crosswalk work.
 * Codes are compared as a run's crosswalk compares them after a trim (`foldCode`); the exact
 * figure after a field's other steps is `ferry crosswalk coverage`.
 */
import type { LoadedContract } from '../../contract/model.js';
import { fieldCrosswalks } from '../../crosswalk/coverage.js';
import { loadReferenceList, REFERENCE_LISTS } from '../../reference/code-lists.js';
import { foldCode } from '../../transform/crosswalk-table.js';
import type { ColumnStats } from '../column-stats.js';
import { analyseName, resolveConcepts } from '../names.js';
import { GENERIC_CONCEPTS } from '../synonyms.js';
import type { ColumnProfile } from '../types.js';
import type { CodeField } from './model.js';

/** At most this many distinct values make a column a code field rather than data. */
export const CODE_MAX_DISTINCT = 100;
/** A shipped list must know at least this share of a field's distinct codes to count as what the codes already are. */
const REFERENCE_MATCH = 0.5;
// Words of a list's name that say what role its codes play rather than what they are about: a status column is no marital status.
const ROLE_WORDS = new Set(['method', 'source', 'destination', 'category', 'encounter', 'patient']);
const LISTED_CODES = 20;
const CODED_PATTERNS = new Set(['code', 'numeric_code', 'boolean', 'integer', null]);

/** National code patterns: such columns are validated by rules, never crosswalked. */
export const NATIONAL_PATTERNS: ReadonlySet<string> = new Set(['icd10', 'opcs4', 'snomed_ct', 'loinc', 'ods_code', 'postcode', 'nhs_number']);

/**
 * True for a column of local codes: text, few distinct values (counted exactly), each used by
 * several rows on average. Numbers are codes only when `numeric` says the column is known to be
 * coded (a crosswalk or a shipped list is about it): otherwise they are counts and sequences.
 */
export function isCodeField(p: ColumnProfile, s: ColumnStats, numeric = false): boolean {
  if (p.inferred_type !== 'text' && p.inferred_type !== 'boolean' && !(numeric && p.inferred_type === 'integer')) return false;
  if (!CODED_PATTERNS.has(p.dominant_pattern)) return false;
  if (!s.frequent.exact) return false;
  const distinct = s.frequent.counts.size;
  return distinct >= 1 && distinct <= CODE_MAX_DISTINCT && distinct * 2 <= s.filled;
}

/** What translates a source column's codes: resolved once per assessment from the contract and the shipped lists. */
export class CodeResolver {
  private constructor(
    private readonly contract: LoadedContract | null,
    private readonly lists: readonly ShippedList[],
  ) {}

  /** Loads the shipped NHS Data Dictionary lists once. */
  static async open(contract: LoadedContract | null): Promise<CodeResolver> {
    const lists = await Promise.all(
      REFERENCE_LISTS.map(async (l) => ({
        name: l.name,
        subject: new Set(subject(l.name.replace(/-/g, '_')).filter((c) => !ROLE_WORDS.has(c))),
        codes: new Set((await loadReferenceList(l.name)).codes.map((c) => foldCode(c.code, true))),
      })),
    );
    return new CodeResolver(contract, lists);
  }

  /** The code field figures of one column. */
  codeField(table: string, column: string, s: ColumnStats): CodeField {
    const counts = s.frequent.counts;
    const use = this.contractUse(table, column);
    let coveredBy: CodeField['covered_by'] = null;
    let covered: (code: string) => boolean = () => false;
    if (use?.crosswalk) {
      const ci = this.contract!.contract.crosswalks[use.crosswalk]?.case_insensitive ?? true;
      const known = new Set((this.contract!.crosswalks[use.crosswalk] ?? []).map((e) => foldCode(e.source_code, ci)));
      coveredBy = { kind: 'crosswalk', name: use.crosswalk };
      covered = (code) => known.has(foldCode(code, ci));
    } else if (use) {
      coveredBy = { kind: 'carried_as_is', name: use.field };
      covered = () => true;
    } else {
      const best = this.bestList(column, [...counts.keys()]);
      if (best) {
        coveredBy = { kind: 'reference_list', name: best.name };
        covered = (code) => best.codes.has(foldCode(code, true));
      }
    }
    const uncovered = [...counts].filter(([code]) => !covered(code)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return {
      column,
      filled: s.filled,
      distinct_codes: counts.size,
      covered_by: coveredBy,
      codes_covered: counts.size - uncovered.length,
      codes_needing_crosswalk: uncovered.length,
      rows_needing_crosswalk: uncovered.reduce((n, [, rows]) => n + rows, 0),
      uncovered: uncovered.slice(0, LISTED_CODES).map(([code, rows]) => ({ code, rows })),
    };
  }

  /** True when the contract crosswalks the column or a shipped list is about what it names: its numbers are codes. */
  knownCoded(table: string, column: string): boolean {
    if (this.contractUse(table, column)?.crosswalk) return true;
    const about = subject(column);
    return this.lists.some((l) => about.some((c) => l.subject.has(c)));
  }

  // The first non-rejected field of a mapping over this table that reads the column, preferring one with a crosswalk.
  private contractUse(table: string, column: string): { field: string; crosswalk: string | null } | null {
    if (!this.contract) return null;
    let plain: { field: string; crosswalk: null } | null = null;
    for (const [target, m] of Object.entries(this.contract.contract.mappings)) {
      if (m.source !== table) continue;
      for (const [name, f] of Object.entries(m.fields)) {
        if (f.status === 'rejected' || f.from === undefined) continue;
        const refs = Array.isArray(f.from) ? f.from : [f.from];
        if (!refs.some((r) => r === column || r === `${table}.${column}`)) continue;
        const crosswalk = fieldCrosswalks(f)[0];
        if (crosswalk) return { field: `${target}.${name}`, crosswalk };
        plain ??= { field: `${target}.${name}`, crosswalk: null };
      }
    }
    return plain;
  }

  // The shipped list about the same thing as the column (by name) that knows most of its codes: single letters and digits are in many lists by chance.
  private bestList(column: string, codes: string[]): ShippedList | null {
    const about = subject(column);
    let best: (ShippedList & { hits: number }) | null = null;
    for (const l of this.lists) {
      if (!about.some((c) => l.subject.has(c))) continue;
      const hits = codes.filter((c) => l.codes.has(foldCode(c, true))).length;
      if (hits > 0 && hits >= REFERENCE_MATCH * codes.length && (!best || hits > best.hits)) best = { ...l, hits };
    }
    return best;
  }
}

interface ShippedList {
  name: string;
  /** The non-generic concepts of the list's name: what its codes are about. */
  subject: ReadonlySet<string>;
  codes: ReadonlySet<string>;
}

function subject(name: string): string[] {
  return resolveConcepts(analyseName(name)).filter((c) => !GENERIC_CONCEPTS.has(c));
}
