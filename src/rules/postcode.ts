/**
 * UK postcodes in the six Royal Mail formats plus the Girobank postcode GIR 0AA, with the letter
 * restrictions per position from the Royal Mail Programmers' Guide (as also given in BS 7666).
 */

// Outward codes: A9, A99, A9A, AA9, AA99, AA9A.
// 1st letter never Q V X; 2nd letter never I J Z; 3rd-position letter (A9A) only A-H J K P S T U W;
// 4th-position letter (AA9A) only A B E H M N P R V W X Y; inward letters never C I K M O V.
const OUTWARD = '[A-PR-UWYZ](?:\\d\\d?|\\d[A-HJKPSTUW]|[A-HK-Y]\\d\\d?|[A-HK-Y]\\d[ABEHMNPRVWXY])';
const INWARD = '\\d[ABD-HJLNP-UW-Z]{2}';
const POSTCODE = new RegExp(`^(?:GIR0AA|${OUTWARD}${INWARD})$`);
// Most stored postcodes are already canonical: test that first and skip the rewriting.
const CANONICAL = new RegExp(`^(?:GIR 0AA|${OUTWARD} ${INWARD})$`);
const WHITESPACE = /\s+/g;

/** Returns the postcode upper-cased with one space before the inward code, or null when it is not a valid format. */
export function normalisePostcode(s: string): string | null {
  if (CANONICAL.test(s)) return s;
  const compact = s.replace(WHITESPACE, '').toUpperCase();
  if (!POSTCODE.test(compact)) return null;
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}

/**
 * True when the value is a valid postcode format once case and spacing are normalised: legacy
 * systems store `sw1a1aa` and `SW1A 1AA` for the same address, and that is a presentation
 * difference for a transform to settle, not a wrong postcode.
 */
export function isValidPostcode(s: string): boolean {
  return CANONICAL.test(s) || POSTCODE.test(s.replace(WHITESPACE, '').toUpperCase());
}
