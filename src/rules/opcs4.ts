/**
 * OPCS-4 procedure codes: a chapter letter, two digits, and usually a fourth-character
 * subdivision written with or without the dot (W40.1, W401). Chapters run A to Z but skip I and
 * O, which OPCS-4 never uses because they read as 1 and 0.
 */

const OPCS4 = /^([A-HJ-NP-Z]\d\d)(?:\.?(\d))?$/;

/** True when the code is an OPCS-4 code, dotted or undotted. */
export function isValidOpcs4(code: string): boolean {
  return OPCS4.test(code);
}

/** Returns the code in dotted form (W401 → W40.1), or null when it is not OPCS-4. */
export function normaliseOpcs4(code: string): string | null {
  const m = OPCS4.exec(code);
  if (m === null) return null;
  return m[2] === undefined ? m[1] : `${m[1]}.${m[2]}`;
}
