/**
 * Generates everything for one patient, in a fixed order, from PRNG streams seeded by
 * (seed, patient index) alone.
 */
import { emitReferrals, emitSpells } from './activity.js';
import { emitAlerts, emitAllergies, emitLabResults, emitMedications, injectClassConflict } from './clinical.js';
import type { GenContext } from './context.js';
import { emitAddresses, emitAliases, emitGpRegistrations, emitNextOfKin, emitPatient } from './demographics.js';
import { drawPerson } from './person.js';

/** Emits patient `index`'s rows (PAT_ID = index + 1) and any defects injected into them. */
export function generatePatient(ctx: GenContext, index: number): void {
  ctx.startPatient(index);
  const p = drawPerson(ctx, index);
  const { surname, forename } = emitPatient(ctx, p);
  emitAliases(ctx, p, surname, forename);
  emitAddresses(ctx, p);
  emitNextOfKin(ctx, p, surname);
  emitGpRegistrations(ctx, p);
  emitReferrals(ctx, p);
  emitSpells(ctx, p);
  emitAllergies(ctx, p);
  emitAlerts(ctx, p);
  emitMedications(ctx, p);
  emitLabResults(ctx, p);
  // Last, so the rows before it are the same with or without this defect.
  injectClassConflict(ctx, p);
}
