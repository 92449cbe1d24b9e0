/**
 * The general-purpose field rules: required, type, length, enum, range and regex. Each factory
 * does its parsing once and returns a per-value check that yields a fixed failure message (never
 * containing the value) or null.
 */
import type { LogicalType, Value } from '../connectors/connector.js';
import { FerryError } from '../errors.js';
import { isBlank as isBlankValue } from '../transform/text-value.js';
import { isIsoDate, isIsoDateTime } from './dates.js';

/** A compiled rule body: the failure message for a value, or null when it passes. */
export type ValueCheck = (value: Value) => string | null;

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const BOOLEAN_TEXT = new Set(['true', 'false', 't', 'f', '1', '0', 'y', 'n', 'yes', 'no']);

/** True for null, the empty string and whitespace-only strings: what counts as missing data. */
export function isBlank(value: Value): boolean {
  // The transform library's scan: it stops at the first character, where a regular expression call costs more than the scan.
  return value === undefined || isBlankValue(value);
}

/** The value as text for code checks; null for booleans and binary data, which are never codes. */
export function textOf(value: Value): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return null;
}

/** The value as a number when it is one or is numeric text; null otherwise. */
export function numericValue(value: Value): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && DECIMAL.test(value)) return Number(value);
  return null;
}

/** Number of Unicode code points in a string, counted without allocating. */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** True when the value can be stored as the given logical type without loss. */
export function fitsLogicalType(value: Value, type: LogicalType): boolean {
  switch (type) {
    case 'text':
      return !Buffer.isBuffer(value);
    case 'integer':
      return typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && INTEGER.test(value));
    case 'decimal':
      return numericValue(value) !== null;
    case 'date':
      return typeof value === 'string' && isIsoDate(value);
    case 'timestamp':
      return typeof value === 'string' && isIsoDateTime(value);
    case 'boolean':
      return typeof value === 'boolean' || (typeof value === 'string' && BOOLEAN_TEXT.has(value.trim().toLowerCase()));
    case 'binary':
      return Buffer.isBuffer(value);
  }
}

/** `required`: fails null, empty and whitespace-only values. */
export function requiredCheck(): ValueCheck {
  return (value) => (isBlank(value) ? 'a value is required but none was given' : null);
}

/** `type`: fails values that cannot be stored as the logical type. */
export function typeCheck(args: { type: LogicalType }): ValueCheck {
  const message = `value is not a valid ${args.type}`;
  return (value) => (fitsLogicalType(value, args.type) ? null : message);
}

/** `length`: fails text shorter than `min` or longer than `max` code points. */
export function lengthCheck(args: { min?: number; max?: number }): ValueCheck {
  const { min = 0, max = Infinity } = args;
  const tooShort = `value is shorter than the minimum of ${min} characters`;
  const tooLong = `value is longer than the maximum of ${max} characters`;
  return (value) => {
    const s = textOf(value);
    if (s === null) return 'value is not text';
    // A string has at most as many code points as UTF-16 units and at least half as many, so
    // most values are settled by their length alone.
    if (s.length < min) return tooShort;
    if (s.length <= max && (s.length + 1) >> 1 >= min) return null;
    const n = codePointLength(s);
    if (n < min) return tooShort;
    if (n > max) return tooLong;
    return null;
  };
}

/** `enum`: fails values whose text form is not one of the listed values. */
export function enumCheck(args: { values: readonly (string | number | boolean | null)[] }): ValueCheck {
  const allowed = new Set(args.values.filter((v) => v !== null).map(String));
  const message = `value is not one of the ${allowed.size} allowed values`;
  return (value) => {
    if (Buffer.isBuffer(value)) return message;
    return allowed.has(String(value)) ? null : message;
  };
}

/** `range`: fails values that are not numbers or fall outside [min, max]. */
export function rangeCheck(args: { min?: number; max?: number }): ValueCheck {
  const { min = -Infinity, max = Infinity } = args;
  const below = `value is below the minimum of ${min}`;
  const above = `value is above the maximum of ${max}`;
  return (value) => {
    const n = numericValue(value);
    if (n === null) return 'value is not a number';
    if (n < min) return below;
    if (n > max) return above;
    return null;
  };
}

/** `regex`: fails text the pattern does not match; the pattern is compiled here, once. */
export function regexCheck(args: { pattern: string; flags?: string }, path: string): ValueCheck {
  let re: RegExp;
  try {
    re = new RegExp(args.pattern, args.flags ?? '');
  } catch (err) {
    throw new FerryError('contract', 'contract.invalid_regex', `${path}: the regex rule's pattern is not a valid regular expression; fix its syntax`, [], { cause: err });
  }
  const message = `value does not match the pattern /${args.pattern}/${args.flags ?? ''}`;
  return (value) => {
    const s = textOf(value);
    return s !== null && re.test(s) ? null : message;
  };
}
