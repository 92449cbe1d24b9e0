/**
 * Hospital activity for one person: referrals with their outpatient appointments and waiting
 * list entries, and inpatient spells with ward stays, diagnoses and procedures. Dates only move
 * forward from a referral or admission and never pass the person's `end`.
 */
import {
  ADMISSION_METHODS,
  APPOINTMENT_OUTCOMES,
  APPOINTMENT_STATUSES,
  ATTENDED_STATUSES,
  CLINIC_PREFIXES,
  DISCHARGE_DIED,
  DISCHARGE_METHODS,
  ICD10_CODES,
  OPCS4_CODES,
  REFERRAL_PRIORITIES,
  REFERRAL_SOURCES,
  SPECIALTIES,
  WARDS,
  type Specialty,
} from './codes.js';
import { columnIndex, pad, T, type Cell, type GenContext } from './context.js';
import { ddmmyyyy } from './dates.js';
import { ageAt, dayInWindow, type Person } from './person.js';
import { cumulate, type Prng } from './prng.js';
import { injectMixedDate, injectOrphan, injectUnmapped } from './row-defects.js';

const RF = columnIndex('REF');
const AP = columnIndex('OP_APPT');
const SP = columnIndex('IP_SPELL');
const DG = columnIndex('DIAG');

const weightedCodes = (list: Array<{ code: string; weight: number }>) => ({
  codes: list.map((c) => c.code),
  cum: cumulate(list.map((c) => c.weight)),
});
const ADM = weightedCodes(ADMISSION_METHODS);
const DISCH = weightedCodes(DISCHARGE_METHODS);
const STATUS = weightedCodes(APPOINTMENT_STATUSES);
const OUTCOME = weightedCodes(APPOINTMENT_OUTCOMES);
const SOURCE = weightedCodes(REFERRAL_SOURCES);
const PRIORITY = weightedCodes(REFERRAL_PRIORITIES);
const COUNT_0_4 = cumulate([35, 35, 18, 8, 4]);
const COUNTS = [0, 1, 2, 3, 4];
const ADULT_WARDS = WARDS.filter((w) => w !== 'PAEDW');

function hhmm(rng: Prng, from: number, to: number): string {
  const minutes = from * 60 + rng.int((to - from) * 4) * 15;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}`;
}

function specialty(rng: Prng, p: Person, age: number): string {
  for (let tries = 0; tries < 8; tries++) {
    const s: Specialty = rng.pick(SPECIALTIES);
    if ((s.minAge ?? 0) <= age && age <= (s.maxAge ?? 200) && (s.sex === undefined || p.female)) return s.code;
  }
  return age < 16 ? 'PAED' : 'GMED';
}

/** Emits referrals with their appointments and waiting-list entries. */
export function emitReferrals(ctx: GenContext, p: Person): void {
  const rng = ctx.rng;
  const count = rng.weighted(COUNTS, COUNT_0_4);
  for (let i = 0; i < count; i++) {
    const refDt = dayInWindow(ctx, p);
    const age = ageAt(p, refDt);
    const spec = specialty(rng, p, age);
    const refId = ctx.id(T.REF);
    // The RTT clock starts when the referral is received, occasionally logged a few days late.
    const rtt = Math.min(p.end, refDt + (rng.chance(0.2) ? 1 + rng.int(5) : 0));
    const row: Cell[] = [refId, p.id, ddmmyyyy(refDt), ddmmyyyy(rtt), pad(spec, 6), pad(rng.weighted(SOURCE.codes, SOURCE.cum), 4), pad(rng.weighted(PRIORITY.codes, PRIORITY.cum), 3)];
    ctx.newRow();
    injectMixedDate(ctx, T.REF, row, refId, RF.REF_DT, 'REF_DT', refDt);
    injectOrphan(ctx, T.REF, row, refId, RF.REF_PATID, 'REF_PATID');
    ctx.rows.row(T.REF, row);
    const lastAppt = emitAppointments(ctx, p, refId, rtt);
    if (rng.chance(0.25)) emitWaitingListEntry(ctx, p, refId, spec, Math.max(lastAppt, rtt));
  }
}

function emitAppointments(ctx: GenContext, p: Person, refId: number, from: number): number {
  const rng = ctx.rng;
  const count = 1 + rng.int(3);
  let day = from;
  for (let i = 0; i < count; i++) {
    const next = day + 7 + rng.int(110);
    if (next > p.end) break;
    day = next;
    const apptId = ctx.id(T.OP_APPT);
    const status = rng.weighted(STATUS.codes, STATUS.cum);
    const row: Cell[] = [
      apptId,
      p.id,
      refId,
      ddmmyyyy(day),
      hhmm(rng, 8, 17),
      pad(`${rng.pick(CLINIC_PREFIXES)}${100 + rng.int(60)}`, 8),
      status,
      ATTENDED_STATUSES.has(status) ? rng.weighted(OUTCOME.codes, OUTCOME.cum) : '',
    ];
    ctx.newRow();
    injectMixedDate(ctx, T.OP_APPT, row, apptId, AP.APPT_DT, 'APPT_DT', day);
    injectUnmapped(ctx, T.OP_APPT, row, apptId, [[AP.APPT_STATUS, 'APPT_STATUS', 'QRY']]);
    injectOrphan(ctx, T.OP_APPT, row, apptId, AP.APPT_PATID, 'APPT_PATID');
    ctx.rows.row(T.OP_APPT, row);
  }
  return day;
}

function emitWaitingListEntry(ctx: GenContext, p: Person, refId: number, spec: string, from: number): void {
  const rng = ctx.rng;
  const added = Math.min(p.end, from + rng.int(30));
  const r = rng.float();
  const status = r < 0.6 ? 'W' : r < 0.85 ? 'A' : 'R';
  const removed = status === 'W' ? null : Math.min(p.end, added + 14 + rng.int(300));
  const proc = rng.pick(OPCS4_CODES).code;
  ctx.rows.row(T.WL_ENTRY, [ctx.id(T.WL_ENTRY), p.id, refId, ddmmyyyy(added), pad(spec, 6), proc, status, removed === null ? '' : ddmmyyyy(removed)]);
}

const SPELL_COUNT = cumulate([62, 24, 9, 5]);
const SPELL_COUNTS = [0, 1, 2, 3];

/** Emits inpatient spells, each inside its own slice of the activity window so none overlap. */
export function emitSpells(ctx: GenContext, p: Person): void {
  const rng = ctx.rng;
  const span = p.end - p.winStart + 1;
  // At most one spell per day of the window: a window shorter than the spells drawn (a newborn,
  // a death soon after registration) would give empty slices whose end is before their start.
  const count = Math.min(rng.weighted(SPELL_COUNTS, SPELL_COUNT), span);
  if (count === 0) return;
  const slice = Math.floor(span / count);
  const diesInHospital = p.dod !== null && rng.chance(0.4);
  for (let i = 0; i < count; i++) {
    const sliceStart = p.winStart + i * slice;
    const sliceEnd = i === count - 1 ? p.end : sliceStart + slice - 1;
    const died = diesInHospital && i === count - 1;
    const stay = rng.chance(0.35) ? 0 : 1 + rng.int(rng.chance(0.8) ? 7 : 30);
    let adm: number;
    let disch: number;
    if (died) {
      disch = p.end;
      adm = Math.max(sliceStart, disch - stay);
    } else {
      adm = sliceStart + rng.int(Math.max(1, sliceEnd - sliceStart + 1));
      disch = Math.min(sliceEnd, adm + stay);
    }
    emitSpell(ctx, p, adm, disch, died);
  }
}

function emitSpell(ctx: GenContext, p: Person, adm: number, disch: number, died: boolean): void {
  const rng = ctx.rng;
  const age = ageAt(p, adm);
  let method = rng.weighted(ADM.codes, ADM.cum);
  // Maternity admissions only for women of child-bearing age.
  if ((method === 'MA' || method === 'MP') && !(p.female && age >= 16 && age <= 50)) method = 'AE';
  const spec = specialty(rng, p, age);
  const spellId = ctx.id(T.IP_SPELL);
  const row: Cell[] = [spellId, p.id, ddmmyyyy(adm), hhmm(rng, 0, 24), method, pad(spec, 6), ddmmyyyy(disch), died ? DISCHARGE_DIED : rng.weighted(DISCH.codes, DISCH.cum)];
  ctx.newRow();
  const d = ctx.drng;
  // Claiming ADM_DT too keeps it in the PAS's own format, so the contradiction stays unambiguous.
  if (ctx.hit('impossible_date') && ctx.claim(SP.DISCH_DT) && ctx.claim(SP.ADM_DT)) {
    row[SP.DISCH_DT] = ddmmyyyy(adm - 1 - d.int(30));
    ctx.record('impossible_date', T.IP_SPELL, spellId, 'DISCH_DT', 'discharge_before_admission');
  }
  if (ctx.hit('sentinel_value') && ctx.claim(SP.ADM_METH)) {
    row[SP.ADM_METH] = '99';
    ctx.record('sentinel_value', T.IP_SPELL, spellId, 'ADM_METH', 'code_99');
  }
  injectMixedDate(ctx, T.IP_SPELL, row, spellId, SP.ADM_DT, 'ADM_DT', adm);
  injectUnmapped(ctx, T.IP_SPELL, row, spellId, [
    [SP.ADM_METH, 'ADM_METH', 'QQ'],
    [SP.DISCH_METH, 'DISCH_METH', 'QQ'],
  ]);
  ctx.rows.row(T.IP_SPELL, row);
  emitWardStays(ctx, spellId, age, adm, disch);
  emitDiagnoses(ctx, p, spellId, age);
  emitProcedures(ctx, spellId, age, adm, disch);
}

function emitWardStays(ctx: GenContext, spellId: number, age: number, adm: number, disch: number): void {
  const rng = ctx.rng;
  const ward = () => (age < 16 ? 'PAEDW' : rng.pick(ADULT_WARDS));
  const moves = disch - adm >= 2 && rng.chance(0.3);
  const mid = moves ? adm + 1 + rng.int(disch - adm - 1) : disch;
  ctx.rows.row(T.IP_WARD, [ctx.id(T.IP_WARD), spellId, pad(ward(), 6), ddmmyyyy(adm), ddmmyyyy(mid)]);
  if (moves) ctx.rows.row(T.IP_WARD, [ctx.id(T.IP_WARD), spellId, pad(ward(), 6), ddmmyyyy(mid), ddmmyyyy(disch)]);
}

function emitDiagnoses(ctx: GenContext, p: Person, spellId: number, age: number): void {
  const rng = ctx.rng;
  const count = 1 + rng.int(3);
  let seq = 0;
  for (let tries = 0; seq < count && tries < 12; tries++) {
    const dx = rng.pick(ICD10_CODES);
    if ((dx.minAge ?? 0) > age || (dx.sex === 'F' && !p.female)) continue;
    const id = ctx.id(T.DIAG);
    const row: Cell[] = [id, spellId, ++seq, pad(dx.code, 6)];
    ctx.newRow();
    injectOrphan(ctx, T.DIAG, row, id, DG.DIAG_SPELLID, 'DIAG_SPELLID');
    ctx.rows.row(T.DIAG, row);
  }
}

function emitProcedures(ctx: GenContext, spellId: number, age: number, adm: number, disch: number): void {
  const rng = ctx.rng;
  const count = rng.chance(0.55) ? 0 : 1 + (rng.chance(0.25) ? 1 : 0);
  let seq = 0;
  for (let tries = 0; seq < count && tries < 8; tries++) {
    const px = rng.pick(OPCS4_CODES);
    if ((px.minAge ?? 0) > age) continue;
    ctx.rows.row(T.PROC, [ctx.id(T.PROC), spellId, ++seq, pad(px.code, 5), ddmmyyyy(adm + rng.int(disch - adm + 1))]);
  }
}
