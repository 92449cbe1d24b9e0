/** Integer keys in canonical decimal text, recognised without a regular expression (it runs once per loaded row). */

const MAX_SAFE_DIGITS = 15;

/**
 * The key as a number when it is a canonical decimal integer that converts losslessly ("0",
 * "42", "-7"); NaN otherwise ("007", "+7", "4.0", 16 or more digits, anything else). Canonical
 * text is what makes a range expand back to exactly the keys that were recorded.
 */
export function canonicalInt(s: string): number {
  const n = s.length;
  let i = s.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  if (n === i || n - i > MAX_SAFE_DIGITS) return NaN;
  const negative = i === 1;
  const first = s.charCodeAt(i);
  if (first === 48 /* 0 */) return n === 1 ? 0 : NaN;
  // At most 15 digits: the running value stays an exact integer.
  let v = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return NaN;
    v = v * 10 + (c - 48);
  }
  return negative ? -v : v;
}
