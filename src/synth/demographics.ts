/**
 * Demographic rows for one person: PAT_MAST (plus a near-copy when the duplicate defect
 * fires), PAT_ALIAS, PAT_ADDR, PAT_NOK and GP_REG, with the defects that belong to them.
 */
import { ALIAS_TYPES, ETHNIC_CODES, MARITAL_CHILD, MARITAL_CODES, NOK_RELATIONSHIPS, TITLES } from './codes.js';
import { columnIndex, pad, T, type Cell, type GenContext } from './context.js';
import { ddmmyyyy, isoToDays } from './dates.js';
import { malformedPostcode, phoneNumber, POSTCODE_AREAS, postcode, withWrongCheckDigit } from './identifiers.js';
import { ageAt, type Person } from './person.js';
import { cumulate } from './prng.js';
import { injectMixedDate, injectUnmapped } from './row-defects.js';

const PM = columnIndex('PAT_MAST');
const AD = columnIndex('PAT_ADDR');
const ETHNIC = ETHNIC_CODES.map((c) => c.code);
const ETHNIC_W = cumulate(ETHNIC_CODES.map((c) => c.weight));
const MARITAL = MARITAL_CODES.map((c) => c.code);
const MARITAL_W = cumulate(MARITAL_CODES.map((c) => c.weight));

// Names a Windows-1252 export carries as single bytes (Ó 0xD3, é 0xE9, ’ 0x92, ë 0xEB, â 0xE2).
const CP1252_SURNAMES = ['O’BRIEN', 'Ó SÚILLEABHÁIN', 'D’ARCY', 'MÉNDEZ', 'O’NEILL', 'LEFÈVRE'];
const CP1252_FORENAMES = ['Zoë', 'Seán', 'Renée', 'Chloé', 'Siân', 'Noël', 'Róisín'];
const SENTINEL_DOB = isoToDays('1900-01-01');
const OVERLONG_PREFIX = 'FLAT 12, THE OLD COTTON MILL BUILDINGS, ';

/** Emits the person's PAT_MAST row and its defects; returns the forename and surname used. */
export function emitPatient(ctx: GenContext, p: Person): { surname: string; forename: string } {
  const rng = ctx.rng;
  const pools = ctx.pools;
  const age = ageAt(p, ctx.asOf);
  const surname = rng.pick(pools.surnames);
  const names = p.female ? pools.femaleForenames : pools.maleForenames;
  const forename = rng.pick(names);
  const middle = rng.chance(0.4) ? rng.pick(names) : '';
  const marital = age < 16 ? MARITAL_CHILD : rng.weighted(MARITAL, MARITAL_W);
  const title = age < 16 ? TITLES.child[p.female ? 1 : 0] : rng.chance(0.02) ? TITLES.doctor : p.female ? (marital === 'MA' || marital === 'WI' ? 'MRS' : rng.pick(['MS', 'MISS'])) : 'MR';
  const nhs = ctx.nhsNumbers.next();
  const row: Cell[] = [
    p.id,
    `H${String(p.id).padStart(8, '0')}`,
    nhs,
    pad(title, 4),
    surname,
    forename,
    middle,
    ddmmyyyy(p.dob),
    p.sex,
    pad(rng.weighted(ETHNIC, ETHNIC_W), 2),
    pad(marital, 2),
    p.dod === null ? '' : ddmmyyyy(p.dod),
    rng.chance(0.8) ? phoneNumber(rng) : '',
    ddmmyyyy(p.regDate),
  ];
  const duplicated = ctx.hit('duplicate_patient');
  const duplicate = duplicated ? makeDuplicate(ctx, row) : null;
  injectPatientDefects(ctx, p, row, duplicated);
  ctx.rows.row(T.PAT_MAST, row);
  if (duplicate) {
    ctx.rows.row(T.PAT_MAST, duplicate.row);
    ctx.record('duplicate_patient', T.PAT_MAST, duplicate.row[PM.PAT_ID] as number, 'PAT_NHSNO', duplicate.variant, String(p.id));
  }
  return { surname, forename };
}

// A second registration of the same person: same NHS number and date of birth, a new PAT_ID
// and hospital number, and one small difference of the kind that defeats exact matching.
function makeDuplicate(ctx: GenContext, original: Cell[]): { row: Cell[]; variant: string } {
  const row = original.slice();
  const id = ctx.nextDuplicateId++;
  row[PM.PAT_ID] = id;
  row[PM.PAT_HOSPNO] = `H${String(id).padStart(8, '0')}`;
  const forename = String(original[PM.PAT_FORENM]);
  const variants = ['forename_initial', 'middle_name_dropped', 'telephone_changed'] as const;
  let variant: string = variants[ctx.drng.int(variants.length)];
  if (variant === 'middle_name_dropped' && original[PM.PAT_MIDNM] === '') variant = 'forename_initial';
  if (variant === 'forename_initial') row[PM.PAT_FORENM] = forename[0];
  else if (variant === 'middle_name_dropped') row[PM.PAT_MIDNM] = '';
  else row[PM.PAT_TEL] = phoneNumber(ctx.drng);
  return { row, variant };
}

function injectPatientDefects(ctx: GenContext, p: Person, row: Cell[], duplicated: boolean): void {
  const key = p.id;
  const d = ctx.drng;
  ctx.newRow();
  // A duplicate is recognised by NHS number and date of birth, so the original keeps both intact.
  if (duplicated) {
    ctx.claim(PM.PAT_NHSNO);
    ctx.claim(PM.PAT_DOB);
  }
  if (ctx.hit('nhs_number_missing') && ctx.claim(PM.PAT_NHSNO)) {
    row[PM.PAT_NHSNO] = '';
    ctx.record('nhs_number_missing', T.PAT_MAST, key, 'PAT_NHSNO');
  }
  if (ctx.hit('nhs_number_invalid') && ctx.claim(PM.PAT_NHSNO)) {
    row[PM.PAT_NHSNO] = withWrongCheckDigit(String(row[PM.PAT_NHSNO]), d);
    ctx.record('nhs_number_invalid', T.PAT_MAST, key, 'PAT_NHSNO');
  }
  if (ctx.hit('sentinel_value')) {
    if (d.chance(0.5)) {
      if (ctx.claim(PM.PAT_DOB)) {
        row[PM.PAT_DOB] = ddmmyyyy(SENTINEL_DOB);
        ctx.record('sentinel_value', T.PAT_MAST, key, 'PAT_DOB', 'date_1900');
      }
    } else if (ctx.claim(PM.PAT_SURNAME)) {
      row[PM.PAT_SURNAME] = 'UNKNOWN';
      ctx.record('sentinel_value', T.PAT_MAST, key, 'PAT_SURNAME', 'unknown');
    }
  }
  if (ctx.hit('impossible_date')) {
    if (d.chance(0.5)) {
      if (ctx.claim(PM.PAT_DOB)) {
        // Decades ahead, so it stays in the future whenever the data set is used.
        row[PM.PAT_DOB] = ddmmyyyy(ctx.asOf + 365 * (50 + d.int(20)) + d.int(365));
        ctx.record('impossible_date', T.PAT_MAST, key, 'PAT_DOB', 'future_birth');
      }
    } else if (ctx.claim(PM.PAT_DOD) && ctx.claim(PM.PAT_DOB)) {
      row[PM.PAT_DOD] = ddmmyyyy(p.dob - 1 - d.int(3650));
      ctx.record('impossible_date', T.PAT_MAST, key, 'PAT_DOD', 'death_before_birth');
    }
  }
  injectMixedDate(ctx, T.PAT_MAST, row, key, PM.PAT_DOB, 'PAT_DOB', p.dob);
  injectUnmapped(ctx, T.PAT_MAST, row, key, [
    [PM.PAT_SEX, 'PAT_SEX', 'Q'],
    [PM.PAT_ETHNIC, 'PAT_ETHNIC', 'Z9'],
    [PM.PAT_MARITAL, 'PAT_MARITAL', 'XX'],
  ]);
  if (ctx.hit('overlong_text') && ctx.claim(PM.PAT_SURNAME)) {
    let long = String(row[PM.PAT_SURNAME]);
    while (long.length <= 40) long = `${long}-${ctx.pools.surnames[d.int(ctx.pools.surnames.length)]}`;
    row[PM.PAT_SURNAME] = long;
    ctx.record('overlong_text', T.PAT_MAST, key, 'PAT_SURNAME');
  }
  if (ctx.hit('windows_1252_text')) {
    if (d.chance(0.5)) {
      if (ctx.claim(PM.PAT_SURNAME)) {
        row[PM.PAT_SURNAME] = CP1252_SURNAMES[d.int(CP1252_SURNAMES.length)];
        ctx.record('windows_1252_text', T.PAT_MAST, key, 'PAT_SURNAME');
      }
    } else if (ctx.claim(PM.PAT_FORENM)) {
      row[PM.PAT_FORENM] = CP1252_FORENAMES[d.int(CP1252_FORENAMES.length)];
      ctx.record('windows_1252_text', T.PAT_MAST, key, 'PAT_FORENM');
    }
  }
  if (ctx.hit('stray_whitespace')) {
    const cols = [PM.PAT_SURNAME, PM.PAT_FORENM, PM.PAT_NHSNO, PM.PAT_SEX];
    const c = cols[d.int(cols.length)];
    if (row[c] !== '' && ctx.claim(c)) {
      row[c] = `${' '.repeat(1 + d.int(3))}${row[c]}${' '.repeat(1 + d.int(3))}`;
      ctx.record('stray_whitespace', T.PAT_MAST, key, nameOf(c));
    }
  }
  if (ctx.hit('wrong_case')) {
    const cols = [PM.PAT_SURNAME, PM.PAT_FORENM, PM.PAT_SEX];
    const c = cols[d.int(cols.length)];
    if (ctx.claim(c)) {
      const v = String(row[c]);
      row[c] = c === PM.PAT_FORENM ? v.toUpperCase() : v.toLowerCase();
      ctx.record('wrong_case', T.PAT_MAST, key, nameOf(c));
    }
  }
}

const PM_NAMES = Object.keys(PM);
function nameOf(column: number): string {
  return PM_NAMES[column];
}

/** Emits previous names: a maiden name for some married women, and the odd alias. */
export function emitAliases(ctx: GenContext, p: Person, surname: string, forename: string): void {
  const rng = ctx.rng;
  const adult = ageAt(p, ctx.asOf) >= 20;
  const maiden = adult && p.female && rng.chance(0.35);
  if (!maiden && !rng.chance(0.03)) return;
  const changed = p.dob + Math.floor(18 * 365.25) + rng.int(Math.max(1, p.end - p.dob - Math.floor(18 * 365.25)));
  const to = Math.min(changed, p.end);
  const id = ctx.id(T.PAT_ALIAS);
  ctx.rows.row(T.PAT_ALIAS, [
    id,
    p.id,
    pad(maiden ? ALIAS_TYPES[1] : rng.pick(ALIAS_TYPES), 4),
    maiden ? rng.pick(ctx.pools.surnames) : surname,
    maiden ? forename : rng.pick(p.female ? ctx.pools.femaleForenames : ctx.pools.maleForenames),
    ddmmyyyy(p.dob),
    ddmmyyyy(to),
  ]);
}

/** Emits the address history: one to three addresses, the last one current. */
export function emitAddresses(ctx: GenContext, p: Person): void {
  const rng = ctx.rng;
  const count = 1 + (rng.chance(0.4) ? 1 : 0) + (rng.chance(0.15) ? 1 : 0);
  let from = p.regDate;
  for (let i = 0; i < count; i++) {
    const last = i === count - 1;
    const to = last ? null : from + rng.int(Math.max(1, p.end - from));
    const area = rng.chance(0.85) ? p.area : rng.pick(POSTCODE_AREAS);
    const id = ctx.id(T.PAT_ADDR);
    const row: Cell[] = [
      id,
      p.id,
      `${1 + rng.int(200)} ${rng.pick(ctx.pools.streets).toUpperCase()}`,
      rng.chance(0.5) ? rng.pick(ctx.pools.localities).toUpperCase() : '',
      area.town,
      area.county,
      pad(postcode(area.area, area.districts, rng), 8),
      ddmmyyyy(from),
      to === null ? '' : ddmmyyyy(to),
    ];
    ctx.newRow();
    if (ctx.hit('postcode_invalid') && ctx.claim(AD.ADDR_PCODE)) {
      row[AD.ADDR_PCODE] = malformedPostcode(String(row[AD.ADDR_PCODE]).trim(), ctx.drng);
      ctx.record('postcode_invalid', T.PAT_ADDR, id, 'ADDR_PCODE');
    }
    if (ctx.hit('overlong_text') && ctx.claim(AD.ADDR_LINE1)) {
      row[AD.ADDR_LINE1] = OVERLONG_PREFIX + String(row[AD.ADDR_LINE1]);
      ctx.record('overlong_text', T.PAT_ADDR, id, 'ADDR_LINE1');
    }
    ctx.rows.row(T.PAT_ADDR, row);
    if (to !== null) from = to;
  }
}

/** Emits a next of kin for most patients. */
export function emitNextOfKin(ctx: GenContext, p: Person, surname: string): void {
  const rng = ctx.rng;
  if (!rng.chance(0.6)) return;
  const child = ageAt(p, ctx.asOf) < 16;
  const rel = child ? rng.pick(['MOTHER', 'FATHER']) : rng.pick(NOK_RELATIONSHIPS);
  const female = rel === 'MOTHER' || rel === 'DAUGHTER' || (rel !== 'FATHER' && rel !== 'SON' && rng.chance(0.5));
  const nokSurname = rel === 'FRIEND' ? rng.pick(ctx.pools.surnames) : surname;
  const given = rng.pick(female ? ctx.pools.femaleForenames : ctx.pools.maleForenames);
  ctx.rows.row(T.PAT_NOK, [ctx.id(T.PAT_NOK), p.id, `${given} ${nokSurname}`, pad(rel, 8), phoneNumber(rng)]);
}

/** Emits GP registrations: one or two practices, the last one current. */
export function emitGpRegistrations(ctx: GenContext, p: Person): void {
  const rng = ctx.rng;
  const count = rng.chance(0.3) ? 2 : 1;
  let from = p.regDate;
  for (let i = 0; i < count; i++) {
    const last = i === count - 1;
    const to = last ? null : from + rng.int(Math.max(1, p.end - from));
    const practice = rng.pick(ctx.pools.practices);
    ctx.rows.row(T.GP_REG, [ctx.id(T.GP_REG), p.id, practice.code, rng.pick(practice.gps), ddmmyyyy(from), to === null ? '' : ddmmyyyy(to)]);
    if (to !== null) from = to;
  }
}
