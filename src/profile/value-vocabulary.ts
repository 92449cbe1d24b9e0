/**
 * Evidence from values for columns whose names say nothing (generic attribute-value columns such
 * as `value_source_value` or `qualifier_source_value`): the words NHS records use for a few coded
 * fields, from the NHS Data Dictionary's categories, which local codes abbreviate (`R`, `U`, `2WW`
 * for routine, urgent, two week wait; `GSURG` for general surgery; `MOD` for moderate). A column
 * all of whose frequent values abbreviate one field's words holds that field; a column holding
 * another field's words is not this one's, whatever its name shares with the target.
 */
import { isAbbreviation } from './names.js';
import type { ColumnProfile } from './types.js';

/** A coded field: the concepts a target names it by (all of them) and the phrases its values abbreviate. */
interface Field {
  name: string;
  concepts: readonly string[];
  phrases: readonly string[];
}

const FIELDS: readonly Field[] = [
  { name: 'priority', concepts: ['priority'], phrases: ['routine', 'urgent', 'two week wait', '2 week wait', 'soon', 'emergency', 'cancer', 'elective'] },
  { name: 'severity', concepts: ['severity'], phrases: ['mild', 'moderate', 'severe', 'life threatening', 'fatal', 'high', 'low'] },
  {
    name: 'referral source',
    concepts: ['referral', 'source'],
    phrases: [
      'gp',
      'general practitioner',
      'consultant',
      'accident emergency',
      'self',
      'other',
      'dentist',
      'optometrist',
      'optician',
      'community',
      'tertiary',
      'prison',
      'police',
      'midwife',
      'health visitor',
      'nhs 111',
    ],
  },
  {
    name: 'specialty',
    concepts: ['specialty'],
    phrases: [
      'general surgery',
      'general medicine',
      'trauma orthopaedics',
      'orthopaedics',
      'ophthalmology',
      'neurology',
      'dermatology',
      'ear nose throat',
      'urology',
      'respiratory',
      'respiratory medicine',
      'gastroenterology',
      'cardiology',
      'paediatrics',
      'gynaecology',
      'obstetrics',
      'oncology',
      'clinical oncology',
      'medical oncology',
      'haematology',
      'geriatric medicine',
      'rheumatology',
      'endocrinology',
      'diabetic medicine',
      'nephrology',
      'renal',
      'psychiatry',
      'plastic surgery',
      'vascular surgery',
      'breast surgery',
      'colorectal surgery',
      'cardiothoracic surgery',
      'neurosurgery',
      'oral surgery',
      'maxillofacial surgery',
      'anaesthetics',
      'pain management',
      'stroke medicine',
      'palliative medicine',
      'infectious diseases',
      'immunology',
      'allergy',
      'audiology',
      'physiotherapy',
      'dietetics',
      'midwifery',
      'emergency medicine',
      'accident emergency',
      'general practice',
    ],
  },
  {
    name: 'admission method',
    concepts: ['admission', 'method'],
    phrases: [
      'waiting list',
      'booked',
      'planned',
      'accident emergency',
      'gp',
      'bed bureau',
      'consultant clinic',
      'mental health crisis',
      'emergency other',
      'emergency',
      'elective',
      'transfer',
      'maternity',
      'birth',
      'other',
    ],
  },
];

// Share of a column's filled rows its frequent values must cover before they speak for it.
const COVERED = 0.7;
// Fields told apart by their values: at least this many of a field's phrases among them, and
// either one value at least this long or more phrases (letters such as M and F abbreviate too much).
const MIN_PHRASES = 2;
const MIN_LONG_VALUE = 3;
const MIN_PHRASES_SHORT = 4;

/** The coded field a target column names (its concepts include all of the field's), or null. */
export function namedField(concepts: readonly string[]): string | null {
  return FIELDS.find((f) => f.concepts.every((c) => concepts.includes(c)))?.name ?? null;
}

/** The coded field whose words a column's frequent values abbreviate, or null when its values are no field's (or too few rows are seen). */
export function valueField(p: ColumnProfile, rows: number): string | null {
  const filled = rows - p.nulls - p.empties;
  const top = p.top_values;
  if (filled <= 0 || top.length === 0 || p.inferred_type !== 'text') return null;
  if (top.reduce((n, t) => n + t.count, 0) < COVERED * filled) return null;
  const needed = top.some((t) => t.value.trim().length >= MIN_LONG_VALUE) ? MIN_PHRASES : MIN_PHRASES_SHORT;
  for (const f of FIELDS) {
    const matched = new Set<string>();
    let all = true;
    for (const t of top) {
      const phrases = phrasesOf(t.value, f.phrases);
      if (phrases.length === 0) {
        all = false;
        break;
      }
      for (const ph of phrases) matched.add(ph);
    }
    if (all && matched.size >= needed) return f.name;
  }
  return null;
}

/**
 * The phrases a value abbreviates: one (`WL` waiting list), or a category and its kind written
 * together (`ELWL` elective, waiting list; `EMAE` emergency, accident emergency). None when it
 * abbreviates no phrase or pair of phrases.
 */
function phrasesOf(value: string, phrases: readonly string[]): string[] {
  const one = phrases.find((ph) => abbreviates(value, ph));
  if (one !== undefined) return [one];
  const v = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  // Two letters at least each side: single letters would let almost any short code read as a pair.
  for (let i = 2; i <= v.length - 2; i++) {
    const first = phrases.find((ph) => abbreviates(v.slice(0, i), ph));
    if (first === undefined) continue;
    const second = phrases.find((ph) => ph !== first && abbreviates(v.slice(i), ph));
    if (second !== undefined) return [first, second];
  }
  return [];
}

/**
 * True when `value` writes `phrase` out or abbreviates it: pieces in order, each the start of the
 * next word (`GSURG` general surgery, `2WW` 2 week wait, `AE` accident emergency, `R` routine), or,
 * for a one-word phrase, the word's letters in order (`BK` booked, `SEV` severe).
 */
export function abbreviates(value: string, phrase: string): boolean {
  const v = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  const words = phrase.split(' ');
  if (v.length === 0) return false;
  if (words.length === 1 && (v === words[0] || isAbbreviation(v, words[0]))) return true;
  const pieces = (i: number, j: number): boolean => {
    if (j === words.length) return i === v.length;
    for (let k = Math.min(words[j].length, v.length - i); k >= 1; k--) if (words[j].startsWith(v.slice(i, i + k)) && pieces(i + k, j + 1)) return true;
    return false;
  };
  return pieces(0, 0);
}
