/**
 * Cross-field rules on a row's target values: `compare` (left op right), `age` (completed
 * years between a birth date and an event date or today) and `lab_range` (a result within the
 * physiological range configured for its test code). A missing value on either side passes:
 * missing data is reported by `required` and the completeness KPI, not here.
 */
import type { Value } from '../connectors/connector.js';
import type { RowRule } from '../contract/model.js';
import { FerryError } from '../errors.js';
import { isBlank, numericValue } from './basic.js';
import { completedYears, isoDatePart, isoInstant, utcToday } from './dates.js';
import { failureFor, type RuleFailure } from './failure.js';

export type RowCheck = (row: readonly Value[]) => RuleFailure | null;

type Op = '<' | '<=' | '>' | '>=' | '=' | '!=';

const HOLDS: Record<Op, (c: number) => boolean> = {
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
  '=': (c) => c === 0,
  '!=': (c) => c !== 0,
};

function sign(a: number | bigint, b: number | bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Orders two values: numbers (or numeric text) numerically, ISO dates and timestamps by instant,
 * other text by code unit, booleans false before true. Returns null when the two are not of one
 * kind, e.g. a date against free text, where any answer would be meaningless.
 */
export function compareValues(a: Value, b: Value): number | null {
  if (typeof a === 'bigint' && typeof b === 'bigint') return sign(a, b);
  const na = numericValue(a);
  const nb = numericValue(b);
  if (na !== null && nb !== null) return sign(na, nb);
  if (typeof a === 'string' && typeof b === 'string') {
    const ta = isoInstant(a);
    const tb = isoInstant(b);
    if (ta !== null && tb !== null) return sign(ta, tb);
    if ((ta === null) !== (tb === null)) return null;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return sign(Number(a), Number(b));
  return null;
}

// A field the row does not have would read as missing and pass every row: refuse it up front.
function resolve(indexOf: (field: string) => number, field: string, rule: string): number {
  const i = indexOf(field);
  if (!Number.isInteger(i) || i < 0) {
    throw new FerryError('contract', 'contract.unknown_field', `row rule ${rule} refers to ${field}, which is not a field of the row; fix the field name`);
  }
  return i;
}

/** Compiles one row rule; `indexOf` maps a target field to its position in the row and throws for unknown fields. */
export function compileRowRule(rule: RowRule, indexOf: (field: string) => number, options: { today?: () => string } = {}): RowCheck {
  const severity = rule.severity ?? 'error';
  const reasonCode = `row_rule.${rule.name}`;
  if ('compare' in rule) {
    const { left, op, right } = rule.compare;
    const li = resolve(indexOf, left, rule.name);
    const ri = resolve(indexOf, right, rule.name);
    const holds = HOLDS[op];
    const fail = failureFor(`${left}, ${right}: ${rule.name}`, reasonCode, severity);
    const broken = fail(`${left} ${op} ${right} does not hold`);
    const incomparable = fail(`${left} and ${right} cannot be compared: they are not both numbers, both dates or both text`);
    return (row) => {
      const a = row[li];
      const b = row[ri];
      if (isBlank(a) || isBlank(b)) return null;
      const c = compareValues(a, b);
      if (c === null) return incomparable;
      return holds(c) ? null : broken;
    };
  }
  if ('lab_range' in rule) return compileLabRange(rule.lab_range, rule.name, indexOf, reasonCode, severity);
  const { birth, at, min, max } = rule.age;
  const lo = min ?? 0;
  const hi = max ?? 125;
  const today = options.today ?? utcToday;
  const bi = resolve(indexOf, birth, rule.name);
  const ai = at === undefined ? -1 : resolve(indexOf, at, rule.name);
  const fail = failureFor(at === undefined ? `${birth}: ${rule.name}` : `${birth}, ${at}: ${rule.name}`, reasonCode, severity);
  const when = at === undefined ? 'today' : `on ${at}`;
  const tooYoung = fail(`age ${when} is below ${lo} years`);
  const tooOld = fail(`age ${when} is above ${hi} years`);
  const badBirth = fail(`${birth} is not an ISO date`);
  const badAt = at === undefined ? badBirth : fail(`${at} is not an ISO date`);
  return (row) => {
    const b = row[bi];
    if (isBlank(b)) return null;
    let atDay: string | null;
    if (ai >= 0) {
      const a = row[ai];
      if (isBlank(a)) return null;
      atDay = typeof a === 'string' ? isoDatePart(a) : null;
      if (atDay === null) return badAt;
    } else {
      atDay = today();
    }
    const birthDay = typeof b === 'string' ? isoDatePart(b) : null;
    if (birthDay === null) return badBirth;
    // Age in completed years, the way age is stated clinically: 17 until the 18th birthday.
    const age = completedYears(birthDay, atDay);
    if (age < lo) return tooYoung;
    if (age > hi) return tooOld;
    return null;
  };
}

type LabRange = Extract<RowRule, { lab_range: unknown }>['lab_range'];

/** A result outside the configured range for its code fails; codes without a range, or in another unit, pass. */
function compileLabRange(spec: LabRange, name: string, indexOf: (field: string) => number, reasonCode: string, severity: 'error' | 'warning'): RowCheck {
  const ci = resolve(indexOf, spec.code, name);
  const vi = resolve(indexOf, spec.value, name);
  const ui = spec.unit === undefined ? -1 : resolve(indexOf, spec.unit, name);
  // Units are compared ignoring case and spacing: laboratory systems write "mmol/l" as often as
  // the UCUM "mmol/L", and an exact match would silently skip the check for every such result.
  const ranges = new Map(Object.entries(spec.ranges).map(([code, r]) => [code.trim().toUpperCase(), { ...r, unit: r.unit === undefined ? undefined : unitKey(r.unit) }]));
  const fail = failureFor(`${spec.value}: ${name}`, reasonCode, severity);
  const outside = fail(`${spec.value} is outside the physiological range configured for its ${spec.code}`);
  const notNumber = fail(`${spec.value} is not a number, so its range cannot be checked`);
  return (row) => {
    const code = row[ci];
    const value = row[vi];
    if (isBlank(code) || isBlank(value)) return null;
    const range = ranges.get(String(code).trim().toUpperCase());
    if (!range) return null;
    if (range.unit !== undefined && ui >= 0) {
      const unit = row[ui];
      if (!isBlank(unit) && unitKey(String(unit)) !== range.unit) return null;
    }
    const n = numericValue(value);
    if (n === null) return notNumber;
    const x = Number(n);
    return x < range.min || x > range.max ? outside : null;
  };
}

function unitKey(unit: string): string {
  return unit.replace(/\s+/g, '').toLowerCase();
}
