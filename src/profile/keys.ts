/**
 * Candidate keys (columns whose values are all present and distinct) and candidate foreign
 * keys (a column whose values are contained in another table's key), from the streamed
 * column statistics. Inclusion is exact while both columns fit the exact limit and estimated
 * from k-minimum-values sketches otherwise, so neither needs a second pass or unbounded sets.
 */
import type { ColumnInfo, ForeignKeyInfo } from '../connectors/connector.js';
import { round } from './column-profile.js';
import type { ColumnStats } from './column-stats.js';
import { containment } from './kmv.js';
import { analyseName, resolveConcepts } from './names.js';
import { GENERIC_CONCEPTS } from './synonyms.js';
import type { CandidateKey, ColumnProfile, ForeignKeyCandidate } from './types.js';

/** What key detection needs to know about one profiled table. */
export interface TableFacts {
  name: string;
  rows: number;
  columns: ColumnInfo[];
  stats: ColumnStats[];
  profiles: ColumnProfile[];
  declaredPrimaryKey: string[];
  declaredForeignKeys: ForeignKeyInfo[];
}

const MIN_CONTAINMENT = 0.9;
const STRONG_CONTAINMENT = 0.99;
const MIN_EVIDENCE = 20;
const KEYABLE_TYPES = new Set(['integer', 'text']);

/** Single-column candidate keys, declared primary key first, then the likeliest surrogate keys. */
export function candidateKeys(t: TableFacts): CandidateKey[] {
  const keys: CandidateKey[] = [];
  if (t.declaredPrimaryKey.length > 0) keys.push({ columns: [...t.declaredPrimaryKey], declared: true, estimated: false });
  if (t.rows === 0) return keys;
  const found: Array<{ key: CandidateKey; rank: number }> = [];
  t.stats.forEach((s, i) => {
    const name = t.columns[i].name;
    if (s.nulls + s.empties > 0 || (!KEYABLE_TYPES.has(t.profiles[i].inferred_type) && t.profiles[i].dominant_pattern !== 'code')) return;
    if (t.declaredPrimaryKey.length === 1 && t.declaredPrimaryKey[0] === name) return;
    let unique: boolean;
    let estimated = false;
    if (s.frequent.exact) unique = s.frequent.counts.size === t.rows;
    else {
      // Within three standard errors of the row count is as unique as a sketch can tell.
      unique = Math.abs(s.hll.estimate() - t.rows) <= 3 * s.hll.standardError * t.rows;
      estimated = true;
    }
    if (unique) found.push({ key: { columns: [name], declared: false, estimated }, rank: keyRank(t.profiles[i], i) });
  });
  found.sort((a, b) => b.rank - a.rank);
  return [...keys, ...found.map((f) => f.key)];
}

// Surrogate keys are usually the first column, integers, and named ...ID.
function keyRank(p: ColumnProfile, index: number): number {
  const concepts = resolveConcepts(analyseName(p.name));
  let r = 0;
  if (concepts.includes('id')) r += 3;
  else if (concepts.includes('number') || concepts.includes('code')) r += 1;
  if (p.inferred_type === 'integer') r += 2;
  if (index === 0) r += 1.5;
  if (p.dominant_pattern === 'nhs_number') r -= 1;
  return r - index * 0.01;
}

/** The key a table is identified by: its declared primary key, else its best candidate key, else none. */
export function chosenKey(keys: CandidateKey[]): string[] | null {
  return keys[0]?.columns ?? null;
}

/**
 * Declared foreign keys (with their measured containment, which reveals orphans) and, for every
 * other column, the best parent key that contains its values and whose names agree with it.
 * `minNamedContainment` lowers the containment a column whose name agrees with the parent's
 * needs (the readiness assessment looks for orphan-ridden references too); a column whose name
 * does not agree always needs MIN_CONTAINMENT.
 */
export function foreignKeyCandidates(tables: TableFacts[], keys: Map<string, string[] | null>, minNamedContainment = MIN_CONTAINMENT): Map<string, ForeignKeyCandidate[]> {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const out = new Map<string, ForeignKeyCandidate[]>();
  const parents = tables.flatMap((t) => {
    const k = keys.get(t.name);
    if (!k || k.length !== 1) return [];
    const i = t.columns.findIndex((c) => c.name === k[0]);
    const concepts = new Set([...resolveConcepts(analyseName(t.name)), ...resolveConcepts(analyseName(k[0]))].filter((c) => !GENERIC_CONCEPTS.has(c)));
    return i < 0 ? [] : [{ table: t, index: i, concepts }];
  });

  for (const t of tables) {
    const list: ForeignKeyCandidate[] = [];
    const declaredCols = new Set<string>();
    for (const fk of t.declaredForeignKeys) {
      fk.columns.forEach((c) => declaredCols.add(c));
      let measured: { fraction: number; exact: boolean } | null = null;
      const parent = byName.get(fk.references.table);
      if (fk.columns.length === 1 && parent) {
        const ci = t.columns.findIndex((c) => c.name === fk.columns[0]);
        const pi = parent.columns.findIndex((c) => c.name === fk.references.columns[0]);
        if (ci >= 0 && pi >= 0) measured = inclusion(t.stats[ci], parent.stats[pi]);
      }
      list.push({
        columns: [...fk.columns],
        references: { table: fk.references.table, columns: [...fk.references.columns] },
        declared: true,
        containment: measured ? round(measured.fraction) : null,
        estimated: measured ? !measured.exact : false,
        strength: 'declared',
      });
    }
    const ownKey = keys.get(t.name);
    t.columns.forEach((col, ci) => {
      if (declaredCols.has(col.name) || (ownKey?.length === 1 && ownKey[0] === col.name)) return;
      const p = t.profiles[ci];
      const s = t.stats[ci];
      if (s.filled === 0 || !(p.inferred_type === 'integer' || (p.inferred_type === 'text' && (p.dominant_pattern !== 'free_text' || identifierShaped(p))))) return;
      const childConcepts = resolveConcepts(analyseName(col.name)).filter((c) => !GENERIC_CONCEPTS.has(c));
      let best: { fk: ForeignKeyCandidate; score: number } | null = null;
      for (const parent of parents) {
        if (parent.table === t) continue;
        const pp = parent.table.profiles[parent.index];
        if (pp.inferred_type !== p.inferred_type) continue;
        const m = inclusion(s, parent.table.stats[parent.index]);
        if (!m || m.fraction < Math.min(MIN_CONTAINMENT, minNamedContainment)) continue;
        const affinity = childConcepts.filter((c) => parent.concepts.has(c)).length;
        if (affinity === 0 && m.fraction < MIN_CONTAINMENT) continue;
        const childDistinct = s.distinct().count;
        const coverage = childDistinct / Math.max(1, parent.table.stats[parent.index].distinct().count);
        if (affinity === 0 && !(coverage >= 0.5 && childDistinct >= MIN_EVIDENCE)) continue;
        const score = affinity * 2 + m.fraction + coverage * 0.5;
        if (best && best.score >= score) continue;
        const strength = m.fraction >= STRONG_CONTAINMENT && affinity > 0 ? 'strong' : 'weak';
        best = {
          score,
          fk: {
            columns: [col.name],
            references: { table: parent.table.name, columns: [parent.table.columns[parent.index].name] },
            declared: false,
            containment: round(m.fraction),
            estimated: !m.exact,
            strength,
          },
        };
      }
      if (best) list.push(best.fk);
    });
    out.set(t.name, list);
  }
  return out;
}

// Share of a column's values that must look like codes (P000040003, V0001200001) for a column with too many distinct ones to count as coded to be a reference.
const IDENTIFIER_SHAPED = 0.95;

/**
 * True for text whose values all look like codes yet are too many to be a code list: row
 * identifiers of another table (patient ids P000040003, visit ids V0001200001), which may refer to
 * it. Names and other free text have spaces or lower-case letters, so few of them look like codes.
 */
function identifierShaped(p: ColumnProfile): boolean {
  return (p.patterns.find((x) => x.class === 'code')?.fraction ?? 0) >= IDENTIFIER_SHAPED;
}

/** Fraction of the child's distinct values present in the parent: exact when both fit their exact sets, else from sketches; null when the sketches hold too little evidence. */
export function inclusion(child: ColumnStats, parent: ColumnStats): { fraction: number; exact: boolean } | null {
  if (child.frequent.exact && parent.frequent.exact) {
    const c = child.frequent.counts;
    if (c.size === 0) return null;
    let inside = 0;
    for (const k of c.keys()) if (parent.frequent.counts.has(k)) inside++;
    return { fraction: inside / c.size, exact: true };
  }
  const m = containment(child.kmv, parent.kmv);
  if (!m.exact && m.evidence < MIN_EVIDENCE) return null;
  return { fraction: m.fraction, exact: m.exact };
}
