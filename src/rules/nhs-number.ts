/**
 * NHS number check digit (NHS Data Dictionary, "NHS NUMBER"): modulus 11 over the first nine
 * digits with weights 10 down to 2. Shared by the validator and the synthetic-data generator so
 * that both always agree on what a valid number is.
 */

// Check value 10 cannot be written in one digit, so a stem that yields it is never issued.
const NO_CHECK_DIGIT = -1;

function checkFromSum(sum: number): number {
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  return check === 10 ? NO_CHECK_DIGIT : check;
}

/**
 * Position of the digits in an accepted layout: ten digits, or the 3-3-4 grouping with one
 * separator (space or hyphen) used in both places. Returns the separator's char code, 0 for bare
 * digits, or -1 for any other layout. Looser layouts (leading spaces, mixed or doubled
 * separators) are formatting defects for a transform step to fix before a rule sees the value.
 */
function layout(value: string): number {
  if (value.length === 10) return 0;
  if (value.length !== 12) return -1;
  const sep = value.charCodeAt(3);
  return (sep === 32 || sep === 45) && value.charCodeAt(7) === sep ? sep : -1;
}

// Reads the ten digits of a value in an accepted layout, packed as (weighted sum of the first
// nine) * 10 + tenth digit so the hot path allocates nothing; -1 when a character is not an ASCII digit.
function scan(value: string, sep: number): number {
  let sum = 0;
  let k = 0;
  let last = 0;
  for (let i = 0; i < value.length; i++) {
    if (sep !== 0 && (i === 3 || i === 7)) continue;
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    if (k < 9) sum += d * (10 - k);
    else last = d;
    k++;
  }
  return sum * 10 + last;
}

/** Returns the check digit for a nine-digit stem, or null when no valid number has that stem. */
export function nhsNumberCheckDigit(first9: string): number | null {
  if (first9.length !== 9) return null;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    const d = first9.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    sum += d * (10 - i);
  }
  const check = checkFromSum(sum);
  return check === NO_CHECK_DIGIT ? null : check;
}

/** Returns the ten bare digits of a well-formed NHS number, or null when the layout is wrong. */
export function nhsNumberDigits(value: string): string | null {
  const sep = layout(value);
  if (sep < 0 || scan(value, sep) < 0) return null;
  return sep === 0 ? value : value.slice(0, 3) + value.slice(4, 7) + value.slice(8);
}

/** What is wrong with an NHS number: its layout or its check digit; null when it is valid. */
export function nhsNumberProblem(value: string): 'format' | 'check_digit' | null {
  const sep = layout(value);
  if (sep < 0) return 'format';
  const packed = scan(value, sep);
  if (packed < 0) return 'format';
  return checkFromSum(Math.floor(packed / 10)) === packed % 10 ? null : 'check_digit';
}

/** True when the value is ten digits (optionally grouped 3-3-4) with a correct check digit. */
export function isValidNhsNumber(value: string): boolean {
  return nhsNumberProblem(value) === null;
}
