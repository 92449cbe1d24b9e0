/**
 * LOINC code check digit: the mod-10 scheme LOINC publishes (double the digits in odd positions
 * counted from the right, add all digits, distance to the next multiple of ten). Shared by the
 * validator and the synthetic-data generator.
 */

// LOINC numbers are issued sequentially without leading zeros; bases passed 99999 in 2022, so
// allow a little headroom beyond five digits.
const LOINC_FORMAT = /^([1-9]\d{0,6})-(\d)$/;
const BASE_FORMAT = /^\d+$/;

/** Returns the LOINC check digit for a base number such as `2160`. */
export function loincCheckDigit(base: string): number {
  if (!BASE_FORMAT.test(base)) throw new RangeError('LOINC check digit needs a string of digits');
  let sum = 0;
  for (let i = 0; i < base.length; i++) {
    const d = base.charCodeAt(base.length - 1 - i) - 48;
    if (i % 2 === 0) {
      const doubled = d * 2;
      sum += doubled > 9 ? doubled - 9 : doubled;
    } else {
      sum += d;
    }
  }
  return (10 - (sum % 10)) % 10;
}

/** Returns what is wrong with a LOINC code (its layout or its check digit), or null when it is valid. */
export function loincProblem(code: string): 'format' | 'check_digit' | null {
  const m = LOINC_FORMAT.exec(code);
  if (m === null) return 'format';
  return loincCheckDigit(m[1]) === m[2].charCodeAt(0) - 48 ? null : 'check_digit';
}

/** True when the code has the form `NNNNN-N` and its check digit is right. */
export function isValidLoinc(code: string): boolean {
  return loincProblem(code) === null;
}
