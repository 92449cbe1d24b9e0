/**
 * The skeleton of one synthetic person: sex, birth, death and the window in which their
 * hospital activity happens. Every event date is drawn inside [winStart, end], and `end` is the
 * date of death when there is one, so no clean event precedes birth or follows death.
 */
import type { GenContext } from './context.js';
import { POSTCODE_AREAS } from './identifiers.js';
import { cumulate } from './prng.js';
import { SEX_CODES } from './codes.js';

export interface Person {
  /** PAT_ID. */
  id: number;
  /** Local sex code (M/F/I/U). */
  sex: string;
  /** Whether names, titles and sex-specific events follow the female pattern. */
  female: boolean;
  dob: number;
  dod: number | null;
  /** Last day anything can happen: date of death, or the data set's "today". */
  end: number;
  /** Date first registered on the PAS. */
  regDate: number;
  /** First day of the activity window (the PAS keeps about ten years of activity). */
  winStart: number;
  area: (typeof POSTCODE_AREAS)[number];
}

const YEAR = 365.25;
const SEXES = SEX_CODES.map((c) => c.code);
const SEX_WEIGHTS = cumulate(SEX_CODES.map((c) => c.weight));
// Age bands roughly matching a hospital's registered population: [min, max, weight].
const AGE_BANDS: Array<[number, number]> = [
  [0, 15],
  [16, 39],
  [40, 64],
  [65, 99],
];
const AGE_WEIGHTS = cumulate([18, 28, 30, 24]);

/** Draws a person for patient `index` (PAT_ID = index + 1). */
export function drawPerson(ctx: GenContext, index: number): Person {
  const rng = ctx.rng;
  const sex = rng.weighted(SEXES, SEX_WEIGHTS);
  const female = sex === 'F' || (sex !== 'M' && rng.chance(0.5));
  const [lo, hi] = rng.weighted(AGE_BANDS, AGE_WEIGHTS);
  const ageDays = Math.floor(rng.between(lo, hi) * YEAR) + rng.int(365);
  const dob = ctx.asOf - ageDays;
  const ageYears = ageDays / YEAR;
  const dies = rng.chance(ageYears >= 65 ? 0.12 : 0.015);
  // Deaths fall in the last ten years (older ones would have been archived off the PAS).
  const dod = dies ? ctx.asOf - rng.int(Math.max(1, Math.min(ageDays, 3650))) : null;
  const end = dod ?? ctx.asOf;
  // Registered at birth here, or when first seen since the PAS went live 30 years ago.
  const firstPossible = Math.max(dob, ctx.asOf - Math.floor(30 * YEAR));
  const regDate = Math.min(end, firstPossible + (rng.chance(0.3) ? rng.int(120) : rng.int(Math.max(1, end - firstPossible))));
  const winStart = Math.max(regDate, end - 3650);
  const area = rng.pick(POSTCODE_AREAS);
  return { id: index + 1, sex, female, dob, dod, end, regDate, winStart, area };
}

/** Age in whole years on a day. */
export function ageAt(p: Person, day: number): number {
  return Math.floor((day - p.dob) / YEAR);
}

/** A day drawn uniformly from the person's activity window. */
export function dayInWindow(ctx: GenContext, p: Person): number {
  return p.winStart + ctx.rng.int(p.end - p.winStart + 1);
}
