/**
 * Column and table names as concepts: split snake_case, camelCase and UPPER names into words,
 * cut unseparated legacy names (PMIDOB, GPPRAC) into dictionary pieces, and expand
 * abbreviations through the synonym dictionary, so that `PAT_DOB`, `DateOfBirth` and
 * `date_of_birth` all become the concepts {birth, date}.
 */
import { DATE_SUFFIXES, DICTIONARY_WORDS, lookupWord, PHRASES, STOP_WORDS } from './synonyms.js';

/** One word of a name with its expansion alternatives (usually one). */
export interface NameSlot {
  /** The piece as written, lower case. */
  word: string;
  alts: string[][];
  /** Not in the dictionary: may still be an abbreviation of a word in the other name (RCV of received). */
  unknown: boolean;
}

export interface NameAnalysis {
  name: string;
  slots: NameSlot[];
  /** Written words cut into a dictionary piece and letters no piece covers (ADMET: ADM + ET), which may abbreviate words of the other name whole. */
  cuts?: Array<{ whole: string; pieces: string[] }>;
  /** Every concept any alternative names: what the other side of a comparison may match. */
  all: Set<string>;
}

// Code-system names are written with their version (ICD10, OPCS4): the digits name the system, not a line number.
const VERSIONED = new Set(['icd', 'opcs', 'read', 'ctv']);
const MAX_PIECES = 4;

/** Splits an identifier into lower-case words at underscores, case changes and letter/digit boundaries. */
export function splitWords(name: string): string[] {
  return splitCased(name).map((w) => w.toLowerCase());
}

// Words in their original case: only upper-case words are cut around unknown letters, because
// unseparated abbreviations are an upper-case legacy habit, while a lower-case word the
// dictionary lacks (treatment) is an ordinary word.
function splitCased(name: string): string[] {
  const spaced = name
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .replace(/(\d)([A-Za-z])/g, '$1 $2');
  const words = spaced.split(' ').filter((w) => w.length > 0);
  return words.filter((w, i) => !(/^\d+$/.test(w) && i > 0 && VERSIONED.has(words[i - 1].toLowerCase())));
}

/**
 * Dictionary form of a word: itself, its stem without a plural or past-tense ending (`-ies` →
 * `-y`) when the dictionary knows that, or the one dictionary word it spells with vowels dropped
 * (`ENCNTR`, `SPECIMN`, `ADMSN`).
 */
export function known(word: string): string | undefined {
  if (lookupWord(word)) return word;
  for (const [cut, put] of ENDINGS) {
    if (word.length > cut.length + 2 && word.endsWith(cut)) {
      const stem = word.slice(0, -cut.length) + put;
      if (lookupWord(stem)) return stem;
    }
  }
  return devowelled(word);
}

const VOWELS = /[aeiou]/;

/** A word's consonant skeleton: its first letter, then its consonants with doubled letters squeezed (admission → admsn). */
export function skeleton(word: string): string {
  let out = word[0] ?? '';
  for (let i = 1; i < word.length; i++) if (!VOWELS.test(word[i]) && word[i] !== out[out.length - 1]) out += word[i];
  return out;
}

// Dictionary words of five letters or more by skeleton; a skeleton two words share names neither.
let bySkeleton: Map<string, string | null> | undefined;

/**
 * The dictionary word an unknown word writes with some of its vowels (and doubled letters)
 * dropped, the commonest way legacy names shorten a word: the same consonants in the same order,
 * every letter of the short form in the long one. Only words of four letters or more, and only
 * when one dictionary word fits.
 */
function devowelled(word: string): string | undefined {
  if (word.length < 4 || !/^[a-z]+$/.test(word)) return undefined;
  if (!bySkeleton) {
    bySkeleton = new Map();
    for (const w of DICTIONARY_WORDS) {
      if (w.length < 5) continue;
      const k = skeleton(w);
      bySkeleton.set(k, bySkeleton.has(k) && bySkeleton.get(k) !== w ? null : w);
    }
  }
  const hit = bySkeleton.get(skeleton(word));
  return hit && hit.length > word.length && isSubsequence(word, hit) ? hit : undefined;
}

function isSubsequence(short: string, long: string): boolean {
  let k = 0;
  for (let i = 0; i < long.length && k < short.length; i++) if (long[i] === short[k]) k++;
  return k === short.length;
}

// Plural and past-tense endings and what the dictionary form ends with instead (allergies → allergy).
const ENDINGS: ReadonlyArray<[string, string]> = [
  ['ies', 'y'],
  ['s', ''],
  ['es', ''],
  ['ied', 'y'],
  ['ed', ''],
  ['d', ''],
];

/**
 * Cuts an unknown unseparated word into dictionary pieces (fewest pieces, then longest pieces),
 * or returns it whole when it cannot be covered by at most four of them.
 */
export function segment(word: string, upperCase = false, separated = false): string[] {
  if (known(word) || /^\d+$/.test(word) || word.length < 4) return [word];
  // A word set apart by separators that reads like an ordinary word (DISPOSITION, NATIONAL) is
  // one word the dictionary lacks, not dictionary pieces (DIS + POSITION): abbreviated compounds
  // (PATID, FTDESC, SPELLID) are short or nearly vowelless. Whole words run together
  // (DISCHARGEDATE, ADMIT + DATE: every piece four letters or more) are still cut.
  if (separated && looksLikeWord(word)) {
    const words = cover(word, false);
    return words && words.every((p) => p.length >= 4) ? words : [word];
  }
  return cover(word, false) ?? (upperCase ? cover(word, true) : null) ?? [word];
}

/** True for a word of six letters or more with the vowels of ordinary spelling (at least 30%). */
export function looksLikeWord(word: string): boolean {
  if (word.length < 6) return false;
  let vowels = 0;
  for (const ch of word) if (VOWELS.test(ch)) vowels++;
  return vowels / word.length >= 0.3;
}

// Two-letter pieces that may sit next to an unknown run: common suffixes (RCVDT, RFLID). Other
// two-letter words would cut ordinary unknown words apart (HANS|EN).
const SHORT_NEXT_TO_UNKNOWN = new Set(['dt', 'id', 'no', 'cd', 'tm', 'nm', 'ln']);

/**
 * Cheapest cover of a word by dictionary pieces (fewest, then longest); with `unknownRuns`,
 * letters no piece covers may form unknown runs, priced per letter so a known piece always
 * beats leaving its letters unknown. Null when there is no cover with a known piece.
 */
function cover(word: string, unknownRuns: boolean): string[] | null {
  const n = word.length;
  const best: Array<{ pieces: string[]; cost: number; unknownEnd: boolean } | undefined> = new Array(n + 1);
  best[0] = { pieces: [], cost: 0, unknownEnd: false };
  for (let i = 0; i < n; i++) {
    const from = best[i];
    if (!from || from.pieces.length >= MAX_PIECES) continue;
    for (let j = i + 2; j <= n; j++) {
      const piece = word.slice(i, j);
      const isKnown = DICTIONARY_WORDS.has(piece) || /^\d+$/.test(piece);
      if (!isKnown && (!unknownRuns || from.unknownEnd)) continue;
      if (isKnown && unknownRuns && piece.length === 2 && !SHORT_NEXT_TO_UNKNOWN.has(piece)) continue;
      const cost = from.cost + (isKnown ? 1 - piece.length * 0.01 : 0.8 * piece.length);
      const cur = best[j];
      if (!cur || cost < cur.cost) best[j] = { pieces: [...from.pieces, piece], cost, unknownEnd: !isKnown };
    }
  }
  const found = best[n];
  return found && found.pieces.some((p) => DICTIONARY_WORDS.has(p)) ? found.pieces : null;
}

/**
 * True when `abbr` abbreviates `word` the way legacy names do: same first letter, its letters in
 * order (RCV, received; SNAM, surname). A three-letter or shorter piece has too few letters to
 * be told from chance (SSN fits substance), so its second letter must also be the word's next
 * consonant or second letter, as in real abbreviations (RCV, RFL, DGN, SEV).
 */
export function isAbbreviation(abbr: string, word: string): boolean {
  if (abbr.length < 2 || abbr.length >= word.length || abbr[0] !== word[0]) return false;
  if (abbr.length <= 3 && abbr[1] !== word[1] && abbr[1] !== nextConsonant(word)) return false;
  let k = 1;
  for (let i = 1; i < word.length && k < abbr.length; i++) if (word[i] === abbr[k]) k++;
  return k === abbr.length;
}

function nextConsonant(word: string): string | undefined {
  for (let i = 1; i < word.length; i++) if (!'aeiou'.includes(word[i])) return word[i];
  return undefined;
}

// Ordinals that make a repeated given name a middle name (SECOND_FORENAME, third_given_name).
const ORDINALS: ReadonlySet<string> = new Set(['second', 'third', '2nd', '3rd']);

/** A second or third given name is a middle name: the ordinal and the given name become `middle` and the rest of its reading. */
function ordinalGivenNames(words: string[]): string[] {
  const out = [...words];
  for (let i = 0; i + 1 < out.length; i++) {
    const k = known(out[i + 1]);
    const reading = k ? lookupWord(k)![0] : undefined;
    if (ORDINALS.has(out[i]) && reading?.[0] === 'given') out.splice(i, 2, 'middle', ...reading.slice(1));
  }
  return out;
}

function applyPhrases(words: string[]): string[] {
  const out = ordinalGivenNames(words);
  for (const [phrase, replacement] of PHRASES) {
    for (let i = 0; i + phrase.length <= out.length; i++) {
      if (phrase.every((w, k) => reads(out[i + k], w))) out.splice(i, phrase.length, ...replacement);
    }
  }
  return out;
}

// A written word reads as a phrase word when it is that word or an abbreviation the dictionary expands to exactly it (HOSP, hospital).
function reads(written: string, word: string): boolean {
  if (written === word) return true;
  const k = known(written);
  const alts = k ? lookupWord(k) : undefined;
  return alts !== undefined && alts[0].length === 1 && alts[0][0] === word;
}

/**
 * Analyses a table or column name into concept slots. `learned`: words whose meaning the schema's
 * own conventions taught (REFNO, the word its table keys end with, is an identifier), taken whole
 * and read as given wherever they appear; a word taught to mean nothing (a type prefix) is dropped
 * from the front of a name.
 */
export function analyseName(name: string, prefix?: string, learned?: ReadonlyMap<string, string[]>): NameAnalysis {
  const split = prefix && name.length > prefix.length && name.startsWith(prefix) ? `${prefix}_${name.slice(prefix.length)}` : name;
  const cased = splitCased(split);
  const cuts: Array<{ whole: string; pieces: string[] }> = [];
  const raw = cased.flatMap((w) => {
    const lower = w.toLowerCase();
    if (learned?.has(lower)) return [lower];
    const pieces = segment(lower, w === w.toUpperCase(), cased.length > 1);
    if (pieces.length > 1 && pieces.some((p) => !known(p) && !/^\d+$/.test(p))) cuts.push({ whole: lower, pieces });
    return pieces;
  });
  // A word the schema taught to mean nothing (a Hungarian type prefix) is dropped, unless it is the whole name.
  const words = applyPhrases(raw.filter((w, i) => !STOP_WORDS.has(w) && !(i === 0 && raw.length > 1 && learned?.get(w)?.length === 0)));
  const slots: NameSlot[] = words.map((word, i) => {
    const taught = learned?.get(word);
    if (taught?.length) return { word, alts: [taught], unknown: false };
    if (i === words.length - 1 && i > 0 && DATE_SUFFIXES.has(word)) return { word, alts: [['date']], unknown: false };
    // A lone trailing C marks a category code (APPT_STATUS_C, SEX_C): the column holds a code, whatever its values look like.
    if (i === words.length - 1 && i > 0 && word === 'c') return { word, alts: [['code']], unknown: false };
    const k = known(word);
    return { word, alts: k ? lookupWord(k)! : [[word]], unknown: !k && !/^\d+$/.test(word) };
  });
  const kept = dropQualifiers(slots);
  const all = new Set(kept.flatMap((s) => s.alts.flat()));
  return cuts.length > 0 ? { name, slots: kept, all, cuts } : { name, slots: kept, all };
}

// Words that qualify a dating pair rather than name one end of it: `BEG_EFFECTIVE_DT_TM` and
// `EFF_END_DATE` are the start and end of an effective period, `valid_to` its end.
const QUALIFIERS: ReadonlySet<string> = new Set(['effective', 'eff', 'valid']);

// Alone, a qualifier is the start of the period (EFF_DATE, valid); beside a start or end word it says nothing more.
function dropQualifiers(slots: NameSlot[]): NameSlot[] {
  const bound = slots.some((s) => !QUALIFIERS.has(s.word) && (s.alts[0].includes('start') || s.alts[0].includes('end')));
  return bound ? slots.filter((s) => !QUALIFIERS.has(s.word)) : slots;
}

/** The concepts of a name, each slot resolved to the alternative the other name supports best (or its first). */
export function resolveConcepts(a: NameAnalysis, other?: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const slot of a.slots) {
    let pick = slot.alts[0];
    if (other && slot.alts.length > 1) {
      let bestHits = -1;
      for (const alt of slot.alts) {
        const hits = alt.filter((c) => other.has(c)).length;
        if (hits > bestHits) {
          bestHits = hits;
          pick = alt;
        }
      }
    }
    for (const c of pick) if (!out.includes(c)) out.push(c);
  }
  return out;
}

/** Words of a name the dictionary expanded, as `DOB→birth date`, for reasons shown to analysts. */
export function expansions(a: NameAnalysis, other?: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const slot of a.slots) {
    const alt = other ? (slot.alts.find((x) => x.some((c) => other.has(c))) ?? slot.alts[0]) : slot.alts[0];
    const text = alt.join(' ');
    if (text !== slot.word) out.push(`${slot.word.toUpperCase()}→${text}`);
  }
  return out;
}
