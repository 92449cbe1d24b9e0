/**
 * Vocabulary drawn once per run from @faker-js/faker (en_GB, seeded): surnames, forenames,
 * streets, GP practices. Rows then pick from these pools with the fast per-patient PRNG, which
 * keeps faker (slow, globally stateful) off the per-row path while names stay en_GB and seeded.
 */
import { Faker, en_GB, en, base } from '@faker-js/faker';
import { Prng } from './prng.js';
import { gpCode, gpPracticeCode } from './identifiers.js';

export interface Pools {
  surnames: string[];
  maleForenames: string[];
  femaleForenames: string[];
  streets: string[];
  localities: string[];
  practices: Array<{ code: string; gps: string[] }>;
}

// Longest value the clean data may hold in name and address fields; the example contract's
// length rules sit above it, so only the overlong-text defect can trip them.
const MAX_NAME = 30;
const MAX_STREET = 24;

function distinct(draw: () => string, count: number, maxLength: number, tries = count * 20): string[] {
  const seen = new Set<string>();
  for (let i = 0; i < tries && seen.size < count; i++) {
    const v = draw();
    // Keep the clean data in plain ASCII letters: accented and curly-apostrophe names are a
    // defect kind of their own (windows-1252 text), injected and recorded deliberately.
    if (v.length <= maxLength && /^[A-Za-z][A-Za-z' -]*$/.test(v)) seen.add(v);
  }
  return [...seen].sort();
}

/** Builds the pools for a seed; the same seed always yields the same pools. */
export function buildPools(seed: number): Pools {
  const faker = new Faker({ locale: [en_GB, en, base] });
  faker.seed(seed);
  const rng = new Prng(seed, 0xf00d);
  const practices = Array.from({ length: 60 }, () => ({
    code: gpPracticeCode(rng),
    gps: Array.from({ length: 1 + rng.int(5) }, () => gpCode(rng)),
  }));
  return {
    surnames: distinct(() => faker.person.lastName(), 600, MAX_NAME).map((s) => s.toUpperCase()),
    maleForenames: distinct(() => faker.person.firstName('male'), 250, MAX_NAME),
    femaleForenames: distinct(() => faker.person.firstName('female'), 250, MAX_NAME),
    streets: distinct(() => faker.location.street(), 500, MAX_STREET),
    localities: distinct(() => faker.location.city(), 150, MAX_NAME),
    practices,
  };
}
