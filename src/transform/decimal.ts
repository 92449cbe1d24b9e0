/**
 * Exact decimal text arithmetic for to_integer and to_decimal. Amounts and identifiers in
 * legacy systems exceed 2^53 and money must not pick up binary floating-point error, so values
 * never pass through a JS number: digits are scanned and rounded as text.
 */
import { isSpaceCode } from './text-value.js';

// Exponents beyond this are refused rather than expanded into megabytes of zeros.
const MAX_EXPONENT = 1000;
// ZEROS[k] is k zeros, for k up to the largest scale the contract allows.
const ZEROS = Array.from({ length: 21 }, (_, k) => '0'.repeat(k));

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Canonical integer text (`-12`, `0`, `9007199254740993`) from text with optional surrounding
 * spaces, an optional sign, digits and optionally a point followed only by zeros; null otherwise.
 */
export function canonicalInteger(text: string): string | null {
  let start = 0;
  let end = text.length;
  while (start < end && isSpaceCode(text.charCodeAt(start))) start++;
  while (end > start && isSpaceCode(text.charCodeAt(end - 1))) end--;
  let i = start;
  const sign = text.charCodeAt(i);
  const negative = sign === 45;
  if (sign === 45 || sign === 43) i++;
  let digitsStart = i;
  while (i < end && isDigit(text.charCodeAt(i))) i++;
  const digitsEnd = i;
  if (digitsEnd === digitsStart) return null;
  if (i < end && text.charCodeAt(i) === 46) {
    i++;
    const zeros = i;
    while (i < end && text.charCodeAt(i) === 48) i++;
    if (i === zeros) return null;
  }
  if (i !== end) return null;
  while (digitsStart < digitsEnd - 1 && text.charCodeAt(digitsStart) === 48) digitsStart++;
  const digits = digitsStart === 0 && digitsEnd === text.length ? text : text.slice(digitsStart, digitsEnd);
  if (digits === '0') return '0';
  return negative ? '-' + digits : digits;
}

/**
 * Rounds decimal text (`12.345`, `-0.5`, `.25`, `1.5E3`, surrounding spaces allowed) to `scale`
 * places, half away from zero, returning fixed-point text with exactly `scale` decimals
 * (`12.35`); null when the text is not a decimal number.
 */
export function roundDecimal(text: string, scale: number): string | null {
  let start = 0;
  let end = text.length;
  while (start < end && isSpaceCode(text.charCodeAt(start))) start++;
  while (end > start && isSpaceCode(text.charCodeAt(end - 1))) end--;
  let i = start;
  const sign = text.charCodeAt(i);
  const negative = sign === 45;
  if (sign === 45 || sign === 43) i++;
  const intStart = i;
  while (i < end && isDigit(text.charCodeAt(i))) i++;
  const intEnd = i;
  let fracStart = i;
  let fracEnd = i;
  if (i < end && text.charCodeAt(i) === 46) {
    i++;
    fracStart = i;
    while (i < end && isDigit(text.charCodeAt(i))) i++;
    fracEnd = i;
  }
  if (intEnd === intStart && fracEnd === fracStart) return null;
  let exponent = 0;
  if (i < end && (text.charCodeAt(i) === 101 || text.charCodeAt(i) === 69)) {
    i++;
    const expSign = text.charCodeAt(i);
    if (expSign === 45 || expSign === 43) i++;
    const expStart = i;
    while (i < end && isDigit(text.charCodeAt(i))) {
      exponent = exponent * 10 + (text.charCodeAt(i) - 48);
      if (exponent > MAX_EXPONENT) return null;
      i++;
    }
    if (i === expStart) return null;
    if (expSign === 45) exponent = -exponent;
  }
  if (i !== end) return null;

  // Fast path for the common case (`12.5`, `-3`, `0.25` with no more decimals than the scale):
  // the text is already canonical apart from missing trailing zeros.
  const fracLength = fracEnd - fracStart;
  const hasPoint = fracStart !== intEnd;
  if (exponent === 0 && sign !== 43 && !negative && intEnd > intStart && fracLength <= scale && (intEnd - intStart === 1 || text.charCodeAt(intStart) !== 48) && (scale > 0 || !hasPoint)) {
    const body = start === 0 && end === text.length ? text : text.slice(start, end);
    if (scale === 0) return body;
    return hasPoint ? body + ZEROS[scale - fracLength] : body + '.' + ZEROS[scale];
  }

  let digits = text.slice(intStart, intEnd) + text.slice(fracStart, fracEnd);
  // Number of digits before the decimal point.
  let point = intEnd - intStart + exponent;
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  const keep = point + scale;
  if (digits.length < keep) digits += '0'.repeat(keep - digits.length);
  let kept = digits.slice(0, keep);
  if (digits.length > keep && digits.charCodeAt(keep) >= 53) kept = increment(kept);

  const intLength = kept.length - scale;
  let lead = 0;
  while (lead < intLength - 1 && kept.charCodeAt(lead) === 48) lead++;
  const intPart = intLength === 0 ? '0' : kept.slice(lead, intLength);
  const fracPart = kept.slice(intLength);
  const out = scale === 0 ? intPart : intPart + '.' + fracPart;
  return negative && !allZero(kept) ? '-' + out : out;
}

function increment(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits.charCodeAt(i) === 57) i--;
  if (i < 0) return '1' + '0'.repeat(digits.length);
  return digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1) + '0'.repeat(digits.length - i - 1);
}

function allZero(digits: string): boolean {
  for (let i = 0; i < digits.length; i++) if (digits.charCodeAt(i) !== 48) return false;
  return true;
}
