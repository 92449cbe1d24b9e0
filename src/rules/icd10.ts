/**
 * ICD-10 codes as they appear in UK hospital data: the WHO dotted form (J45.9, A00, M23.36) and
 * the NHS undotted form, where a three-character category is padded to four with an X filler
 * (J459, R69X, M2336).
 */

// Groups: category (letter + two digits), then either the dotted or undotted subdivision, or the
// X filler. The subdivision is one or two digits: fifth characters exist in a few chapters.
const ICD10 = /^([A-Z]\d\d)(?:\.?(\d{1,2})|X)?$/;

/** True when the code is an ICD-10 code in dotted, undotted or X-filled form. */
export function isValidIcd10(code: string): boolean {
  return ICD10.test(code);
}

/** Returns the code in WHO dotted form (J459 → J45.9, R69X → R69), or null when it is not ICD-10. */
export function normaliseIcd10(code: string): string | null {
  const m = ICD10.exec(code);
  if (m === null) return null;
  return m[2] === undefined ? m[1] : `${m[1]}.${m[2]}`;
}
