/**
 * ODS (Organisation Data Service) organisation codes, upper case as ODS publishes them.
 * GP practices are a letter and five digits (A81001); NHS trusts are three characters starting R
 * (acute and mental health trusts, RX1, R0A) or T (care trusts); a trust site is the trust code
 * followed by two characters (RX1AB, RRK02).
 */

export const ODS_KINDS = ['any', 'gp_practice', 'trust', 'site'] as const;
export type OdsKind = (typeof ODS_KINDS)[number];

const PATTERNS: Record<OdsKind, RegExp> = {
  gp_practice: /^[A-Z]\d{5}$/,
  trust: /^[RT][A-Z0-9]{2}$/,
  site: /^[RT][A-Z0-9]{4}$/,
  any: /^(?:[A-Z]\d{5}|[RT][A-Z0-9]{2}(?:[A-Z0-9]{2})?)$/,
};

/** True when the code is an ODS organisation code of the given kind. */
export function isValidOdsCode(code: string, kind: OdsKind = 'any'): boolean {
  return PATTERNS[kind].test(code);
}
