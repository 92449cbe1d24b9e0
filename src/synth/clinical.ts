/**
 * Clinical rows for one person: allergies and alerts (SNOMED CT), medication orders (dm+d) and
 * laboratory results (LOINC, UK units, values drawn inside physiologically possible bounds).
 */
import { conflictOf, drugClassMatcher, type DrugClassMatcher } from '../reference/drug-classes.js';
import { ALERTS, ALLERGENS, ALLERGY_SEVERITIES, CLASS_CONFLICTS, LAB_TESTS, MEDICINES } from './codes.js';
import { columnIndex, pad, T, type Cell, type GenContext } from './context.js';
import { ddmmyyyy } from './dates.js';
import { dmdId } from './identifiers.js';
import { ageAt, dayInWindow, type Person } from './person.js';
import { injectOrphan } from './row-defects.js';

const LB = columnIndex('LAB');
const MEDICINE_IDS = MEDICINES.map((m) => dmdId(m.item));

let conflicts: boolean[][] | undefined;
/** conflicts[medicine][allergen]: the shipped drug-class table says the pair conflicts (by substance, class or cross-reactivity). */
function conflictTable(): boolean[][] {
  if (conflicts) return conflicts;
  const matcher: DrugClassMatcher = drugClassMatcher();
  const allergies = ALLERGENS.map((a) => matcher.allergy(a.term)!);
  conflicts = MEDICINES.map((m) => {
    const med = matcher.medication(m.name)!;
    return allergies.map((a) => conflictOf(a, med) !== undefined);
  });
  return conflicts;
}

/** Emits allergies for about one patient in five. */
export function emitAllergies(ctx: GenContext, p: Person): void {
  const rng = ctx.rng;
  if (!rng.chance(0.2)) return;
  const first = rng.int(ALLERGENS.length);
  const count = rng.chance(0.25) ? 2 : 1;
  for (let i = 0; i < count; i++) {
    const at = (first + i * 5) % ALLERGENS.length;
    const a = ALLERGENS[at];
    ctx.allergens.push(at);
    ctx.rows.row(T.ALLERGY, [ctx.id(T.ALLERGY), p.id, a.sctid, a.term.toUpperCase(), pad(rng.pick(ALLERGY_SEVERITIES), 4), ddmmyyyy(dayInWindow(ctx, p))]);
  }
}

/** Emits a clinical alert for about one patient in ten, when one fits their age. */
export function emitAlerts(ctx: GenContext, p: Person): void {
  const rng = ctx.rng;
  if (!rng.chance(0.1)) return;
  const alert = rng.pick(ALERTS);
  const start = dayInWindow(ctx, p);
  if ((alert.minAge ?? 0) > ageAt(p, start)) return;
  const ends = rng.chance(0.2);
  ctx.rows.row(T.ALERT, [ctx.id(T.ALERT), p.id, alert.sctid, alert.term, ddmmyyyy(start), ends ? ddmmyyyy(start + rng.int(p.end - start + 1)) : '']);
}

/** Emits zero to three medication orders, more for older patients. */
export function emitMedications(ctx: GenContext, p: Person): void {
  const rng = ctx.rng;
  const count = rng.int(ageAt(p, ctx.asOf) >= 60 ? 5 : 2);
  for (let i = 0; i < count; i++) {
    let k = rng.int(MEDICINES.length);
    // Clean records hold no allergy conflict: the next medicine the patient's allergies allow, without another draw.
    while (ctx.allergens.some((a) => conflictTable()[k][a])) k = (k + 1) % MEDICINES.length;
    ctx.medicines.push(k);
    const m = MEDICINES[k];
    const start = dayInWindow(ctx, p);
    const stopped = rng.chance(0.5);
    ctx.rows.row(T.MEDS, [ctx.id(T.MEDS), p.id, MEDICINE_IDS[k], m.name, m.dose, pad(m.route, 3), pad(m.freq, 3), ddmmyyyy(start), stopped ? ddmmyyyy(start + rng.int(p.end - start + 1)) : '']);
  }
}

/**
 * Maybe injects an allergy class conflict: an allergy to one substance and a medication order of
 * another substance of its drug class, for a patient none of whose other orders the new allergy
 * covers (so the manifest names every conflict the data holds).
 */
export function injectClassConflict(ctx: GenContext, p: Person): void {
  if (!ctx.hit('allergy_class_conflict')) return;
  const table = conflictTable();
  const fits = CLASS_CONFLICTS.filter((c) => {
    const a = ALLERGENS.findIndex((x) => x.sctid === c.allergen);
    return !ctx.medicines.some((k) => table[k][a]);
  });
  if (fits.length === 0) return;
  const c = fits[ctx.drng.int(fits.length)];
  const allergen = ALLERGENS.find((x) => x.sctid === c.allergen)!;
  const allergyId = ctx.id(T.ALLERGY);
  ctx.rows.row(T.ALLERGY, [allergyId, p.id, allergen.sctid, allergen.term.toUpperCase(), pad(ctx.drng.pick(ALLERGY_SEVERITIES), 4), ddmmyyyy(dayInWindow(ctx, p))]);
  const m = c.medicine;
  const medId = ctx.id(T.MEDS);
  ctx.rows.row(T.MEDS, [medId, p.id, dmdId(m.item), m.name, m.dose, pad(m.route, 3), pad(m.freq, 3), ddmmyyyy(dayInWindow(ctx, p)), '']);
  ctx.record('allergy_class_conflict', T.MEDS, medId, 'MED_NAME', undefined, String(allergyId));
}

/** Emits zero to six laboratory results on days inside the activity window. */
export function emitLabResults(ctx: GenContext, p: Person): void {
  const rng = ctx.rng;
  const count = rng.int(7);
  for (let i = 0; i < count; i++) {
    const k = rng.int(LAB_TESTS.length);
    const t = LAB_TESTS[k];
    // Mostly inside the reference range, sometimes abnormal, never impossible.
    const normal = rng.chance(0.8);
    const lo = normal ? t.refLow : t.min;
    const hi = normal ? t.refHigh : t.max;
    const value = Math.max(t.min, Math.min(t.max, lo + rng.float() * (hi - lo)));
    const id = ctx.id(T.LAB);
    const row: Cell[] = [id, p.id, t.loinc, t.name, value.toFixed(t.decimals), t.units, String(t.refLow), String(t.refHigh), ddmmyyyy(dayInWindow(ctx, p))];
    ctx.newRow();
    if (ctx.hit('lab_value_out_of_range') && ctx.claim(LB.LAB_VALUE)) {
      // A sign error or a units slip of three orders of magnitude: impossible for any analyte.
      const d = ctx.drng;
      const negative = d.chance(0.5);
      row[LB.LAB_VALUE] = negative ? `-${(value + 1).toFixed(t.decimals)}` : (value * 1000 + 10000).toFixed(t.decimals);
      ctx.record('lab_value_out_of_range', T.LAB, id, 'LAB_VALUE', negative ? 'negative' : 'units_slip');
    }
    injectOrphan(ctx, T.LAB, row, id, LB.LAB_PATID, 'LAB_PATID');
    ctx.rows.row(T.LAB, row);
  }
}
