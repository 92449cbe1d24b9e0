/**
 * The drug-class table Ferry ships (reference/drug-classes/): which substances and UK product
 * names belong to the allergy-relevant drug classes, the terms that name a class, and the class
 * pairs with a documented, lower cross-reactivity. It is read from the package at run time (like
 * the NHS Data Dictionary lists), versioned here and digested, and a trust extends it with a
 * crosswalk-layout CSV the contract declares. Matching works on words, never on substrings, so
 * "Paracetamol" can never match a class by accident.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { CrosswalkEntry } from '../contract/model.js';
import { FerryError } from '../errors.js';

/** Where the shipped table lives, relative to this module (src/reference → package root). */
export const DRUG_CLASSES_DIR = fileURLToPath(new URL('../../reference/drug-classes/', import.meta.url));
/** Version of the shipped table; bump it with every change to its files. */
export const DRUG_CLASSES_VERSION = '1.0.0';
/** The name the table's version and digest are recorded under with a run's crosswalk versions. */
export const DRUG_CLASSES_RECORD = 'ferry:drug-classes';

/** One row of the table: a term, the class it belongs to or names, and an identifier where one was sourced. */
export interface DrugClassTerm {
  term: string;
  class: string;
  classDisplay: string;
  /** `member`: a substance or product in the class; `class`: a word for the class itself (allergy side only). */
  role: 'member' | 'class';
  snomedCt: string;
  note: string;
}

/** The shipped table: its rows, the cross-reactive class pairs, its version and the SHA-256 of its files. */
export interface DrugClassTable {
  version: string;
  digest: string;
  terms: DrugClassTerm[];
  /** allergy class → medication classes with a lower, documented cross-reactivity. */
  crossReactive: Array<{ allergyClass: string; medicationClass: string; note: string }>;
}

let shipped: DrugClassTable | undefined;

/** Loads (once) the shipped drug-class table. */
export function shippedDrugClasses(): DrugClassTable {
  if (shipped) return shipped;
  const termsBytes = readFileSync(`${DRUG_CLASSES_DIR}drug-classes.csv`);
  const crossBytes = readFileSync(`${DRUG_CLASSES_DIR}cross-reactivity.csv`);
  const rows = parse(termsBytes, { columns: true, bom: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  const cross = parse(crossBytes, { columns: true, bom: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  shipped = {
    version: DRUG_CLASSES_VERSION,
    digest: createHash('sha256').update(termsBytes).update('\u0000').update(crossBytes).digest('hex'),
    terms: rows.map((r) => ({ term: r.term, class: r.class, classDisplay: r.class_display, role: r.role === 'class' ? 'class' : 'member', snomedCt: r.snomed_ct ?? '', note: r.note ?? '' })),
    crossReactive: cross.map((r) => ({ allergyClass: r.allergy_class, medicationClass: r.medication_class, note: r.note ?? '' })),
  };
  return shipped;
}

/**
 * A trust's extension rows, from a crosswalk-layout CSV: source_code is the term, target_code the
 * class (a shipped one or a new one), target_display the class's name; equivalence `equivalent`
 * (or `equal`) makes the term a word for the class, blank or `narrower` a member.
 */
export function extensionTerms(entries: readonly CrosswalkEntry[], crosswalk: string): DrugClassTerm[] {
  return entries.map((e, i) => {
    const eq = e.equivalence.trim().toLowerCase();
    if (eq !== '' && eq !== 'narrower' && eq !== 'equivalent' && eq !== 'equal') {
      throw new FerryError(
        'contract',
        'contract.drug_class_equivalence',
        `drug-class extension crosswalk ${crosswalk}, row ${i + 1}: equivalence '${e.equivalence}' is neither blank or 'narrower' (a member of the class) nor 'equivalent' (a word for the class)`,
      );
    }
    return { term: e.source_code, class: e.target_code, classDisplay: e.target_display, role: eq === 'equivalent' || eq === 'equal' ? 'class' : 'member', snomedCt: '', note: e.note };
  });
}

/** Lower-case words of a text: letters and digits, everything else separates (so "Co-amoxiclav" is "co amoxiclav"). */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** What an allergy row is an allergy to. */
export interface AllergyProfile {
  words: string[];
  substances: ReadonlySet<string>;
  classes: ReadonlySet<string>;
  crossReactive: ReadonlySet<string>;
}

/** What a medication row contains. */
export interface MedicationProfile {
  words: string[];
  substances: ReadonlySet<string>;
  classes: ReadonlySet<string>;
}

/** How an allergy and a medication conflict: same substance, same class, or a cross-reactive class pair. */
export type ConflictLevel = 'substance' | 'class' | 'cross_reactive';

interface Phrase {
  words: string[];
  term: DrugClassTerm;
}

/** Word-sequence matching of allergy and medication text against a drug-class table (shipped rows plus extensions). */
export class DrugClassMatcher {
  /** Phrases by first word, for the medication side (members) and the allergy side (members and class words). */
  private readonly members = new Map<string, Phrase[]>();
  private readonly all = new Map<string, Phrase[]>();
  private readonly bySnomed = new Map<string, string>();
  private readonly classesOf = new Map<string, Set<string>>();
  private readonly cross = new Map<string, Set<string>>();

  constructor(terms: readonly DrugClassTerm[], crossReactive: DrugClassTable['crossReactive']) {
    const displays = new Map<string, string>();
    for (const t of terms) {
      this.add(t);
      displays.set(t.class, t.classDisplay);
      if (t.snomedCt) this.bySnomed.set(t.snomedCt, t.term);
      if (t.role === 'member') {
        const key = words(t.term).join(' ');
        let set = this.classesOf.get(key);
        if (!set) this.classesOf.set(key, (set = new Set()));
        set.add(t.class);
      }
    }
    // A class's own name is always a word for it, so an extension's new class is usable at once.
    for (const [cls, display] of displays) if (display) this.add({ term: display, class: cls, classDisplay: display, role: 'class', snomedCt: '', note: '' });
    for (const c of crossReactive) {
      let set = this.cross.get(c.allergyClass);
      if (!set) this.cross.set(c.allergyClass, (set = new Set()));
      set.add(c.medicationClass);
    }
  }

  private add(term: DrugClassTerm): void {
    const w = words(term.term);
    if (w.length === 0) return;
    const phrase = { words: w, term };
    for (const index of term.role === 'member' ? [this.members, this.all] : [this.all]) {
      const list = index.get(w[0]);
      if (list) list.push(phrase);
      else index.set(w[0], [phrase]);
    }
  }

  private scan(text: string, index: Map<string, Phrase[]>): { words: string[]; substances: Set<string>; classes: Set<string> } {
    // A coded allergy (a SNOMED CT substance id the table knows) reads as its term.
    const trimmed = text.trim();
    const w = words(this.bySnomed.get(trimmed) ?? trimmed);
    const substances = new Set<string>();
    const classes = new Set<string>();
    for (let i = 0; i < w.length; i++) {
      for (const p of index.get(w[i]) ?? []) {
        if (p.words.length > w.length - i || !p.words.every((x, j) => w[i + j] === x)) continue;
        classes.add(p.term.class);
        if (p.term.role === 'member') {
          const key = p.words.join(' ');
          substances.add(key);
          for (const c of this.classesOf.get(key) ?? []) classes.add(c);
        }
      }
    }
    return { words: w, substances, classes };
  }

  /** Reads an allergy's substance text (or a SNOMED CT id the table knows); undefined when blank. */
  allergy(text: string): AllergyProfile | undefined {
    const s = this.scan(text, this.all);
    if (s.words.length === 0) return undefined;
    const crossReactive = new Set<string>();
    for (const c of s.classes) for (const m of this.cross.get(c) ?? []) if (!s.classes.has(m)) crossReactive.add(m);
    return { ...s, crossReactive };
  }

  /** Reads a medication's product text; undefined when blank. */
  medication(text: string): MedicationProfile | undefined {
    const s = this.scan(text, this.members);
    return s.words.length === 0 ? undefined : s;
  }
}

/**
 * How an allergy and a medication conflict, or undefined. Same substance: the allergy's words
 * appear in the product text in order ("Paracetamol" in "Paracetamol 500mg tablets", whether or
 * not the table knows paracetamol), or both name one member term.
 */
export function conflictOf(a: AllergyProfile, m: MedicationProfile): ConflictLevel | undefined {
  if (containsRun(m.words, a.words)) return 'substance';
  for (const s of a.substances) if (m.substances.has(s)) return 'substance';
  for (const c of a.classes) if (m.classes.has(c)) return 'class';
  for (const c of a.crossReactive) if (m.classes.has(c)) return 'cross_reactive';
  return undefined;
}

function containsRun(hay: readonly string[], needle: readonly string[]): boolean {
  if (needle.length === 0) return false;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** The matcher for a contract check: the shipped table, plus the rows of its extension crosswalk when it names one. */
export function drugClassMatcher(extension?: { name: string; entries: readonly CrosswalkEntry[] }): DrugClassMatcher {
  const table = shippedDrugClasses();
  const extra = extension ? extensionTerms(extension.entries, extension.name) : [];
  return new DrugClassMatcher([...table.terms, ...extra], table.crossReactive);
}

/** The allergy_conflict settings a rule is built from (contract/model.ts). */
export interface ConflictCheckSettings {
  classes?: 'builtin' | { extend: string };
  action?: 'warn' | 'quarantine';
}

/** One check's matching: how to read each side and when they conflict. */
export interface ConflictRule {
  allergy(text: string): AllergyProfile | undefined;
  medication(text: string): MedicationProfile | undefined;
  conflict(a: AllergyProfile, m: MedicationProfile): ConflictLevel | undefined;
}

const NO_CLASSES = new DrugClassMatcher([], []);

/**
 * The rule of an allergy_conflict check. With `classes`, the drug-class matcher; without, the
 * two texts must be the same words (what the substance-only check has always compared).
 */
export function conflictRule(settings: ConflictCheckSettings, crosswalks: Readonly<Record<string, readonly CrosswalkEntry[]>>): ConflictRule {
  const c = settings.classes;
  if (c === undefined) {
    return {
      allergy: (t) => NO_CLASSES.allergy(t),
      medication: (t) => NO_CLASSES.medication(t),
      conflict: (a, m) => (a.words.length === m.words.length && containsRun(m.words, a.words) ? 'substance' : undefined),
    };
  }
  const matcher = c === 'builtin' ? drugClassMatcher() : drugClassMatcher({ name: c.extend, entries: crosswalks[c.extend] ?? [] });
  return { allergy: (t) => matcher.allergy(t), medication: (t) => matcher.medication(t), conflict: conflictOf };
}
