/**
 * Name similarity between two analysed names: a weighted Dice coefficient over their concepts.
 * Concepts that only repeat the table's context (PAT_ in PAT_MAST, `patient` in a patient
 * table) and generic ones (id, code, date) weigh less than the words that say what a column is.
 */
import { isAbbreviation, resolveConcepts, type NameAnalysis, type NameSlot } from './names.js';
import { GENERIC_CONCEPTS } from './synonyms.js';

const GENERIC_WEIGHT = 0.5;
const CONTEXT_WEIGHT = 0.4;

const ABBREVIATION_WEIGHT = 0.8;
// A word neither the dictionary nor the other name explains (the `dispense` and `validity` of a
// FHIR path) neither confirms nor contradicts a match: it counts, but less than a known word.
const UNKNOWN_WEIGHT = 0.5;

/**
 * Reads each word the dictionary does not know as an abbreviation of a concept of the other
 * name (or of two adjacent ones: MARST, marital status) when its letters fit.
 */
export function resolveAbbreviations(a: NameAnalysis, other: NameAnalysis): NameAnalysis {
  if (!a.slots.some((s) => s.unknown)) return a;
  const words = resolveConcepts(other, a.all);
  // Two adjacent words of the other name, in either order (MARST, marital status; SORRF, source
  // of referral); never two concepts one word expands to (SPECT is not `spell encounter`).
  const heads = other.slots.map((s) => headConcept(s, a.all));
  const pairs: string[][] = [];
  for (let i = 1; i < heads.length; i++) {
    const [x, y] = [heads[i - 1], heads[i]];
    if (x && y && x !== y) pairs.push([x, y], [y, x]);
  }
  const phrases = [...words.map((w) => [w]), ...pairs].map((p) => ({ p, spelt: p.join('') }));
  // A word cut into a dictionary piece and leftover letters (ADMET: ADM + ET) is read whole when
  // it abbreviates a word or two of the other name (admission method): five-letter abbreviations
  // are not made of dictionary pieces.
  let source = a.slots;
  for (const cut of a.cuts ?? []) {
    const at = source.findIndex((_, i) => cut.pieces.every((p, k) => source[i + k]?.word === p));
    const hit = at < 0 ? undefined : phrases.find((x) => x.spelt.length > cut.whole.length && isAbbreviation(cut.whole, x.spelt));
    if (hit) source = [...source.slice(0, at), { word: cut.whole, alts: [hit.p], unknown: false, abbreviated: cut.whole } as NameSlot, ...source.slice(at + cut.pieces.length)];
  }
  const slots = source.map((slot) => {
    if (!slot.unknown) return slot;
    const hit = phrases.find((x) => isAbbreviation(slot.word, x.spelt) || x.p.includes(slot.word));
    return hit ? { ...slot, alts: [hit.p], unknown: false, abbreviated: slot.word } : slot;
  });
  return { ...a, slots, all: new Set(slots.flatMap((s) => s.alts.flat())) };
}

// The first concept of the reading of a slot the other name supports best (its first reading when none is).
function headConcept(slot: NameSlot, other: ReadonlySet<string>): string | undefined {
  let pick = slot.alts[0];
  let best = -1;
  if (slot.alts.length > 1) {
    for (const alt of slot.alts) {
      const hits = alt.filter((c) => other.has(c)).length;
      if (hits > best) [best, pick] = [hits, alt];
    }
  }
  return pick[0];
}

function weights(a: NameAnalysis, other: NameAnalysis, context: ReadonlySet<string>): Map<string, number> {
  const out = new Map<string, number>();
  const expanded = a.slots.filter((s) => (s as { abbreviated?: string }).abbreviated !== undefined);
  const abbreviated = new Set(expanded.flatMap((s) => s.alts.flat()));
  // An abbreviated table prefix (RFL in RFLRCVDT) is context like a spelt-out one.
  const extraContext = new Set(expanded.filter((s) => context.has((s as { abbreviated?: string }).abbreviated!)).flatMap((s) => s.alts.flat()));
  const unknown = new Set(a.slots.filter((s) => s.unknown).map((s) => s.word));
  const concepts = resolveConcepts(a, other.all);
  // A date and a time in one name (BIRTH_DT_TM, PROC_DATETIME) are one instant: together they weigh as one generic word.
  const instant = concepts.includes('date') && concepts.includes('time');
  for (const c of concepts) {
    let w = GENERIC_CONCEPTS.has(c) ? GENERIC_WEIGHT : unknown.has(c) ? UNKNOWN_WEIGHT : 1;
    if (instant && (c === 'date' || c === 'time')) w /= 2;
    if (context.has(c) || extraContext.has(c)) w *= CONTEXT_WEIGHT;
    if (abbreviated.has(c)) w *= ABBREVIATION_WEIGHT;
    out.set(c, Math.max(out.get(c) ?? 0, w));
  }
  return out;
}

/** Similarity in [0, 1] of two names, each with its table's context concepts. */
export function nameSimilarity(rawA: NameAnalysis, aContext: ReadonlySet<string>, rawB: NameAnalysis, bContext: ReadonlySet<string>): number {
  const a = resolveAbbreviations(rawA, rawB);
  const b = resolveAbbreviations(rawB, a);
  const wa = weights(a, b, aContext);
  const wb = weights(b, a, bContext);
  let shared = 0;
  let total = 0;
  for (const [c, w] of wa) {
    total += w;
    const v = wb.get(c) ?? related(c, wa, wb);
    if (v !== undefined) shared += Math.min(w, v);
  }
  for (const w of wb.values()) total += w;
  if (total === 0) return 0;
  const sim = (2 * shared) / total;
  // Identical spelling (after case and separators) is certain whatever the dictionary says.
  return sameSpelling(a, b) ? Math.max(sim, 1) : sim;
}

/** True when two names are spelt the same apart from case and separators. */
export function sameSpelling(a: NameAnalysis, b: NameAnalysis): boolean {
  return a.name.replace(/[^A-Za-z0-9]/g, '').toLowerCase() === b.name.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
}

// Words that stand for each other when neither name has the other's: the name of a coded thing
// is its description (product_name, DESCRIPTION; test_name, code_text); how a patient was
// admitted or discharged is the admission's type (NHS method, US type); a diagnosis's or
// procedure's priority is its rank in the list (CLINICAL_DIAG_PRIORITY for the sequence); and
// the facts a record is kept for — recorded, received, registered — happen when the record is
// created or entered. Pairs of specific words count 80%.
const RELATED_PAIRS: ReadonlyArray<[string, string]> = [
  ['name', 'description'],
  ['method', 'type'],
  ['sequence', 'priority'],
  ['recorded', 'created'],
  ['recorded', 'entry'],
  ['received', 'created'],
  ['received', 'entry'],
  ['registration', 'created'],
];
const RELATED = new Map<string, string[]>();
for (const [a, b] of RELATED_PAIRS) {
  RELATED.set(a, [...(RELATED.get(a) ?? []), b]);
  RELATED.set(b, [...(RELATED.get(b) ?? []), a]);
}
const RELATED_WEIGHT = 0.8;

/** The words that stand for `c` when the other name lacks it (created for recorded), `c` itself included. */
export function relatedWords(c: string): string[] {
  return [c, ...(RELATED.get(c) ?? [])];
}

function related(c: string, wa: Map<string, number>, wb: Map<string, number>): number | undefined {
  if (wb.has(c)) return undefined;
  let best: number | undefined;
  for (const partner of RELATED.get(c) ?? []) {
    const w = wb.get(partner);
    if (w === undefined || wa.has(partner)) continue;
    const v = GENERIC_CONCEPTS.has(c) && GENERIC_CONCEPTS.has(partner) ? w : w * RELATED_WEIGHT;
    best = Math.max(best ?? 0, v);
  }
  return best;
}

/** Concepts both names share, for reasons. */
export function sharedConcepts(a: NameAnalysis, b: NameAnalysis): string[] {
  const cb = new Set(resolveConcepts(b, a.all));
  return resolveConcepts(a, b.all).filter((c) => cb.has(c));
}
